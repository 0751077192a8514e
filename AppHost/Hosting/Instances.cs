using Aspire.Hosting.ApplicationModel;

namespace EventDriven.AppHost.Hosting;

internal static class Instances
{
    /// <summary>
    /// Runs <paramref name="count"/> instances of the service behind its proxied endpoints; one keeps the model as it
    /// was. With several, each instance is a resource of its own in the dashboard (its name with a suffix), with its own
    /// commands and restart; the service's HTTP commands go to one of them, and each works on state they all share.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithInstances(this IResourceBuilder<ProjectResource> builder, int count) =>
        count == 1 ? builder : builder.WithReplicas(count);
}
