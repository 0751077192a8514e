using System.Text;
using Confluent.Kafka;
using EventDriven.Accounts.Choreography;
using EventDriven.Contracts;
using EventDriven.Contracts.Transactions;
using EventDriven.ServiceDefaults.Kafka;

namespace EventDriven.Accounts.Tests;

/// <summary>
/// Messaging faults at Account's reader (the shared pipeline parks whatever a reader throws on, see ServiceDefaults.Tests'
/// ConsumerPipelineTests; duplicates are ChoreographyTests'): a message that cannot say what it is can never apply;
/// one that says it is something else is another consumer's business.
/// </summary>
public sealed class MessageReaderTests
{
    private static readonly byte[] Settled = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
        new ClosureSettled(Guid.NewGuid(), Guid.NewGuid(), 3, DateTimeOffset.UtcNow, Guid.NewGuid()), ContractJson.Options);

    [Fact]
    public void The_same_message_without_a_fault_is_read()
    {
        var result = new ConsumeResult<string, byte[]>
        {
            Topic = Topics.TransactionEvents,
            Message = new Message<string, byte[]> { Key = "k", Value = Settled, Headers = CloudEventHeaders.Create(Guid.NewGuid(), LedgerEventTypes.ClosureSettled, LedgerEventTypes.Source, DateTimeOffset.UtcNow, "subject") },
        };

        Assert.IsType<ClosureSettled>(new ChoreographyMessages().Read(result));
    }

    [Theory]
    [InlineData("no ce_type", true)]
    [InlineData("content-type not JSON", true)]
    [InlineData("not JSON", true)]
    [InlineData("a type that is not Account's", false)]
    [InlineData("a type nobody knows", false)]
    public void The_reader_refuses_what_cannot_say_what_it_is_and_skips_what_is_not_its(string fault, bool parked)
    {
        var headers = CloudEventHeaders.Create(Guid.NewGuid(), fault switch
        {
            "a type that is not Account's" => LedgerEventTypes.MoneyDeposited,
            "a type nobody knows" => "ledger.something-new.v9",
            _ => LedgerEventTypes.ClosureSettled,
        }, LedgerEventTypes.Source, DateTimeOffset.UtcNow, "subject");
        if (fault == "no ce_type")
        {
            headers.Remove("ce_type");
        }
        else if (fault == "content-type not JSON")
        {
            headers.Remove("content-type");
            headers.Add("content-type", Encoding.UTF8.GetBytes("application/xml"));
        }

        var result = new ConsumeResult<string, byte[]>
        {
            Topic = Topics.TransactionEvents,
            // Otherwise a settled closure as Transactions publishes it: only the fault stands between it and Account.
            Message = new Message<string, byte[]> { Key = "k", Value = fault == "not JSON" ? "not json"u8.ToArray() : Settled, Headers = headers },
        };

        if (parked)
        {
            Assert.ThrowsAny<Exception>(() => new ChoreographyMessages().Read(result));
        }
        else
        {
            Assert.Null(new ChoreographyMessages().Read(result));
        }
    }
}
