using EventDriven.ServiceDefaults.Postgres;
using EventDriven.KurrentDB.Client;
using EventDriven.Transactions.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace EventDriven.Transactions.Publishing;

/// <summary>
/// How far the publisher's checkpoint is behind the event store: <c>GET /status/publisher</c>.
/// </summary>
/// <param name="CheckpointPosition">The <c>$all</c> commit position up to which Kafka acknowledged every ledger event (null: none yet).</param>
/// <param name="CheckpointSavedAt">When the checkpoint was last written.</param>
/// <param name="EndPosition">The commit position of the last event in <c>$all</c> (null: the store is empty).</param>
/// <param name="PositionsBehind">End minus checkpoint, in log positions (bytes of the log in KurrentDB); non-ledger events count too.</param>
/// <param name="EventsBehind">Ledger events after the checkpoint (counted up to <see cref="PublisherStatusApi.CountLimit"/>).</param>
/// <param name="EventsBehindCapped">True when there are more than that.</param>
/// <param name="OldestUnpublishedSeconds">Age of the first ledger event after the checkpoint (null: none).</param>
/// <param name="Instance">The Transactions instance that answered (<c>{machine}:{process id}</c>); several may run.</param>
/// <param name="Leading">Whether that instance is the publisher now (one instance at a time holds the publisher's lock).</param>
public sealed record PublisherStatus(
    ulong? CheckpointPosition, DateTimeOffset? CheckpointSavedAt, ulong? EndPosition, ulong PositionsBehind,
    int EventsBehind, bool EventsBehindCapped, double? OldestUnpublishedSeconds, string Instance, bool Leading);

public static class PublisherStatusApi
{
    /// <summary>At most this many unpublished events are counted: a status call must stay cheap when the publisher is far behind.</summary>
    public const int CountLimit = 1000;

    public static RouteGroupBuilder MapPublisherStatus(this RouteGroupBuilder status)
    {
        status.MapGet("/publisher", GetPublisherStatus).WithName(nameof(GetPublisherStatus))
            .WithSummary("The publisher's checkpoint lag: positions and ledger events behind the end of $all, and the oldest unpublished event's age.");
        return status;
    }

    public static async Task<Ok<PublisherStatus>> GetPublisherStatus(PublisherLag lag, CancellationToken cancellationToken) =>
        TypedResults.Ok(await lag.ReadAsync(cancellationToken));
}

/// <summary>Compares the publisher's checkpoint with the event store: the end of <c>$all</c>, and the ledger events after the checkpoint.</summary>
public sealed class PublisherLag(KurrentDBClient client, PublisherCheckpoints checkpoints, IOptions<PublisherOptions> options, TimeProvider time)
{
    public async Task<PublisherStatus> ReadAsync(CancellationToken cancellationToken)
    {
        var checkpoint = await checkpoints.LoadWithTimeAsync(options.Value.CheckpointName, cancellationToken);
        ulong? end = null;
        await foreach (var last in client.ReadAllAsync(Direction.Backwards, Position.End, maxCount: 1, cancellationToken: cancellationToken))
        {
            end = last.OriginalPosition?.CommitPosition ?? last.Event.Position.CommitPosition;
        }

        // Ledger events after the checkpoint; a forward read from a position starts with the event at it (published).
        var behind = 0;
        DateTime? oldest = null;
        var from = checkpoint?.Position ?? Position.Start;
        await foreach (var resolved in client.ReadAllAsync(Direction.Forwards, from, maxCount: PublisherStatusApi.CountLimit + 2,
            filter: StreamFilter.Prefix(LedgerStore.StreamPrefix), cancellationToken: cancellationToken))
        {
            var position = resolved.OriginalPosition ?? resolved.Event.Position;
            if (checkpoint is { Position: var saved } && position <= saved)
            {
                continue;
            }

            oldest ??= resolved.Event.Created;
            behind++;
        }

        var at = checkpoint?.Position.CommitPosition;
        return new PublisherStatus(
            at, checkpoint?.SavedAt, end, end is { } e && e > (at ?? 0) ? e - (at ?? 0) : 0,
            Math.Min(behind, PublisherStatusApi.CountLimit), behind > PublisherStatusApi.CountLimit,
            oldest is { } first ? Math.Max(0, (time.GetUtcNow() - new DateTimeOffset(first, TimeSpan.Zero)).TotalSeconds) : null,
            PostgresLeadership.Instance, PostgresLeadership.Leads(LedgerPublisher.LeadershipLockKey));
    }
}
