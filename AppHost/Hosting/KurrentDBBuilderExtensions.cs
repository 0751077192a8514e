using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Utils;
using EventDriven.KurrentDB.Client;
using EventDriven.LocalInfrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EventDriven.AppHost.Hosting;

public static class KurrentDBBuilderExtensions
{
    /// <summary>KurrentDB's own port; used in local mode when free, as a real node would.</summary>
    public const int PreferredPort = 2113;

    /// <summary>A single insecure KurrentDB node from the official image, its data in a volume.</summary>
    public static IResourceBuilder<KurrentDBResource> AddKurrentDB(this IDistributedApplicationBuilder builder, [ResourceName] string name)
    {
        var kurrentdb = new KurrentDBResource(name);
        return builder.AddResource(kurrentdb)
            .WithImage(KurrentDBContainerImage.Image, KurrentDBContainerImage.Tag)
            .WithImageRegistry(KurrentDBContainerImage.Registry)
            .WithHttpEndpoint(targetPort: KurrentDBResource.PrimaryTargetPort, name: KurrentDBResource.PrimaryEndpointName)
            .WithEnvironment("KURRENTDB_INSECURE", "true")
            .WithEnvironment("KURRENTDB_CLUSTER_SIZE", "1")
            .WithEnvironment("KURRENTDB_RUN_PROJECTIONS", "All")
            .WithEnvironment("KURRENTDB_START_STANDARD_PROJECTIONS", "true")
            .WithEnvironment("KURRENTDB_NODE_PORT", KurrentDBResource.PrimaryTargetPort.ToString(CultureInfo.InvariantCulture))
            .WithHealthCheck(new KurrentDBReadHealthCheck(kurrentdb));
    }

    public static IResourceBuilder<KurrentDBResource> WithDataVolume(this IResourceBuilder<KurrentDBResource> builder, string? name = null) =>
        builder.WithVolume(name ?? VolumeNameGenerator.Generate(builder, "data"), "/var/lib/kurrentdb");

    /// <summary>
    /// The project's KurrentDB API server in a local process, its log in <c>{LocalInfrastructure:DataDirectory}/kurrentdb</c>,
    /// gRPC (HTTP/2 cleartext) on 2113 when free, health on a separate HTTP/1.1 endpoint.
    /// </summary>
    public static IResourceBuilder<LocalKurrentDBResource> AddLocalKurrentDB(this IDistributedApplicationBuilder builder, [ResourceName] string name)
    {
        var assembly = LocalInfrastructureAssemblies.LocalKurrentDB;
        var port = FreePort.PreferOrPick(builder.Configuration.GetValue("LocalInfrastructure:KurrentDBPort", PreferredPort));
        var dataDirectory = LocalInfrastructureData.Directory(builder.Configuration, "kurrentdb");
        var kurrentdb = new LocalKurrentDBResource(name, Path.GetDirectoryName(assembly)!);
        return builder.AddResource(kurrentdb)
            .WithArgs(assembly)
            .WithEndpoint(port: port, targetPort: port, name: LocalKurrentDBResource.PrimaryEndpointName, scheme: "http", isProxied: false)
            .WithHttpEndpoint(name: LocalKurrentDBResource.HttpEndpointName)
            .WithEnvironment(context =>
            {
                context.EnvironmentVariables["Kestrel__Endpoints__Grpc__Url"] = $"http://localhost:{port.ToString(CultureInfo.InvariantCulture)}";
                context.EnvironmentVariables["Kestrel__Endpoints__Grpc__Protocols"] = "Http2";
                context.EnvironmentVariables["Kestrel__Endpoints__Http__Url"] =
                    ReferenceExpression.Create($"http://localhost:{kurrentdb.HttpEndpoint.Property(EndpointProperty.TargetPort)}");
                context.EnvironmentVariables["Kestrel__Endpoints__Http__Protocols"] = "Http1";
                context.EnvironmentVariables["LocalKurrentDB__DataDirectory"] = dataDirectory;
            })
            .WithOtlpExporter()
            .WithHealthCheck(new KurrentDBReadHealthCheck(kurrentdb));
    }

    /// <summary>Healthy when the node answers a read of <c>$all</c> through the project's client, in either mode.</summary>
    private sealed class KurrentDBReadHealthCheck(IResourceWithConnectionString resource) : IHealthCheck, IDisposable
    {
        private KurrentDBClient? _client;

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                _client ??= new KurrentDBClient(KurrentDBClientSettings.Create(
                    await resource.ConnectionStringExpression.GetValueAsync(cancellationToken) ?? ""));
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(3));
                await _client.ReadAllAsync(Direction.Backwards, Position.End, maxCount: 1, cancellationToken: timeout.Token)
                    .ToListAsync(timeout.Token);
                return HealthCheckResult.Healthy();
            }
            catch (Exception exception) when (exception is Grpc.Core.RpcException or OperationCanceledException or HttpRequestException)
            {
                return HealthCheckResult.Unhealthy("KurrentDB did not answer a read of $all.", exception);
            }
        }

        public void Dispose() => _client?.Dispose();
    }
}

internal static class KurrentDBContainerImage
{
    public const string Registry = "docker.kurrent.io";
    public const string Image = "kurrent-latest/kurrentdb";
    public const string Tag = "25.1";
}
