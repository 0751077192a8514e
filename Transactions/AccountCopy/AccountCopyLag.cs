using Confluent.Kafka;
using EventDriven.Contracts;
using EventDriven.ServiceDefaults.Status;

namespace EventDriven.Transactions.AccountCopy;

/// <summary>
/// The account copy's lag on <c>accounts.state</c>: its offsets are rows in PostgreSQL (committed with the copy), so
/// they stand where a group's committed offsets would; watermarks and position come from its own consumer.
/// </summary>
public sealed class AccountCopyLag(
    [FromKeyedServices(AccountStateConsumer.ServiceKey)] IConsumer<string, byte[]> consumer, AccountCopyStore copy) : IConsumerLagSource
{
    public async Task<ConsumerLag> ReadAsync(CancellationToken cancellationToken)
    {
        var stored = (await copy.LoadOffsetsAsync(Topics.AccountState, cancellationToken)).ToDictionary(o => o.TopicPartition, o => o.Offset.Value);
        return await PartitionLags.Ask(() =>
        {
            var lags = PartitionLags.Measure(consumer, PartitionLags.PartitionsOf(consumer, [Topics.AccountState]), stored);
            return new ConsumerLag("account-copy", AccountStateConsumer.GroupId, lags.Sum(l => l.Lag), lags);
        }, cancellationToken);
    }
}
