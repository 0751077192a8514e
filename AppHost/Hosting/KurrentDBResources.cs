using Aspire.Hosting.ApplicationModel;

namespace EventDriven.AppHost.Hosting;

/// <summary>KurrentDB in a container: an insecure single node, gRPC and HTTP on one port.</summary>
public sealed class KurrentDBResource(string name) : ContainerResource(name), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "http";
    internal const int PrimaryTargetPort = 2113;

    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    /// <summary><c>kurrentdb://host:port?tls=false</c>, the official clients' form.</summary>
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"kurrentdb://{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}?tls=false");
}

/// <summary>
/// Local mode's KurrentDB: the project's .NET server of the KurrentDB gRPC Streams API (LocalInfrastructure/KurrentDB),
/// durable in a folder on disk, with the same connection string as the container.
/// </summary>
public sealed class LocalKurrentDBResource(string name, string workingDirectory)
    : ExecutableResource(name, "dotnet", workingDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "grpc";
    internal const string HttpEndpointName = "http";

    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    public EndpointReference HttpEndpoint => field ??= new(this, HttpEndpointName);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"kurrentdb://{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}?tls=false");
}
