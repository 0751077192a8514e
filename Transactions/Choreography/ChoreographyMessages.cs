using Confluent.Kafka;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Transactions;
using EventDriven.ServiceDefaults.Kafka;

namespace EventDriven.Transactions.Choreography;

/// <summary>
/// What Transactions' choreography reads from Kafka, for <see cref="LedgerChoreography"/> through the shared pipeline
/// (<see cref="KafkaConsumerService"/>): debits and credits of transfers, and closure requests. Other events on those
/// topics are not its business.
/// </summary>
public sealed class ChoreographyMessages : IMessageReader
{
    /// <summary>
    /// Every partition of both topics at once: each step waits on its own append, and a transfer is three steps. Two
    /// steps on one ledger from different partitions (a credit to an account while its own debit is handled) meet at
    /// the ledger's expected revision, and the later one is decided again.
    /// </summary>
    public const int PartitionsInParallel = 6;

    public IReadOnlyList<string> Topics { get; } = [EventDriven.Contracts.Topics.TransactionEvents, EventDriven.Contracts.Topics.AccountState];

    public object? Read(ConsumeResult<string, byte[]> result) =>
        CloudEventHeaders.TypeOf(result) switch
        {
            LedgerEventTypes.TransferDebited => ContractJson.Read<TransferDebited>(result.Message.Value),
            LedgerEventTypes.TransferCredited => ContractJson.Read<TransferCredited>(result.Message.Value),
            AccountEventTypes.ClosureRequested => new ClosureRequested(ContractJson.Read<AccountStateChanged>(result.Message.Value)),
            _ => null,
        };
}
