using System.Text.Json;
using EventDriven.Transactions.Domain;

namespace EventDriven.Transactions.Storage;

/// <summary>
/// Stored shape 1: until the ledger had events of its own, each event was stored exactly as it was published, the
/// contract's JSON under its <c>ce_type</c> (<c>ledger.money-deposited.v1</c>…) with the envelope (<c>eventId</c>,
/// <c>accountId</c>, <c>version</c>, <c>occurredAt</c>) in the data. Streams written then are read through this
/// mapping, written down here once, so that they load whatever the contract becomes. Nothing writes this shape any more.
/// </summary>
public static class StoredLedgerEventsV1
{
    public const string Opened = "ledger.opened.v1";
    public const string MoneyDeposited = "ledger.money-deposited.v1";
    public const string MoneyWithdrawn = "ledger.money-withdrawn.v1";
    public const string TransferDebited = "ledger.transfer-debited.v1";
    public const string TransferCredited = "ledger.transfer-credited.v1";
    public const string TransferDeclined = "ledger.transfer-declined.v1";
    public const string TransferCompleted = "ledger.transfer-completed.v1";
    public const string TransferRefunded = "ledger.transfer-refunded.v1";
    public const string ClosureSettled = "ledger.closure-settled.v1";
    public const string ClosureRefused = "ledger.closure-refused.v1";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The shape-1 name of a domain event (event ids are still derived from it).</summary>
    public static string TypeOf(LedgerEvent @event) => @event switch
    {
        LedgerEvents.Opened => Opened,
        LedgerEvents.MoneyDeposited => MoneyDeposited,
        LedgerEvents.MoneyWithdrawn => MoneyWithdrawn,
        LedgerEvents.TransferDebited => TransferDebited,
        LedgerEvents.TransferCredited => TransferCredited,
        LedgerEvents.TransferDeclined => TransferDeclined,
        LedgerEvents.TransferCompleted => TransferCompleted,
        LedgerEvents.TransferRefunded => TransferRefunded,
        LedgerEvents.ClosureSettled => ClosureSettled,
        LedgerEvents.ClosureRefused => ClosureRefused,
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "Not a ledger event."),
    };

    /// <summary>
    /// A shape-1 event as the domain event with its envelope. The id and version are the stored event's own (they
    /// were written equal to the ones in the data); the time is the one in the data.
    /// </summary>
    public static RecordedLedgerEvent Deserialize(string type, ReadOnlySpan<byte> data, Guid eventId, Guid accountId, long version)
    {
        var v1 = JsonSerializer.Deserialize<Fields>(data, Json) ?? throw new JsonException($"A {type} without data.");
        LedgerEvent @event = type switch
        {
            Opened => new LedgerEvents.Opened(Required(v1.Currency)),
            MoneyDeposited => new LedgerEvents.MoneyDeposited(Required(v1.TransactionId), Required(v1.Amount), Required(v1.Currency), Required(v1.BalanceAfter)),
            MoneyWithdrawn => new LedgerEvents.MoneyWithdrawn(Required(v1.TransactionId), Required(v1.Amount), Required(v1.Currency), Required(v1.BalanceAfter)),
            TransferDebited => new LedgerEvents.TransferDebited(Required(v1.TransactionId), Required(v1.Amount), Required(v1.Currency), Required(v1.BalanceAfter), Required(v1.ToAccountId)),
            TransferCredited => new LedgerEvents.TransferCredited(Required(v1.TransactionId), Required(v1.Amount), Required(v1.Currency), Required(v1.BalanceAfter), Required(v1.FromAccountId)),
            TransferDeclined => new LedgerEvents.TransferDeclined(Required(v1.TransactionId), Required(v1.Amount), Required(v1.Currency), Required(v1.BalanceAfter), Required(v1.FromAccountId), Required(v1.Reason)),
            TransferCompleted => new LedgerEvents.TransferCompleted(Required(v1.TransactionId), Required(v1.Amount), Required(v1.Currency), Required(v1.BalanceAfter), Required(v1.ToAccountId)),
            TransferRefunded => new LedgerEvents.TransferRefunded(Required(v1.TransactionId), Required(v1.Amount), Required(v1.Currency), Required(v1.BalanceAfter), Required(v1.ToAccountId), Required(v1.Reason)),
            ClosureSettled => new LedgerEvents.ClosureSettled(Required(v1.ClosureRequestId)),
            ClosureRefused => new LedgerEvents.ClosureRefused(Required(v1.ClosureRequestId), Required(v1.Reason)),
            _ => throw new JsonException($"'{type}' is not a ledger event type."),
        };
        return new RecordedLedgerEvent(eventId, accountId, version, Required(v1.OccurredAt), @event);
    }

    private static T Required<T>(T? value) where T : struct => value ?? throw new JsonException($"A stored ledger event misses a {typeof(T).Name}.");

    private static string Required(string? value) => value ?? throw new JsonException("A stored ledger event misses a text field.");

    /// <summary>Every field any shape-1 event had; each event type reads the ones it had.</summary>
    private sealed record Fields(
        DateTimeOffset? OccurredAt,
        Guid? TransactionId,
        decimal? Amount,
        string? Currency,
        decimal? BalanceAfter,
        Guid? ToAccountId,
        Guid? FromAccountId,
        string? Reason,
        Guid? ClosureRequestId);
}
