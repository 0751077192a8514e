using System.Text.Json;
using System.Text.Json.Serialization;
using EventDriven.KurrentDB.Client;
using EventDriven.Transactions.Domain;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EventDriven.Transactions.Storage;

/// <summary>
/// Ledgers in KurrentDB, one stream per account. A ledger is loaded from its latest snapshot (PostgreSQL) plus the
/// events after it, and kept in memory; each later load reads only the events after the version it holds (other
/// instances may have appended). Appends name the revision they expect, so a ledger another instance changed in the
/// meantime is never overwritten: the append fails and the caller decides again on the caught-up ledger. The store
/// gives each domain event its envelope (id, version, time; see <see cref="LedgerEventSerializer"/> for the stored shape).
/// </summary>
public sealed partial class LedgerStore(
    KurrentDBClient client,
    NpgsqlDataSource database,
    IMemoryCache cache,
    PendingSnapshots snapshots,
    TimeProvider time,
    IOptions<LedgerOptions> options,
    ILogger<LedgerStore> logger)
{
    public const string StreamPrefix = "ledger-";

    /// <summary>
    /// The shape of a serialised <see cref="Ledger"/>. Raise it whenever the ledger's fields or entry keys change
    /// meaning (2: incoming transfers keyed by transaction and source): older snapshots are then ignored, not misread.
    /// The ledger's events becoming the domain's own changed neither, so format 2 snapshots still load.
    /// </summary>
    public const int SnapshotFormat = 2;

    /// <summary>The snapshots' JSON: the store's own, equal to what format 2 was written with, whatever the wire's becomes.</summary>
    private static readonly JsonSerializerOptions SnapshotJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
    private readonly LedgerOptions _options = options.Value;

    public static string StreamName(Guid accountId) => $"{StreamPrefix}{accountId}";

    /// <summary>The account id of a ledger stream, or null for other streams.</summary>
    public static Guid? AccountIdOf(string streamName) =>
        streamName.StartsWith(StreamPrefix, StringComparison.Ordinal) && Guid.TryParse(streamName.AsSpan(StreamPrefix.Length), out var id) ? id : null;

    public async Task<Ledger> LoadAsync(Guid accountId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue<Cached>(accountId, out var cached))
        {
            // Another instance may have appended since: read whatever follows the cached version (usually nothing).
            var current = await CatchUpAsync(cached!.Ledger, cancellationToken);
            if (current.Version != cached.Ledger.Version)
            {
                Remember(current, cached.SnapshotVersion);
            }

            return current;
        }

        var snapshot = await LoadSnapshotAsync(accountId, cancellationToken);
        var ledger = await CatchUpAsync(snapshot ?? Ledger.Empty(accountId), cancellationToken);
        Remember(ledger, snapshot?.Version ?? 0);
        return ledger;
    }

    /// <summary>Loads a ledger from its events alone, ignoring snapshots and the cache (the benchmark's yardstick).</summary>
    public Task<Ledger> LoadFromEventsAsync(Guid accountId, CancellationToken cancellationToken) =>
        CatchUpAsync(Ledger.Empty(accountId), cancellationToken);

    /// <summary>The ledger with every event after its version applied.</summary>
    public async Task<Ledger> CatchUpAsync(Ledger ledger, CancellationToken cancellationToken)
    {
        var read = client.ReadStreamAsync(Direction.Forwards, StreamName(ledger.AccountId), new StreamPosition((ulong)ledger.Version), cancellationToken: cancellationToken);
        if (await read.ReadState == ReadState.StreamNotFound)
        {
            return ledger;
        }

        var folded = ledger;
        await foreach (var resolved in read)
        {
            var recorded = LedgerEventSerializer.Deserialize(resolved.Event);
            if (recorded.Version != folded.Version + 1)
            {
                throw new InvalidOperationException($"Ledger {ledger.AccountId} at version {folded.Version} read version {recorded.Version} next.");
            }

            folded = Ledger.Evolve(folded, recorded.Event);
        }

        return folded;
    }

    /// <summary>
    /// Appends a decision's events if the ledger is still at the version it was decided on, and returns them as
    /// recorded; throws <see cref="WrongExpectedVersionException"/> when it is not, and the caller decides again on the
    /// caught-up ledger.
    /// </summary>
    public Task<IReadOnlyList<RecordedLedgerEvent>> AppendAsync(Ledger ledger, IReadOnlyList<LedgerEvent> events, CancellationToken cancellationToken) =>
        AppendAsync(ledger, events, actor: null, cancellationToken);

    /// <summary>As <see cref="AppendAsync(Ledger, IReadOnlyList{LedgerEvent}, CancellationToken)"/>, each event recording who asked (<paramref name="actor"/>).</summary>
    public async Task<IReadOnlyList<RecordedLedgerEvent>> AppendAsync(Ledger ledger, IReadOnlyList<LedgerEvent> events, string? actor, CancellationToken cancellationToken)
    {
        // KurrentDB counts a stream's revisions from 0, the ledger its versions from 1.
        var expected = ledger.Version == 0 ? StreamState.NoStream : StreamState.StreamRevision((ulong)(ledger.Version - 1));
        var now = time.GetUtcNow();
        var recorded = events.Select((e, i) => new RecordedLedgerEvent(LedgerEventSerializer.EventId(ledger.AccountId, e), ledger.AccountId, ledger.Version + 1 + i, now, e, actor)).ToList();
        try
        {
            await client.AppendToStreamAsync(StreamName(ledger.AccountId), expected, recorded.Select(LedgerEventSerializer.ToEventData), cancellationToken: cancellationToken);
        }
        catch (WrongExpectedVersionException)
        {
            cache.Remove(ledger.AccountId);
            throw;
        }

        var after = Ledger.Fold(ledger, events);
        var snapshotVersion = cache.TryGetValue<Cached>(ledger.AccountId, out var cached) ? cached!.SnapshotVersion : 0;
        if (after.Version - snapshotVersion >= _options.SnapshotEvery)
        {
            // Off the command's path, by the hosted writer; a skipped snapshot is asked for again SnapshotEvery events later.
            snapshotVersion = after.Version;
            if (!snapshots.TryEnqueue(after))
            {
                LogSnapshotSkipped(logger, after.AccountId, after.Version);
            }
        }

        Remember(after, snapshotVersion);
        return recorded;
    }

    /// <summary>The event that recorded a ledger version (for answering a repeated command as it was first answered).</summary>
    public async Task<RecordedLedgerEvent> ReadEventAsync(Guid accountId, long version, CancellationToken cancellationToken)
    {
        await foreach (var resolved in client.ReadStreamAsync(Direction.Forwards, StreamName(accountId), new StreamPosition((ulong)(version - 1)), maxCount: 1, cancellationToken: cancellationToken))
        {
            return LedgerEventSerializer.Deserialize(resolved.Event);
        }

        throw new InvalidOperationException($"Ledger {accountId} has no version {version}.");
    }

    /// <summary>Up to <paramref name="count"/> events, newest first, before <paramref name="beforeVersion"/> (exclusive; null: from the end).</summary>
    public async Task<IReadOnlyList<RecordedLedgerEvent>> HistoryAsync(Guid accountId, long? beforeVersion, int count, CancellationToken cancellationToken)
    {
        if (beforeVersion <= 1)
        {
            return [];
        }

        var from = beforeVersion is { } before ? new StreamPosition((ulong)(before - 2)) : StreamPosition.End;
        var read = client.ReadStreamAsync(Direction.Backwards, StreamName(accountId), from, count, cancellationToken: cancellationToken);
        if (await read.ReadState == ReadState.StreamNotFound)
        {
            return [];
        }

        var events = new List<RecordedLedgerEvent>(count);
        await foreach (var resolved in read)
        {
            events.Add(LedgerEventSerializer.Deserialize(resolved.Event));
        }

        return events;
    }

    /// <summary>
    /// Writes a snapshot now (<see cref="LedgerSnapshotWriter"/> for the store, which asks for one every
    /// <see cref="LedgerOptions.SnapshotEvery"/> events; the benchmark and tests directly).
    /// </summary>
    public async Task SaveSnapshotAsync(Ledger ledger, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = database.CreateCommand("""
                INSERT INTO ledger_snapshots (account_id, version, state, taken_at, format) VALUES ($1, $2, $3, now(), $4)
                ON CONFLICT (account_id) DO UPDATE SET version = excluded.version, state = excluded.state, taken_at = excluded.taken_at, format = excluded.format
                WHERE ledger_snapshots.version < excluded.version OR ledger_snapshots.format <> excluded.format
                """);
            command.Parameters.Add(new() { Value = ledger.AccountId });
            command.Parameters.Add(new() { Value = ledger.Version });
            command.Parameters.Add(new() { Value = JsonSerializer.SerializeToUtf8Bytes(ledger, SnapshotJson) });
            command.Parameters.Add(new() { Value = SnapshotFormat });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A snapshot only saves reading time; the events remain the truth.
            LogSnapshotFailed(logger, ledger.AccountId, ledger.Version, exception);
        }
    }

    private async Task<Ledger?> LoadSnapshotAsync(Guid accountId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT state FROM ledger_snapshots WHERE account_id = $1 AND format = $2");
        command.Parameters.Add(new() { Value = accountId });
        command.Parameters.Add(new() { Value = SnapshotFormat });
        return await command.ExecuteScalarAsync(cancellationToken) is byte[] state
            ? JsonSerializer.Deserialize<Ledger>(state, SnapshotJson)
            : null;
    }

    private void Remember(Ledger ledger, long snapshotVersion) =>
        cache.Set(ledger.AccountId, new Cached(ledger, snapshotVersion), new MemoryCacheEntryOptions { Size = 1 + ledger.Entries.Count });

    private sealed record Cached(Ledger Ledger, long SnapshotVersion);

    [LoggerMessage(LogLevel.Information, "The snapshot queue is full; ledger {AccountId} is not snapshotted at version {Version}")]
    private static partial void LogSnapshotSkipped(ILogger logger, Guid accountId, long version);

    [LoggerMessage(LogLevel.Warning, "Saving the snapshot of ledger {AccountId} at version {Version} failed")]
    private static partial void LogSnapshotFailed(ILogger logger, Guid accountId, long version, Exception exception);
}

/// <summary>Bound from <c>Transactions:Ledger</c>.</summary>
public sealed class LedgerOptions
{
    /// <summary>A snapshot is written when a ledger has grown this many events past its last one.</summary>
    public int SnapshotEvery { get; set; } = 1000;

    /// <summary>How often a command is decided again after another writer changed the ledger first.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>How many ledger entries (about one per transaction) the in-memory cache holds before evicting ledgers.</summary>
    public long CacheSize { get; set; } = 2_000_000;
}
