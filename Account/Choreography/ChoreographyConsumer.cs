using System.Text.Json;
using Confluent.Kafka;
using EventDriven.Accounts.Domain;
using EventDriven.Accounts.Features;
using EventDriven.Contracts;
using EventDriven.Contracts.Reactor;
using EventDriven.Contracts.Transactions;
using EventDriven.ServiceDefaults.Kafka;

namespace EventDriven.Accounts.Choreography;

/// <summary>
/// Account's part in the choreography, no orchestrator: Reactor's alerts freeze an account; Transactions' answers to a
/// closure request close it or return it to where it was. Each event runs as a command whose idempotency key is the
/// event's id, so a redelivery replays instead of re-applying; the offset is committed only after PostgreSQL committed.
/// A message that cannot be read goes to its topic's dead-letter topic, and the consumer moves on.
/// </summary>
public sealed partial class ChoreographyConsumer(
    IConsumer<string, byte[]> consumer,
    IProducer<string, byte[]> producer,
    AccountCommandHandler handler,
    ILogger<ChoreographyConsumer> logger) : KafkaConsumerService(consumer, logger)
{
    public const string GroupId = "account";

    protected override IReadOnlyList<string> SubscribedTopics { get; } = [Topics.ReactorAlerts, Topics.TransactionEvents];

    protected override async Task HandleAsync(ConsumeResult<string, byte[]> result, CancellationToken cancellationToken)
    {
        using var activity = KafkaTelemetry.StartProcess(result, GroupId);
        var type = CloudEventHeaders.Read(result.Message.Headers, "ce_type");
        try
        {
            if (Reaction(type, result) is not var (eventId, accountId, decide))
            {
                return; // Another service's event that Account does not react to.
            }

            var command = new AccountCommand(accountId, Creates: false, $"event:{eventId}", type, ExpectedVersion: null);
            var outcome = await handler.ExecuteAsync(command, account => decide(account!), cancellationToken);
            if (outcome is not CommandOutcome.Done)
            {
                LogNotApplied(logger, type, eventId, accountId, outcome.ToString());
            }
        }
        catch (Exception exception) when (exception is JsonException or ArgumentNullException or FormatException)
        {
            LogDeadLettered(logger, result.Topic, result.Partition.Value, result.Offset.Value, exception);
            await DeadLetters.SendAsync(producer, Topics.DeadLetter(result.Topic), result, exception, cancellationToken);
        }
    }

    /// <summary>Which account an event is about, and what it asks of it; null for events Account ignores.</summary>
    private static (Guid EventId, Guid AccountId, Func<Account, Decision> Decide)? Reaction(string type, ConsumeResult<string, byte[]> result)
    {
        switch (type)
        {
            case ReactorEventTypes.AlertRaised:
                var alert = ContractJson.Read<AlertRaised>(result.Message.Value);
                return (alert.EventId, alert.AccountId, account => AccountDecisions.Freeze(account, $"Alert {alert.Rule}: {alert.Reason}"));
            case LedgerEventTypes.ClosureSettled:
                var settled = ContractJson.Read<ClosureSettled>(result.Message.Value);
                return (settled.EventId, settled.AccountId, AccountDecisions.Close);
            case LedgerEventTypes.ClosureRefused:
                var refused = ContractJson.Read<ClosureRefused>(result.Message.Value);
                return (refused.EventId, refused.AccountId, account => AccountDecisions.RejectClosure(account, refused.Reason));
            default:
                return null;
        }
    }

    [LoggerMessage(LogLevel.Information, "{Type} {EventId} for account {AccountId} changed nothing: {Outcome}")]
    private static partial void LogNotApplied(ILogger logger, string type, Guid eventId, Guid accountId, string outcome);


    [LoggerMessage(LogLevel.Warning, "Unreadable message {Topic} {Partition}:{Offset} sent to the dead-letter topic")]
    private static partial void LogDeadLettered(ILogger logger, string topic, int partition, long offset, Exception exception);
}
