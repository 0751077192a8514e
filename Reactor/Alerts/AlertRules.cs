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
/// The alert rules at work over the transaction stream (choreography: Reactor raises, Account freezes): loads the
/// account's <see cref="AlertWindow"/> from the transaction history read model, decides with
/// <see cref="AlertDecisions"/>, and produces the alerts to <c>reactor.alerts</c>. The window after the event is not
/// stored here: the history read model is where it lives, and the projector wrote the event into it before the rules ran.
/// </summary>
public sealed class AlertRules(NpgsqlDataSource dataSource, IProducer<string, byte[]> producer, IOptions<AlertOptions> options)
{
    // The rules' names and alert ids, where callers found them before the rules moved to AlertDecisions.
    public const string LargeWithdrawal = AlertDecisions.LargeWithdrawal;
    public const string Velocity = AlertDecisions.Velocity;
    private readonly AlertOptions _options = options.Value;

    public async Task EvaluateAsync(LedgerEvent @event, CancellationToken cancellationToken)
    {
        if (Outflow.From(@event) is null)
        {
            return;
        }

        var decision = AlertDecisions.Decide(await LoadWindowAsync(@event, cancellationToken), _options, @event);
        foreach (var alert in decision.Alerts)
        {
            await ProduceAsync(alert, cancellationToken);
        }
    }

    public static Guid AlertId(Guid triggerEventId, string rule) => AlertDecisions.AlertId(triggerEventId, rule);

    /// <summary>
    /// The account's movements out within the window before <paramref name="event"/>, from the live history (which holds
    /// this event already, and on a redelivery later ones too: only earlier versions are read, the ones the rules count).
    /// </summary>
    private async Task<AlertWindow> LoadWindowAsync(LedgerEvent @event, CancellationToken cancellationToken)
    {
        // The view: whichever generation is live now, on every instance (a swap may have come since the projector wrote).
        await using var command = dataSource.CreateCommand($"""
            SELECT version, occurred_at, amount FROM {ReadModelSchema.Name(ReadModel.TransactionHistory)}
            WHERE account_id = $1 AND type IN ('{LedgerEventTypes.MoneyWithdrawn}', '{LedgerEventTypes.TransferDebited}')
              AND occurred_at > $2 AND occurred_at <= $3 AND version < $4
            """);
        command.Parameters.Add(new() { Value = @event.AccountId });
        command.Parameters.Add(new() { Value = @event.OccurredAt - _options.Window });
        command.Parameters.Add(new() { Value = @event.OccurredAt });
        command.Parameters.Add(new() { Value = @event.Version });
        var outflows = new List<Outflow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            outflows.Add(new(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetDecimal(2)));
        }

        return new(outflows);
    }

    private async Task ProduceAsync(AlertRaised alert, CancellationToken cancellationToken) =>
        await producer.ProduceAsync(Topics.ReactorAlerts, new Message<string, byte[]>
        {
            Key = alert.AccountId.ToString(),
            Value = JsonSerializer.SerializeToUtf8Bytes(alert, ContractJson.Options),
            Headers = CloudEventHeaders.Create(alert.EventId, ReactorEventTypes.AlertRaised, ReactorEventTypes.Source, alert.OccurredAt, alert.AccountId.ToString()),
        }, cancellationToken);
}
