using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Logging;

namespace EventDriven.AppHost.Hosting;

/// <summary>
/// The infrastructure resources, in whichever mode was selected. Callers see the same resource names and connection
/// strings in both modes, so the services' code does not know which one runs.
/// </summary>
public sealed class Infrastructure(IDistributedApplicationBuilder builder, InfrastructureMode mode)
{
    public InfrastructureMode Mode { get; } = mode;

    /// <summary>PostgreSQL with <c>wal_level=logical</c>: a container with a data volume, or the machine's server binaries.</summary>
    public PostgresServer AddPostgres([ResourceName] string name)
    {
        if (Mode == InfrastructureMode.Containers)
        {
            var container = builder.AddPostgres(name)
                .WithDataVolume()
                .WithInitFiles(Path.Combine(builder.AppHostDirectory, "PostgresInit"))
                .WithArgs("-c", "wal_level=logical", "-c", "max_wal_senders=10", "-c", "max_replication_slots=10");
            return new PostgresServer(container, database => container.AddDatabase(database));
        }

        var local = builder.AddLocalPostgres(name);
        return new PostgresServer(local, database => local.AddDatabase(database));
    }

    /// <summary>KurrentDB: the official image with a data volume, or the project's KurrentDB API server on a local folder.</summary>
    public IResourceBuilder<IResourceWithConnectionString> AddKurrentDB([ResourceName] string name) =>
        Mode == InfrastructureMode.Containers
            ? builder.AddKurrentDB(name).WithDataVolume()
            : builder.AddLocalKurrentDB(name);

    /// <summary>Kafka: a single-node KRaft container with a data volume, or librdkafka's in-memory mock cluster.</summary>
    public IResourceBuilder<IResourceWithConnectionString> AddKafka([ResourceName] string name) =>
        Mode == InfrastructureMode.Containers
            ? builder.AddKafka(name).WithDataVolume()
            : builder.AddLocalKafka(name);
}

/// <summary>A PostgreSQL server resource, container or local, and the way to add databases to it.</summary>
public sealed class PostgresServer(IResourceBuilder<IResourceWithConnectionString> server, Func<string, IResourceBuilder<IResourceWithConnectionString>> addDatabase)
{
    public IResourceBuilder<IResourceWithConnectionString> Server { get; } = server;

    public IResourceBuilder<IResourceWithConnectionString> AddDatabase([ResourceName] string name) => addDatabase(name);
}

public static partial class InfrastructureExtensions
{
    /// <summary>Selects the infrastructure mode once (see <see cref="InfrastructureModeSelection"/>) and says which it is.</summary>
    public static Infrastructure AddInfrastructure(this IDistributedApplicationBuilder builder)
    {
        var mode = InfrastructureModeSelection.Select(builder.Configuration);
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole(options => options.SingleLine = true));
        LogMode(loggerFactory.CreateLogger("EventDriven.AppHost"), mode, InfrastructureModeSelection.ConfigurationKey);
        return new Infrastructure(builder, mode);
    }

    [LoggerMessage(LogLevel.Information, "Infrastructure mode: {Mode} (set {Key}=auto|containers|local to choose)")]
    private static partial void LogMode(ILogger logger, InfrastructureMode mode, string key);
}
