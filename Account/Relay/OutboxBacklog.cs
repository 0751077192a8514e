using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EventDriven.Accounts.Relay;

/// <summary>
/// Samples what is stored but not yet published, every few seconds, as gauges: outbox rows (in CDC mode they are
/// deleted shortly after relaying) and, in CDC mode, the WAL bytes the slot has not confirmed.
/// </summary>
public sealed partial class OutboxBacklog : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private readonly NpgsqlDataSource _dataSource;
    private readonly RelayOptions _options;
    private readonly ILogger<OutboxBacklog> _logger;
    private long _rows;
    private long _slotLagBytes;

    public OutboxBacklog(NpgsqlDataSource dataSource, IOptions<RelayOptions> options, IMeterFactory meters, ILogger<OutboxBacklog> logger)
    {
        (_dataSource, _options, _logger) = (dataSource, options.Value, logger);
        var meter = meters.Create(OutboxPublisher.TelemetryName);
        meter.CreateObservableGauge("account.outbox.backlog", () => Volatile.Read(ref _rows), "{message}", "Outbox rows not yet relayed (or not yet cleaned up).");
        meter.CreateObservableGauge("account.outbox.slot_lag", () => Volatile.Read(ref _slotLagBytes), "By", "WAL the CDC relay's slot has not confirmed.");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                var sample = await SampleAsync(_dataSource, _options.SlotName, stoppingToken);
                Volatile.Write(ref _rows, sample.Rows);
                Volatile.Write(ref _slotLagBytes, sample.SlotLagBytes ?? 0);
            }
            catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException)
            {
                LogSampleFailed(_logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Outbox rows, the oldest one's age in seconds, and the WAL bytes the slot has not confirmed (null: no slot).</summary>
    public static async Task<(long Rows, double? OldestSeconds, long? SlotLagBytes)> SampleAsync(NpgsqlDataSource dataSource, string slotName, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT count(*), extract(epoch FROM now() - min(occurred_at))::float8,
                   (SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint FROM pg_replication_slots WHERE slot_name = $1 AND database = current_database())
            FROM outbox
            """);
        command.Parameters.Add(new() { Value = slotName });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.IsDBNull(1) ? null : Math.Max(0, reader.GetDouble(1)), reader.IsDBNull(2) ? null : reader.GetInt64(2));
    }

    [LoggerMessage(LogLevel.Debug, "Could not sample the outbox backlog")]
    private static partial void LogSampleFailed(ILogger logger, Exception exception);
}
