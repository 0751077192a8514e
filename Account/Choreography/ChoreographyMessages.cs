using Confluent.Kafka;
using EventDriven.Contracts;
using EventDriven.Contracts.Reactor;
using EventDriven.Contracts.Transactions;
using EventDriven.ServiceDefaults.Kafka;

namespace EventDriven.Accounts.Choreography;

/// <summary>
/// What Account reads from Kafka, for <see cref="ChoreographyReactions"/> through the shared pipeline
/// (<see cref="KafkaConsumerService"/>): Reactor's alerts and Transactions' answers to closure requests. Other events
/// on those topics are not Account's business.
/// </summary>
public sealed class ChoreographyMessages : IMessageReader
{
    public IReadOnlyList<string> Topics { get; } = [EventDriven.Contracts.Topics.ReactorAlerts, EventDriven.Contracts.Topics.TransactionEvents];

    public object? Read(ConsumeResult<string, byte[]> result) =>
        CloudEventHeaders.TypeOf(result) switch
        {
            ReactorEventTypes.AlertRaised => ContractJson.Read<AlertRaised>(result.Message.Value),
            LedgerEventTypes.ClosureSettled => ContractJson.Read<ClosureSettled>(result.Message.Value),
            LedgerEventTypes.ClosureRefused => ContractJson.Read<ClosureRefused>(result.Message.Value),
            _ => null,
        };
}
