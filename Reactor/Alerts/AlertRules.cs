using System.Text.Json;
using Confluent.Kafka;
using EventDriven.Contracts;
using EventDriven.Contracts.Reactor;
using EventDriven.Contracts.Transactions;
using EventDriven.Reactor.ReadModels;
using EventDriven.ServiceDefaults.Kafka;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EventDriven.Reactor.Alerts;

/// <summary>
/// Rules over the transaction stream (choreography: Reactor raises, Account freezes). A single withdrawal or outgoing
/// transfer above <see cref="AlertOptions.SingleLimit"/>; or such movements adding up above
/// <see cref="AlertOptions.WindowLimit"/> within <see cref="AlertOptions.Window"/> (raised by the one that crosses it).
/// An alert's id derives from the event and the rule, so evaluating an event again raises the same alert.
/// </summary>
public sealed class AlertRules(NpgsqlDataSource dataSource, ReadModelGenerations generations, IProducer<string, byte[]> producer, IOptions<AlertOptions> options)
{
    public const string LargeWithdrawal = "large-withdrawal";
    public const string Velocity = "withdrawal-velocity";
    private readonly AlertOptions _options = options.Value;

    public async Task EvaluateAsync(LedgerEvent @event, CancellationToken cancellationToken)
    {
        if (@event is not (MoneyWithdrawn or TransferDebited))
        {
            return;
        }

        var movement = (LedgerEntryEvent)@event;
        if (movement.Amount > _options.SingleLimit)
        {
            await RaiseAsync(movement, LargeWithdrawal, $"{movement.Amount} {movement.Currency} out in one movement (limit {_options.SingleLimit}).", cancellationToken);
            return;
        }

        // The movements out in the window before this one (from the history read model, which already holds this one).
        var history = ReadModelSchema.Table(ReadModel.TransactionHistory, generations.Live(ReadModel.TransactionHistory));
        await using var command = dataSource.CreateCommand($"""
            SELECT coalesce(sum(amount), 0) FROM {history}
            WHERE account_id = $1 AND type IN ('{LedgerEventTypes.MoneyWithdrawn}', '{LedgerEventTypes.TransferDebited}')
              AND occurred_at > $2 AND occurred_at <= $3 AND version < $4
            """);
        command.Parameters.Add(new() { Value = movement.AccountId });
        command.Parameters.Add(new() { Value = movement.OccurredAt - _options.Window });
        command.Parameters.Add(new() { Value = movement.OccurredAt });
        command.Parameters.Add(new() { Value = movement.Version });
        var before = (decimal)(await command.ExecuteScalarAsync(cancellationToken))!;
        if (before <= _options.WindowLimit && before + movement.Amount > _options.WindowLimit)
        {
            await RaiseAsync(movement, Velocity,
                $"{before + movement.Amount} {movement.Currency} out within {_options.Window.TotalSeconds:0} s (limit {_options.WindowLimit}).", cancellationToken);
        }
    }

    private async Task RaiseAsync(LedgerEntryEvent trigger, string rule, string reason, CancellationToken cancellationToken)
    {
        var alert = new AlertRaised(AlertId(trigger.EventId, rule), trigger.AccountId, rule, reason, trigger.OccurredAt);
        await producer.ProduceAsync(Topics.ReactorAlerts, new Message<string, byte[]>
        {
            Key = alert.AccountId.ToString(),
            Value = JsonSerializer.SerializeToUtf8Bytes(alert, ContractJson.Options),
            Headers = CloudEventHeaders.Create(alert.EventId, ReactorEventTypes.AlertRaised, ReactorEventTypes.Source, alert.OccurredAt, alert.AccountId.ToString()),
        }, cancellationToken);
    }

    public static Guid AlertId(Guid triggerEventId, string rule) => NameBasedId.From(triggerEventId, rule);
}
