using System.Diagnostics;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Database spans only where they explain something: inside a trace (a request, a consumed message, a relay step).
/// Background housekeeping — health probes, relay polling, leadership, metrics sampling — would otherwise fill the
/// dashboard's trace list with one-span traces every few milliseconds.
/// </summary>
public static class PostgresTracing
{
    /// <summary>
    /// The services' data sources: statements a service runs again and again are prepared on each connection after a
    /// few uses (Npgsql's auto-prepare), which spares PostgreSQL parsing and planning them every time; and database spans
    /// only within traces. A connection string that sets <c>Max Auto Prepare</c> keeps its own.
    /// </summary>
    public static void ServiceDefaults(NpgsqlDataSourceBuilder builder)
    {
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        }

        OnlyWithinTraces(builder);
    }

    public static void OnlyWithinTraces(NpgsqlDataSourceBuilder builder) =>
        builder.ConfigureTracing(tracing => tracing
            .EnablePhysicalOpenTracing(false)
            .ConfigureCommandFilter(_ => Activity.Current is not null)
            .ConfigureBatchFilter(_ => Activity.Current is not null));
}
