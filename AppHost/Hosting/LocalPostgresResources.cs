using Aspire.Hosting.ApplicationModel;
using EventDriven.LocalInfrastructure.Postgres;

namespace EventDriven.AppHost.Hosting;

/// <summary>
/// Local mode's PostgreSQL: the machine's own server binaries run on a private data folder, with logical replication
/// enabled, and the same connection-string shape as Aspire's PostgreSQL container.
/// </summary>
public sealed class LocalPostgresServerResource(string name, string command, string dataDirectory, string password)
    : ExecutableResource(name, command, dataDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";

    internal string Password { get; } = password;

    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={LocalPostgresCluster.UserName};Password={Password}");

    internal Dictionary<string, string> Databases { get; } = [];
}

/// <summary>A database of the local server, created when the server is ready.</summary>
public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresServerResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresServerResource>, IResourceWithConnectionString
{
    public LocalPostgresServerResource Parent { get; } = parent;

    public string DatabaseName { get; } = databaseName;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}
