using Aspire.Hosting.ApplicationModel;

namespace EventDriven.AppHost.Hosting;

/// <summary>
/// A Kafka broker in a container, shaped like Aspire.Hosting.Kafka's resource (which our package source lacks):
/// same resource kind, endpoint names (<c>tcp</c> for the host, <c>internal</c> for containers) and connection string.
/// </summary>
public sealed class KafkaServerResource(string name) : ContainerResource(name), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";
    internal const string InternalEndpointName = "internal";
    internal const int PrimaryTargetPort = 9092;
    internal const int InternalTargetPort = 9093;

    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    public EndpointReference InternalEndpoint => field ??= new(this, InternalEndpointName);

    /// <summary><c>host:port</c>, the form <c>bootstrap.servers</c> takes.</summary>
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}");
}

/// <summary>
/// Local mode's Kafka: librdkafka's mock cluster in a .NET process (LocalInfrastructure/Kafka), in memory, with the
/// same connection string as the container.
/// </summary>
public sealed class LocalKafkaResource(string name, string workingDirectory)
    : ExecutableResource(name, "dotnet", workingDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";
    internal const string ControlEndpointName = "control";

    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    public EndpointReference ControlEndpoint => field ??= new(this, ControlEndpointName);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}");
}
