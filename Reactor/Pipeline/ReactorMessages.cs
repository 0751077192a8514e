using System.Text.Json;
using Confluent.Kafka;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Transactions;
using EventDriven.ServiceDefaults.Kafka;

namespace EventDriven.Reactor.Pipeline;

/// <summary>
/// What Reactor reads from Kafka, for the read-model and style handlers through the shared pipeline
/// (<see cref="KafkaConsumerService"/>): the account topics in their three styles and the ledger events. A rebuild
/// reads them the same way.
/// </summary>
public sealed class ReactorMessages : IMessageReader
{
    /// <summary>
    /// How many partitions apply at once. Each message waits on its own PostgreSQL commit; applying several partitions
    /// at once lets those commits share their flushes. Messages of one account stay in order (one partition per topic),
    /// and the rows two topics share (an account's overview) are locked while changed.
    /// </summary>
    public const int PartitionsInParallel = 8;

    public IReadOnlyList<string> Topics { get; } =
        [EventDriven.Contracts.Topics.AccountNotifications, EventDriven.Contracts.Topics.AccountDeltas, EventDriven.Contracts.Topics.AccountState, EventDriven.Contracts.Topics.TransactionEvents];

    public object Read(ConsumeResult<string, byte[]> result)
    {
        var type = CloudEventHeaders.TypeOf(result);
        var bytes = result.Message.Value ?? throw new JsonException("The message has no body.");
        return result.Topic switch
        {
            EventDriven.Contracts.Topics.AccountState => new AccountStateReceived(ContractJson.Read<AccountStateChanged>(bytes), bytes.Length),
            EventDriven.Contracts.Topics.AccountDeltas => new AccountDeltaReceived(ContractJson.Read<AccountDelta>(bytes), bytes.Length),
            EventDriven.Contracts.Topics.AccountNotifications => new AccountNotificationReceived(ContractJson.Read<AccountNotification>(bytes), bytes.Length),
            EventDriven.Contracts.Topics.TransactionEvents => new LedgerEventReceived(LedgerEventTypes.Deserialize(type, bytes)),
            var topic => throw new NotSupportedException($"Reactor does not read {topic}."),
        };
    }
}

// What the handlers consume (through MassTransit's mediator): the event read from the topic, and how many bytes it
// took on the wire (for comparing the three event styles).

public sealed record AccountStateReceived(AccountStateChanged Event, int Bytes);

public sealed record AccountDeltaReceived(AccountDelta Event, int Bytes);

public sealed record AccountNotificationReceived(AccountNotification Event, int Bytes);

public sealed record LedgerEventReceived(LedgerEvent Event);
