using EventDriven.ServiceDefaults.Postgres;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EventDriven.Accounts.Relay;

/// <summary>
/// What is stored but not yet published, and how far behind the relay is: <c>GET /status/outbox</c>.
/// </summary>
/// <param name="RelayMode">The relay this service runs (cdc, polling, none).</param>
/// <param name="Backlog">
/// Outbox rows. The polling relay deletes a row in the transaction that relayed it, so these are exactly the rows not
/// yet relayed; the CDC relay clears relayed rows about once a second, so in CDC mode they include up to a second's
/// relayed rows.
/// </param>
/// <param name="OldestSeconds">Age of the oldest outbox row (null when there is none): grows while the relay is stuck.</param>
/// <param name="SlotLagBytes">CDC: WAL the relay's replication slot has not confirmed (null without a slot).</param>
/// <param name="LastRelayed">The message this instance relayed last (null when it has relayed nothing since it started, or another instance relays).</param>
/// <param name="Instance">The Account instance that answered (<c>{machine}:{process id}</c>); several may run.</param>
/// <param name="Leading">Whether that instance is the relay now (one instance at a time holds the relay's lock).</param>
public sealed record OutboxStatus(string RelayMode, long Backlog, double? OldestSeconds, long? SlotLagBytes, RelayedMessage? LastRelayed, string Instance, bool Leading);

/// <summary>Reads the outbox status: the backlog from the table and the slot, the last relay from this instance's publisher.</summary>
public sealed class OutboxStatusReader(NpgsqlDataSource dataSource, OutboxPublisher publisher, IOptions<RelayOptions> options)
{
    public async Task<OutboxStatus> ReadAsync(CancellationToken cancellationToken)
    {
        var backlog = await OutboxBacklog.SampleAsync(dataSource, options.Value.SlotName, cancellationToken);
        return new OutboxStatus(options.Value.Mode.ToString().ToLowerInvariant(), backlog.Rows, backlog.OldestSeconds, backlog.SlotLagBytes, publisher.Last,
            PostgresLeadership.Instance, PostgresLeadership.Leads(RelayOptions.LeadershipLockKey));
    }
}

public static class OutboxStatusApi
{
    public static RouteGroupBuilder MapOutboxStatus(this RouteGroupBuilder status)
    {
        status.MapGet("/outbox", GetOutboxStatus).WithName(nameof(GetOutboxStatus))
            .WithSummary("The outbox backlog (rows, oldest age), the CDC slot's unconfirmed WAL, and the last relay lag.");
        return status;
    }

    public static async Task<Ok<OutboxStatus>> GetOutboxStatus(OutboxStatusReader reader, CancellationToken cancellationToken) =>
        TypedResults.Ok(await reader.ReadAsync(cancellationToken));
}
