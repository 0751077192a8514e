using Aspire.Hosting.ApplicationModel;

namespace EventDriven.AppHost.Hosting;

internal static class ApiReferenceUrls
{
    /// <summary>
    /// Links the service's API reference (Scalar, over its OpenAPI document; served in development) from the dashboard's
    /// resource list, next to its own address.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithApiReference(this IResourceBuilder<ProjectResource> builder) =>
        builder.WithUrlForEndpoint("http", _ => new ResourceUrlAnnotation { Url = "/scalar", DisplayText = "API reference" });
}
