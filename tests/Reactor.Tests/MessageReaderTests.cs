using System.Text;
using Confluent.Kafka;
using EventDriven.Contracts;
using EventDriven.Contracts.Transactions;
using EventDriven.Reactor.Pipeline;
using EventDriven.ServiceDefaults.Kafka;

namespace EventDriven.Reactor.Tests;

/// <summary>
/// Messaging faults at Reactor's reader (the shared pipeline parks whatever a reader throws on, see ServiceDefaults.Tests'
/// ConsumerPipelineTests; duplicates and late versions are ReadModelTests'). Reactor applies every ledger event, so a
/// type it does not know is parked rather than skipped: a newer producer's event must not vanish from the read models.
/// </summary>
public sealed class MessageReaderTests
{
    private static readonly byte[] Deposit = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
        new MoneyDeposited(Guid.NewGuid(), Guid.NewGuid(), 2, DateTimeOffset.UtcNow, Guid.NewGuid(), 10m, "EUR", 10m), ContractJson.Options);

    [Fact]
    public void The_same_deposit_without_a_fault_is_read()
    {
        var result = new ConsumeResult<string, byte[]>
        {
            Topic = Topics.TransactionEvents,
            Message = new Message<string, byte[]> { Key = "k", Value = Deposit, Headers = CloudEventHeaders.Create(Guid.NewGuid(), LedgerEventTypes.MoneyDeposited, LedgerEventTypes.Source, DateTimeOffset.UtcNow, "subject") },
        };

        Assert.IsType<MoneyDeposited>(Assert.IsType<LedgerEventReceived>(new ReactorMessages().Read(result)).Event);
    }

    [Theory]
    [InlineData(Topics.TransactionEvents, "no ce_type")]
    [InlineData(Topics.TransactionEvents, "content-type not JSON")]
    [InlineData(Topics.TransactionEvents, "a type nobody knows")]
    [InlineData(Topics.TransactionEvents, "not JSON")]
    public void What_cannot_say_what_it_is_or_is_not_a_known_event_is_refused(string topic, string fault)
    {
        var headers = CloudEventHeaders.Create(Guid.NewGuid(), fault == "a type nobody knows" ? "ledger.something-new.v9" : LedgerEventTypes.MoneyDeposited,
            LedgerEventTypes.Source, DateTimeOffset.UtcNow, "subject");
        if (fault == "no ce_type")
        {
            headers.Remove("ce_type");
        }
        else if (fault == "content-type not JSON")
        {
            headers.Remove("content-type");
            headers.Add("content-type", Encoding.UTF8.GetBytes("text/plain"));
        }

        var result = new ConsumeResult<string, byte[]>
        {
            Topic = topic,
            // Otherwise a deposit as Transactions publishes it: on the ledger topic, only the fault stands in its way.
            Message = new Message<string, byte[]> { Key = "k", Value = fault == "not JSON" ? "not json"u8.ToArray() : Deposit, Headers = headers },
        };

        Assert.ThrowsAny<Exception>(() => new ReactorMessages().Read(result));
    }
}
