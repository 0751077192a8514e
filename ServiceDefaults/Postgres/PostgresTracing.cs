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
    public static void OnlyWithinTraces(NpgsqlDataSourceBuilder builder) =>
        builder.ConfigureTracing(tracing => tracing
            .EnablePhysicalOpenTracing(false)
            .ConfigureCommandFilter(_ => Activity.Current is not null)
            .ConfigureBatchFilter(_ => Activity.Current is not null));
}
