using System.Diagnostics;
using System.Threading.Channels;
using Confluent.Kafka;
using EventDriven.Contracts;
using EventDriven.Contracts.Transactions;
using EventDriven.Reactor.Pipeline;
using EventDriven.Reactor.ReadModels;
using EventDriven.ServiceDefaults.Kafka;
using Npgsql;

namespace EventDriven.Reactor.Rebuild;

/// <summary>
/// Rebuilds a read model from Kafka without downtime: the topics are read from the beginning into memory (the same
/// row functions as the live consumer), up to where the live consumer has committed; then, with the live consumer
/// paused for a moment, the rest is read, the rows and their inbox records are copied in bulk into a new generation's
/// table, and the read model's view is swapped to it in one transaction. Queries read the old table until the swap.
/// A hosted worker: the API asks for a rebuild (<see cref="TryStart"/>), the worker runs it on the host's lifetime.
/// </summary>
public sealed partial class ReadModelRebuilder(
    NpgsqlDataSource dataSource,
    [FromKeyedServices(ReadModelRebuilder.ConsumerKey)] IConsumer<string, byte[]> consumer,
    IConsumer<string, byte[]> live,
    ReadModelGenerations generations,
    ConsumerGate gate,
    IMessageReader reader,
    TimeProvider time,
    ILogger<ReadModelRebuilder> logger) : BackgroundService
{
    /// <summary>The rebuild's own consumer (ServiceDefaults'): partitions assigned, nothing committed, no spans.</summary>
    public const string ConsumerKey = "reactor-rebuild";

    private static readonly TimeSpan BrokerTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(30);
    private readonly Channel<ReadModel> _requests = Channel.CreateBounded<ReadModel>(1);
    private readonly Lock _lock = new();
    private bool _busy;

    public RebuildStatus? Last { get; private set; }

    /// <summary>Asks the worker for a rebuild; false when one is already asked for or running.</summary>
    public bool TryStart(ReadModel model)
    {
        lock (_lock)
        {
            if (_busy)
            {
                return false;
            }

            var previous = Last;
            Last = new RebuildStatus(model, generations.Live(model) + 1, "running", 0, 0, 0, time.GetUtcNow(), null, null, 0);
            if (!_requests.Writer.TryWrite(model))
            {
                Last = previous;
                return false;
            }

            _busy = true;
            return true;
        }
    }

    /// <summary>Runs the asked-for rebuilds one at a time, on the host's lifetime: a shutdown stops a rebuild, and the live generation stays.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var model in _requests.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    Last = await RebuildAsync(model, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    Last = Last! with { State = "stopped", Error = "The service stopped; the live generation stays.", FinishedAt = time.GetUtcNow() };
                    throw;
                }
                catch (Exception exception)
                {
                    LogFailed(logger, model, exception);
                    Last = Last! with { State = "failed", Error = exception.Message, FinishedAt = time.GetUtcNow() };
                }
                finally
                {
                    lock (_lock)
                    {
                        _busy = false;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public async Task<RebuildStatus> RebuildAsync(ReadModel model, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var watch = Stopwatch.StartNew();
        var fold = new Fold(model, reader);
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var partitions = Topics(model)
            .SelectMany(topic => admin.GetMetadata(topic, BrokerTimeout).Topics.Single().Partitions.Select(p => new TopicPartition(topic, p.PartitionId)))
            .ToList();

        // Most of the work, while the live consumer carries on: everything up to the topics' current ends.
        var watermarks = partitions.ToDictionary(p => p, p => consumer.QueryWatermarkOffsets(p, BrokerTimeout));
        var ends = watermarks.ToDictionary(w => w.Key, w => w.Value.High.Value);
        // What the topic still holds starts at the low watermark (the mock broker, and retention, drop older messages).
        var next = watermarks.ToDictionary(w => w.Key, w => w.Value.Low.Value);
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning)));
        var progress = new Progress(this, model, next, ends, fold, watch);
        try
        {
            ReadUpTo(consumer, ends, next, fold, progress.Report, cancellationToken);
            await gate.PauseAsync(cancellationToken);
            try
            {
                // The live consumer is between messages: read up to what it has committed (or further, where it lags:
                // those events go into the new inbox, so it skips them after the swap).
                // Asked of the live consumer itself, so that it is its group's, whatever group is configured, after it
                // committed every offset it stored (librdkafka commits them only every second by itself).
                CommitStored();
                var committed = live.Committed(partitions, BrokerTimeout).ToDictionary(o => o.TopicPartition, o => Math.Max(0, o.Offset.Value));
                ReadUpTo(consumer, partitions.ToDictionary(p => p, p => Math.Max(ends[p], committed[p])), next, fold, progress.Report, cancellationToken);
                var generation = generations.Live(model) + 1;
                await SwapAsync(model, generation, fold, watch.Elapsed, cancellationToken);
                generations.Set(model, generation);
                var status = new RebuildStatus(model, generation, "done", fold.Events, watch.Elapsed.TotalSeconds, fold.Events / watch.Elapsed.TotalSeconds, started, time.GetUtcNow(), null, 1);
                LogRebuilt(logger, model, generation, fold.Events, status.EventsPerSecond);
                return status;
            }
            finally
            {
                gate.Resume();
            }
        }
        finally
        {
            // The consumer stays for the next rebuild, reading nothing meanwhile.
            consumer.Unassign();
        }
    }

    private static IReadOnlyList<string> Topics(ReadModel model) =>
        model == ReadModel.AccountOverview ? [EventDriven.Contracts.Topics.AccountState, EventDriven.Contracts.Topics.TransactionEvents] : [EventDriven.Contracts.Topics.TransactionEvents];

    private void CommitStored()
    {
        try
        {
            live.Commit();
        }
        catch (KafkaException exception) when (exception.Error.Code == ErrorCode.Local_NoOffset)
        {
            // Nothing applied since the last commit.
        }
    }

    private static void ReadUpTo(
        IConsumer<string, byte[]> consumer, Dictionary<TopicPartition, long> targets, Dictionary<TopicPartition, long> next, Fold fold, Action report, CancellationToken cancellationToken)
    {
        var lastProgress = Stopwatch.StartNew();
        while (targets.Any(t => next[t.Key] < t.Value))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (consumer.Consume(TimeSpan.FromSeconds(1)) is not { } result)
            {
                // Never wait for ever (the live consumer may be paused behind this): fail, and the live generation stays.
                if (lastProgress.Elapsed > StallTimeout)
                {
                    throw new TimeoutException($"No message for {StallTimeout.TotalSeconds:0} s while partitions were not read to their targets.");
                }

                continue;
            }

            // Everything read is folded, also past a partition's target: the live consumer may apply and commit those
            // meanwhile, and they are in the new generation's inbox, so after the swap it skips them.
            next[result.TopicPartition] = result.Offset.Value + 1;
            fold.Add(result);
            report();
            if (result.Offset.Value < targets[result.TopicPartition])
            {
                lastProgress.Restart();
            }
        }
    }

    /// <summary>
    /// A running rebuild's progress in <see cref="Last"/>, a few times a second: events folded, and the share of the
    /// messages the topics held when it started (their ends then) that has been read.
    /// </summary>
    private sealed class Progress(ReadModelRebuilder rebuilder, ReadModel model, Dictionary<TopicPartition, long> next, Dictionary<TopicPartition, long> ends, Fold fold, Stopwatch watch)
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

    private async Task SwapAsync(ReadModel model, int generation, Fold fold, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        var name = ReadModelSchema.Name(model);
        var table = ReadModelSchema.Table(model, generation);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, $"DROP TABLE IF EXISTS {table}; DELETE FROM inbox WHERE model = '{name}' AND generation = {generation}; {ReadModelSchema.CreateTable(model, generation)}", cancellationToken);
        var (columns, rows) = fold.Rows();
        await ReadModelRowsSql.CopyAsync(connection, table, columns, rows, cancellationToken);
        await ReadModelRowsSql.CopyAsync(connection, "inbox", "model, generation, event_id", fold.Seen.Select(id => new object?[] { name, generation, id }), cancellationToken);
        var old = generation - 1;
        await ExecuteAsync(connection, transaction, $"""
            CREATE OR REPLACE VIEW {name} AS SELECT * FROM {table};
            UPDATE read_models SET generation = {generation}, rebuilt_at = now(), rebuild_events = {fold.Events},
                rebuild_events_per_second = {(fold.Events / elapsed.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)} WHERE name = '{name}';
            DELETE FROM inbox WHERE model = '{name}' AND generation = {old};
            DROP TABLE IF EXISTS {ReadModelSchema.Table(model, old)};
            """, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A read model folded in memory from the topics; each event id counts once.</summary>
    private sealed class Fold(ReadModel model, IMessageReader reader)
    {
        private readonly Dictionary<Guid, AccountOverview> _overviews = [];
        private readonly Dictionary<(Guid, long), HistoryLine> _history = [];
        private readonly Dictionary<(DateOnly, string), DailyTotal> _totals = [];

        public HashSet<Guid> Seen { get; } = [];

        public long Events { get; private set; }

        public void Add(ConsumeResult<string, byte[]> result)
        {
            object message;
            try
            {
                message = reader.Read(result)!;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return; // The live consumer dead-lettered it; the rebuild skips it the same way.
            }

            Events++;
            switch (model, message)
            {
                case (ReadModel.AccountOverview, AccountStateReceived { Event: var changed }) when Seen.Add(changed.EventId):
                    _overviews[changed.AccountId] = Overview(changed.AccountId).Apply(changed);
                    break;
                case (ReadModel.AccountOverview, LedgerEventReceived { Event: var e }) when Seen.Add(e.EventId):
                    _overviews[e.AccountId] = Overview(e.AccountId).Apply(e);
                    break;
                case (ReadModel.TransactionHistory, LedgerEventReceived { Event: var e }) when HistoryLine.From(e) is { } line && Seen.Add(e.EventId):
                    _history.TryAdd((line.AccountId, line.Version), line);
                    break;
                case (ReadModel.DailyTotals, LedgerEventReceived { Event: var e }) when DailyTotal.KeyOf(e) is var (day, currency) && Seen.Add(e.EventId):
                    _totals[(day, currency)] = (_totals.GetValueOrDefault((day, currency)) ?? new DailyTotal(day, currency, 0m, 0m, 0m, 0)).Apply(e);
                    break;
            }
        }

        public (string Columns, IEnumerable<object?[]> Rows) Rows() => model switch
        {
            ReadModel.AccountOverview => (ReadModelRowsSql.OverviewColumns, _overviews.Values.Select(ReadModelRowsSql.Values)),
            ReadModel.TransactionHistory => (ReadModelRowsSql.HistoryColumns, _history.Values.Select(ReadModelRowsSql.Values)),
            _ => (ReadModelRowsSql.TotalsColumns, _totals.Values.Select(ReadModelRowsSql.Values)),
        };

        private AccountOverview Overview(Guid accountId) => _overviews.GetValueOrDefault(accountId) ?? AccountOverview.Empty(accountId);
    }

    [LoggerMessage(LogLevel.Information, "Rebuilt {Model} as generation {Generation}: {Events} events, {Rate:0} events/s")]
    private static partial void LogRebuilt(ILogger logger, ReadModel model, int generation, long events, double rate);

    [LoggerMessage(LogLevel.Error, "Rebuilding {Model} failed; the live generation stays")]
    private static partial void LogFailed(ILogger logger, ReadModel model, Exception exception);
}

/// <param name="Progress">
/// Of the messages the topics held when the rebuild started, the share read so far (0 to 1; a running rebuild updates
/// it, with <paramref name="Events"/>, a few times a second); 1 once done.
/// </param>
public sealed record RebuildStatus(
    ReadModel Model, int Generation, string State, long Events, double Seconds, double EventsPerSecond, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt,
    string? Error, double Progress);
