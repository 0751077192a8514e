using System.Diagnostics;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>How every service's PostgreSQL data source is set up.</summary>
public static class ServicePostgres
{
    /// <summary>
    /// Statements a service runs again and again are prepared on each connection after a few uses (Npgsql's
    /// auto-prepare), which spares PostgreSQL parsing and planning them every time; a connection string that sets
    /// <c>Max Auto Prepare</c> keeps its own. Database spans only where they explain something: inside a trace (a
    /// request, a consumed message, a relay step). Background housekeeping — health probes, relay polling, leadership,
    /// metrics sampling — would otherwise fill the dashboard's trace list with one-span traces every few milliseconds.
    /// </summary>
    public static void Configure(NpgsqlDataSourceBuilder builder)
    {
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        }

        builder.ConfigureTracing(tracing => tracing
            .EnablePhysicalOpenTracing(false)
            .ConfigureCommandFilter(_ => Activity.Current is not null)
            .ConfigureBatchFilter(_ => Activity.Current is not null));
    }
}
