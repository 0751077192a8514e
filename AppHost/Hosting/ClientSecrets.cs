using Aspire.Hosting.ApplicationModel;

namespace EventDriven.AppHost.Hosting;

internal static class ClientSecrets
{
    /// <summary>
    /// An OAuth client's secret as a secret parameter, generated when not configured (<c>Parameters:{name}</c>), so
    /// that no secret is kept in the repository. A new one each run is fine: Identity updates its clients on start.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddClientSecret(this IDistributedApplicationBuilder builder, [ResourceName] string name) =>
        builder.AddParameter(name, new GenerateParameterDefault { MinLength = 40, Special = false }, secret: true);
}
