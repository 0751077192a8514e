using Confluent.Kafka;
using EventDriven.Contracts;
using EventDriven.Contracts.Reactor;
using EventDriven.Contracts.Transactions;
using EventDriven.ServiceDefaults.Kafka;
using MassTransit.Mediator;

namespace EventDriven.Accounts.Choreography;

/// <summary>
/// Account's consumer group member: the shared pipeline (read → dispatch → retry → park, see
/// <see cref="KafkaConsumerService"/>) reading Reactor's alerts and Transactions' answers to closure requests for
/// <see cref="ChoreographyReactions"/>. Other events on those topics are not Account's business.
/// </summary>
public sealed class ChoreographyConsumer(
    IConsumer<string, byte[]> consumer,
    IMediator mediator,
    DeadLetterStore deadLetters,
    ILogger<ChoreographyConsumer> logger) : KafkaConsumerService(consumer, mediator, deadLetters, logger)
{
    public const string Group = "account";

    protected override string GroupId => Group;

    protected override IReadOnlyList<string> SubscribedTopics { get; } = [Topics.ReactorAlerts, Topics.TransactionEvents];

    protected override object? Read(ConsumeResult<string, byte[]> result) =>
        CloudEventHeaders.Read(result.Message.Headers, "ce_type") switch
        {
            ReactorEventTypes.AlertRaised => ContractJson.Read<AlertRaised>(result.Message.Value),
            LedgerEventTypes.ClosureSettled => ContractJson.Read<ClosureSettled>(result.Message.Value),
            LedgerEventTypes.ClosureRefused => ContractJson.Read<ClosureRefused>(result.Message.Value),
            _ => null,
        };
}
