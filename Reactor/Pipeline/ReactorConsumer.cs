using System.Text.Json;
using Confluent.Kafka;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Transactions;
using EventDriven.ServiceDefaults.Kafka;
using MassTransit.Mediator;

namespace EventDriven.Reactor.Pipeline;

/// <summary>
/// Reactor's consumer group member: the shared pipeline (read → dispatch → retry → park, see
/// <see cref="KafkaConsumerService"/>) reading the account and ledger topics into the messages the read-model and
/// style handlers consume.
/// </summary>
public sealed class ReactorConsumer(
    IConsumer<string, byte[]> consumer,
    IMediator mediator,
    DeadLetterStore deadLetters,
    ProjectionGate gate,
    ILogger<ReactorConsumer> logger) : KafkaConsumerService(consumer, mediator, deadLetters, logger)
{
    public const string Group = "reactor";

    protected override string GroupId => Group;

    protected override IReadOnlyList<string> SubscribedTopics { get; } = [Topics.AccountNotifications, Topics.AccountDeltas, Topics.AccountState, Topics.TransactionEvents];

    protected override SemaphoreSlim Gate => gate.Semaphore;

    /// <summary>
    /// Each message waits on its own PostgreSQL commit; applying several partitions at once lets those commits share
    /// their flushes. Messages of one account stay in order (one partition per topic), and the rows two topics share
    /// (an account's overview) are locked while changed.
    /// </summary>
    protected override int PartitionsInParallel => ProjectionGate.Lanes;

    protected override object Read(ConsumeResult<string, byte[]> result) => ReadMessage(result);

    /// <summary>A message of Reactor's topics as its handlers take it (also what a rebuild folds).</summary>
    public static object ReadMessage(ConsumeResult<string, byte[]> result)
    {
        var bytes = result.Message.Value ?? throw new JsonException("The message has no body.");
        return result.Topic switch
        {
            Topics.AccountState => new AccountStateReceived(ContractJson.Read<AccountStateChanged>(bytes), bytes.Length),
            Topics.AccountDeltas => new AccountDeltaReceived(ContractJson.Read<AccountDelta>(bytes), bytes.Length),
            Topics.AccountNotifications => new AccountNotificationReceived(ContractJson.Read<AccountNotification>(bytes), bytes.Length),
            Topics.TransactionEvents => new LedgerEventReceived(LedgerEventTypes.Deserialize(CloudEventHeaders.Read(result.Message.Headers, "ce_type"), bytes)),
            var topic => throw new NotSupportedException($"Reactor does not read {topic}."),
        };
    }
}

/// <summary>
/// Held by the live consumer around each message and the storing of its offset, one permit per message being applied; a rebuild takes
/// every permit to catch up and swap with no message half done.
/// </summary>
public sealed class ProjectionGate : IDisposable
{
    /// <summary>How many messages the live consumer applies at once.</summary>
    public const int Lanes = 8;

    private readonly SemaphoreSlim _pausing = new(1, 1);

    public SemaphoreSlim Semaphore { get; } = new(Lanes, Lanes);

    /// <summary>Waits until no message is being applied and holds the live consumer off until <see cref="Resume"/>.</summary>
    public async Task PauseAsync(CancellationToken cancellationToken)
    {
        await _pausing.WaitAsync(cancellationToken);
        var taken = 0;
        try
        {
            for (; taken < Lanes; taken++)
            {
                await Semaphore.WaitAsync(cancellationToken);
            }
        }
        catch
        {
            Semaphore.Release(taken);
            _pausing.Release();
            throw;
        }
    }

    public void Resume()
    {
        Semaphore.Release(Lanes);
        _pausing.Release();
    }

    public void Dispose()
    {
        Semaphore.Dispose();
        _pausing.Dispose();
    }
}
