using Confluent.Kafka;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Transactions;
using EventDriven.ServiceDefaults.Kafka;
using MassTransit.Mediator;

namespace EventDriven.Transactions.Choreography;

/// <summary>
/// Transactions' consumer group member: the shared pipeline (read → dispatch → retry → park, see
/// <see cref="KafkaConsumerService"/>) reading the steps of <see cref="LedgerChoreography"/> from the ledger and account
/// topics. Other events on those topics are not its business.
/// </summary>
public sealed class ChoreographyConsumer(
    IConsumer<string, byte[]> consumer,
    IMediator mediator,
    DeadLetterStore deadLetters,
    ILogger<ChoreographyConsumer> logger) : KafkaConsumerService(consumer, mediator, deadLetters, logger)
{
    public const string Group = "transactions";

    protected override string GroupId => Group;

    protected override IReadOnlyList<string> SubscribedTopics { get; } = [Topics.TransactionEvents, Topics.AccountState];

    /// <summary>
    /// Every partition of both topics at once: each step waits on its own append, and a transfer is three steps. Two
    /// steps on one ledger from different partitions (a credit to an account while its own debit is handled) meet at
    /// the ledger's expected revision, and the later one is decided again.
    /// </summary>
    protected override int PartitionsInParallel => 6;

    protected override object? Read(ConsumeResult<string, byte[]> result) =>
        CloudEventHeaders.Read(result.Message.Headers, "ce_type") switch
        {
            LedgerEventTypes.TransferDebited => ContractJson.Read<TransferDebited>(result.Message.Value),
            LedgerEventTypes.TransferCredited => ContractJson.Read<TransferCredited>(result.Message.Value),
            AccountEventTypes.ClosureRequested => new ClosureRequested(ContractJson.Read<AccountStateChanged>(result.Message.Value)),
            _ => null,
        };
}
