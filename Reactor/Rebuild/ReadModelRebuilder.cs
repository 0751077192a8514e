using System.Diagnostics;
using System.Threading.Channels;
using Confluent.Kafka;
using EventDriven.Reactor.ReadModels;
using EventDriven.ServiceDefaults.Kafka;
using Npgsql;

namespace EventDriven.Reactor.Rebuild;

/// <summary>
/// Rebuilds a read model from Kafka without downtime, correct with several Reactor instances (decision 0011): the
/// topics are read from the beginning into memory (the same row functions as the live consumers) up to their ends,
/// while every instance's live consumer carries on. Then the swap, in one transaction under
/// <see cref="ReadModelSchema.GenerationLock"/> held exclusively, which waits for every write in flight and holds off
/// new ones: what live consumers applied to the old generation since the rebuild started and the rebuild has not read
/// yet is read too, the rows and their inbox records are copied in bulk into a new generation's table, and the view
/// and the durable live generation are swapped to it. Writers after the swap find the new generation.
/// One rebuild at a time across instances: <see cref="ReadModelSchema.RebuildLock"/>, held while it runs.
/// A hosted worker: the API asks for a rebuild (<see cref="TryStartAsync"/>), the worker runs it on the host's lifetime.
/// </summary>
public sealed partial class ReadModelRebuilder(
    NpgsqlDataSource dataSource,
    [FromKeyedServices(ReadModelRebuilder.ConsumerKey)] IConsumer<string, byte[]> consumer,
    RebuildStatusStore statuses,
    IMessageReader reader,
    TimeProvider time,
    ILogger<ReadModelRebuilder> logger) : BackgroundService
{
    /// <summary>The rebuild's own consumer (ServiceDefaults'): partitions assigned, nothing committed, no spans.</summary>
    public const string ConsumerKey = "reactor-rebuild";

    private static readonly TimeSpan BrokerTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(30);
    private readonly Channel<Claim> _requests = Channel.CreateBounded<Claim>(1);
    private readonly Lock _lock = new();
    private bool _busy;

    /// <summary>This instance's last rebuild, with its progress while it runs.</summary>
    public RebuildStatus? Last { get; private set; }

    /// <summary>The last rebuild of any instance: this one's while it runs here (with its progress), else the stored one.</summary>
    public async Task<RebuildStatus?> LastOfAnyAsync(CancellationToken cancellationToken) =>
        Last is { State: "running" } running ? running : await statuses.ReadAsync(cancellationToken) ?? Last;

    /// <summary>
    /// Claims the rebuild lock and asks the worker for a rebuild; its status, or null when a rebuild is already asked
    /// for or running, on this instance or another.
    /// </summary>
    public async Task<RebuildStatus?> TryStartAsync(ReadModel model, CancellationToken cancellationToken)
    {
        if (await TryClaimAsync(model, cancellationToken) is not { } claim)
        {
            return null;
        }

        _requests.Writer.TryWrite(claim); // room: only one claim at a time (_busy)
        return claim.Status;
    }

    /// <summary>Runs a rebuild on the caller (the benchmark's way), under the same lock as the worker's.</summary>
    public async Task<RebuildStatus> RebuildAsync(ReadModel model, CancellationToken cancellationToken)
    {
        var claim = await TryClaimAsync(model, cancellationToken) ?? throw new InvalidOperationException("A rebuild is running; one at a time.");
        try
        {
            return Last = await RebuildAsync(claim, cancellationToken);
        }
        finally
        {
            await EndAsync(claim);
        }
    }

    private async Task<Claim?> TryClaimAsync(ReadModel model, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_busy)
            {
                return null;
            }

            _busy = true;
        }

        NpgsqlConnection? connection = null;
        var locked = false;
        try
        {
            // A session lock on a connection of its own, held until the rebuild ends; should this instance die, its
            // session ends and the lock with it.
            connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var claim = new NpgsqlCommand("SELECT pg_try_advisory_lock($1), now(), (SELECT generation FROM read_models WHERE name = $2)", connection);
            claim.Parameters.Add(new() { Value = ReadModelSchema.RebuildLock });
            claim.Parameters.Add(new() { Value = ReadModelSchema.Name(model) });
            Claim request;
            await using (var row = await claim.ExecuteReaderAsync(cancellationToken))
            {
                await row.ReadAsync(cancellationToken);
                locked = row.GetBoolean(0);
                if (!locked)
                {
                    await connection.DisposeAsync();
                    Release();
                    return null;
                }

                var status = new RebuildStatus(model, row.GetInt32(2) + 1, "running", 0, 0, 0, time.GetUtcNow(), null, null, 0);
                request = new Claim(model, connection, row.GetFieldValue<DateTimeOffset>(1), status);
            }

            await statuses.SaveAsync(request.Status, cancellationToken);
            Last = request.Status;
            return request;
        }
        catch
        {
            if (connection is not null)
            {
                if (locked)
                {
                    await UnlockAsync(connection);
                }

                await connection.DisposeAsync();
            }

            Release();
            throw;
        }
    }

    /// <summary>Runs the asked-for rebuilds one at a time, on the host's lifetime: a shutdown stops a rebuild, and the live generation stays.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var claim in _requests.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    Last = await RebuildAsync(claim, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    Last = Last! with { State = "stopped", Error = "The service stopped; the live generation stays.", FinishedAt = time.GetUtcNow() };
                    throw;
                }
                catch (Exception exception)
                {
                    LogFailed(logger, claim.Model, exception);
                    Last = Last! with { State = "failed", Error = exception.Message, FinishedAt = time.GetUtcNow() };
                }
                finally
                {
                    await EndAsync(claim);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<RebuildStatus> RebuildAsync(Claim claim, CancellationToken cancellationToken)
    {
        var model = claim.Model;
        var watch = Stopwatch.StartNew();
        var fold = new RebuildFold(model, reader);
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var partitions = Topics(model)
            .SelectMany(topic => admin.GetMetadata(topic, BrokerTimeout).Topics.Single().Partitions.Select(p => new TopicPartition(topic, p.PartitionId)))
            .ToList();

        // Most of the work, while the live consumers carry on: everything up to the topics' current ends.
        var watermarks = partitions.ToDictionary(p => p, p => consumer.QueryWatermarkOffsets(p, BrokerTimeout));
        var ends = watermarks.ToDictionary(w => w.Key, w => w.Value.High.Value);
        // What the topic still holds starts at the low watermark (the mock broker, and retention, drop older messages).
        var next = watermarks.ToDictionary(w => w.Key, w => w.Value.Low.Value);
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning)));
        var progress = new Progress(this, model, next, ends, fold, watch);
        try
        {
            ReadUntil(() => ends.All(e => next[e.Key] >= e.Value), result => result.Offset.Value < ends[result.TopicPartition], next, fold, progress.Report, cancellationToken);
            var generation = claim.Status.Generation;
            await SwapAsync(claim, generation, fold, next, progress.Report, watch, cancellationToken);
            var status = new RebuildStatus(model, generation, "done", fold.Events, watch.Elapsed.TotalSeconds, fold.Events / watch.Elapsed.TotalSeconds, claim.Status.StartedAt, time.GetUtcNow(), null, 1);
            LogRebuilt(logger, model, generation, fold.Events, status.EventsPerSecond);
            return status;
        }
        finally
        {
            // The consumer stays for the next rebuild, reading nothing meanwhile.
            consumer.Unassign();
        }
    }

    private static IReadOnlyList<string> Topics(ReadModel model) =>
        model == ReadModel.AccountOverview ? [EventDriven.Contracts.Topics.AccountState, EventDriven.Contracts.Topics.TransactionEvents] : [EventDriven.Contracts.Topics.TransactionEvents];

    /// <summary>
    /// Folds what the rebuild's consumer reads until <paramref name="done"/>; fails after <see cref="StallTimeout"/>
    /// without a message that <paramref name="advances"/> (never wait for ever: live writers may be waiting behind the swap).
    /// </summary>
    private void ReadUntil(
        Func<bool> done, Func<ConsumeResult<string, byte[]>, bool> advances, Dictionary<TopicPartition, long> next, RebuildFold fold, Action report, CancellationToken cancellationToken)
    {
        var lastProgress = Stopwatch.StartNew();
        while (!done())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (lastProgress.Elapsed > StallTimeout)
            {
                throw new TimeoutException($"The rebuild read nothing it waited for in {StallTimeout.TotalSeconds:0} s.");
            }

            if (consumer.Consume(TimeSpan.FromSeconds(1)) is not { } result)
            {
                continue;
            }

            // Everything read is folded, also past a partition's end: the live consumers may apply those meanwhile,
            // and they are in the new generation's inbox, so after the swap the live consumers skip them.
            next[result.TopicPartition] = result.Offset.Value + 1;
            fold.Add(result);
            report();
            if (advances(result))
            {
                lastProgress.Restart();
            }
        }
    }

    /// <summary>
    /// The swap, in one transaction that holds the generation lock exclusively from its first statement: the live
    /// writers of every instance have committed or wait. Those that committed to the old generation since the rebuild
    /// started are in its inbox: each event found there and not yet folded is read from the topics (it is there: a live
    /// consumer applied it), then the new generation replaces the old one.
    /// </summary>
    private async Task SwapAsync(Claim claim, int generation, RebuildFold fold, Dictionary<TopicPartition, long> next, Action report, Stopwatch watch, CancellationToken cancellationToken)
    {
        var model = claim.Model;
        var name = ReadModelSchema.Name(model);
        var table = ReadModelSchema.Table(model, generation);
        var old = generation - 1;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The read model's row first (live writers only read it): should a rebuild whose lock was lost (its session
        // failed) still run beside another, the swaps take turns and the second finds the generation moved on.
        await using (var row = new NpgsqlCommand("SELECT generation FROM read_models WHERE name = $1 FOR UPDATE", connection, transaction) { Parameters = { new() { Value = name } } })
        {
            if (await row.ExecuteScalarAsync(cancellationToken) is not int live || live != old)
            {
                throw new InvalidOperationException($"{name} is no longer at generation {old}: it was swapped meanwhile.");
            }
        }

        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({ReadModelSchema.GenerationLock})", cancellationToken);

        var missing = new HashSet<Guid>();
        await using (var applied = new NpgsqlCommand("SELECT event_id FROM inbox WHERE model = $1 AND generation = $2 AND applied_at >= $3", connection, transaction))
        {
            applied.Parameters.Add(new() { Value = name });
            applied.Parameters.Add(new() { Value = old });
            applied.Parameters.Add(new() { Value = claim.StartedAt });
            await using var rows = await applied.ExecuteReaderAsync(cancellationToken);
            while (await rows.ReadAsync(cancellationToken))
            {
                if (!fold.Seen.Contains(rows.GetGuid(0)))
                {
                    missing.Add(rows.GetGuid(0));
                }
            }
        }

        if (missing.Count > 0)
        {
            LogCatchingUp(logger, model, missing.Count);
            // Progress is a missing event found, not any message: while the swap holds the generation lock, traffic
            // keeps flowing, and an event never found must fail the rebuild within the stall timeout, not hold every
            // instance's live writers for as long as messages arrive.
            ReadUntil(() => missing.Count == 0, _ => missing.RemoveWhere(fold.Seen.Contains) > 0, next, fold, report, cancellationToken);
        }

        await ExecuteAsync(connection, transaction, $"DROP TABLE IF EXISTS {table}; DELETE FROM inbox WHERE model = '{name}' AND generation = {generation}; {ReadModelSchema.CreateTable(model, generation)}", cancellationToken);
        var (columns, values) = fold.Rows();
        await ReadModelRowsSql.CopyAsync(connection, table, columns, values, cancellationToken);
        await ReadModelRowsSql.CopyAsync(connection, "inbox", "model, generation, event_id", fold.Seen.Select(id => new object?[] { name, generation, id }), cancellationToken);
        var rate = (fold.Events / watch.Elapsed.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await ExecuteAsync(connection, transaction, $"""
            CREATE OR REPLACE VIEW {name} AS SELECT * FROM {table};
            UPDATE read_models SET generation = {generation}, rebuilt_at = now(), rebuild_events = {fold.Events}, rebuild_events_per_second = {rate} WHERE name = '{name}';
            DELETE FROM inbox WHERE model = '{name}' AND generation = {old};
            DROP TABLE IF EXISTS {ReadModelSchema.Table(model, old)};
            """, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Stores how the rebuild ended, releases the rebuild lock and lets the next one be asked for.</summary>
    private async Task EndAsync(Claim claim)
    {
        try
        {
            await statuses.SaveAsync(Last!, CancellationToken.None);
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException)
        {
            LogEndFailed(logger, claim.Model, exception);
        }
        finally
        {
            await UnlockAsync(claim.Connection);
            await claim.Connection.DisposeAsync();
            Release();
        }
    }

    /// <summary>Releases the rebuild lock; a broken session released it by itself (PostgreSQL ends its locks with it).</summary>
    private static async Task UnlockAsync(NpgsqlConnection connection)
    {
        try
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection) { Parameters = { new() { Value = ReadModelSchema.RebuildLock } } };
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException)
        {
            connection.Close();
        }
    }

    private void Release()
    {
        lock (_lock)
        {
            _busy = false;
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A rebuild asked for: the rebuild lock's session, and the database's time when it was taken.</summary>
    private sealed record Claim(ReadModel Model, NpgsqlConnection Connection, DateTimeOffset StartedAt, RebuildStatus Status);

    /// <summary>
    /// A running rebuild's progress in <see cref="Last"/>, a few times a second: events folded, and the share of the
    /// messages the topics held when it started (their ends then) that has been read.
    /// </summary>
    private sealed class Progress(ReadModelRebuilder rebuilder, ReadModel model, Dictionary<TopicPartition, long> next, Dictionary<TopicPartition, long> ends, RebuildFold fold, Stopwatch watch)
    {
        private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
        private readonly Dictionary<TopicPartition, long> _starts = new(next);
        private TimeSpan _reported;

        public void Report()
        {
            if (watch.Elapsed - _reported < Interval || rebuilder.Last is not { State: "running" } running || running.Model != model)
            {
                return;
            }

            _reported = watch.Elapsed;
            var total = ends.Sum(e => Math.Max(0, e.Value - _starts[e.Key]));
            var read = ends.Sum(e => Math.Clamp(next[e.Key] - _starts[e.Key], 0, Math.Max(0, e.Value - _starts[e.Key])));
            var seconds = watch.Elapsed.TotalSeconds;
            rebuilder.Last = running with
            {
                Events = fold.Events,
                Seconds = seconds,
                EventsPerSecond = seconds > 0 ? fold.Events / seconds : 0,
                Progress = total == 0 ? 1 : (double)read / total,
            };
        }
    }

    [LoggerMessage(LogLevel.Information, "Rebuilt {Model} as generation {Generation}: {Events} events, {Rate:0} events/s")]
    private static partial void LogRebuilt(ILogger logger, ReadModel model, int generation, long events, double rate);

    [LoggerMessage(LogLevel.Information, "Rebuilding {Model}: {Count} events applied by live consumers since the rebuild started are read before the swap")]
    private static partial void LogCatchingUp(ILogger logger, ReadModel model, int count);

    [LoggerMessage(LogLevel.Error, "Rebuilding {Model} failed; the live generation stays")]
    private static partial void LogFailed(ILogger logger, ReadModel model, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Rebuilding {Model}: how it ended could not be stored")]
    private static partial void LogEndFailed(ILogger logger, ReadModel model, Exception exception);
}
