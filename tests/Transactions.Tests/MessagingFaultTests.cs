using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Transactions;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.Tests;
using EventDriven.Transactions.Choreography;

namespace EventDriven.Transactions.Tests;

/// <summary>
/// Messaging faults on Transactions' consumers: the account copy (a batch consumer of its own) and the choreography's
/// reader. What can never apply is parked, the partition moves on, and nothing of it is applied.
/// </summary>
[Collection(TransactionsCollection.Name)]
public sealed class MessagingFaultTests(TransactionsFixture service)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Faults() => ["currency longer than the copy's column", "no ce_type", "content-type not JSON", "not JSON"];

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_state_the_account_copy_can_never_hold_is_parked_and_the_partition_moves_on(string fault)
    {
        var account = Guid.NewGuid();
        var (value, headers) = fault switch
        {
            "currency longer than the copy's column" => (State(account, 1, "EURO"), Headers(account)),
            "no ce_type" => (State(account, 1, "EUR"), Without(Headers(account), "ce_type")),
            "content-type not JSON" => (State(account, 1, "EUR"), With(Headers(account), "content-type", "application/xml")),
            _ => ("{\"accountId\": not json"u8.ToArray(), Headers(account)),
        };
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = service.Kafka.BootstrapServers }).Build();
        await producer.ProduceAsync(Topics.AccountState, new Message<string, byte[]> { Key = account.ToString(), Value = value, Headers = headers }, Ct);
        // The next state of the same account, on the same partition: applied only if the bad one did not stall it.
        await producer.ProduceAsync(Topics.AccountState, new Message<string, byte[]> { Key = account.ToString(), Value = State(account, 2, "EUR"), Headers = Headers(account) }, Ct);

        // Written here, these states name no owner: only an operator sees the account.
        await TransactionsFixture.WaitUntilKnownAsync(account, service.Operator);

        var ledger = await service.Operator.GetFromJsonAsync<JsonElement>($"/ledgers/{account}", Ct);
        Assert.Equal(2, ledger.GetProperty("account").GetProperty("version").GetInt64());
        var letters = await service.Operator.GetFromJsonAsync<List<Letter>>("/dead-letters", Ct);
        // The account copy's letter (the choreography's group, reading the same topic, parks a message without a
        // type or of another content type as well: each group its own letter).
        var parked = Assert.Single(letters!, l => l.Key == account.ToString() && l.ConsumerGroup == EventDriven.Transactions.AccountCopy.AccountStateConsumer.GroupId);
        Assert.Equal(Topics.AccountState, parked.SourceTopic);
        Assert.Equal(Encoding.UTF8.GetString(value), parked.Value);
    }

    public static TheoryData<string, string?> ChoreographyFaults() => new()
    {
        { "no ce_type", null },
        { "content-type not JSON", null },
        { "a type that is not the choreography's", "not ours" },
        { "a type nobody knows", "not ours" },
    };

    /// <summary>
    /// The choreography's reader (the shared pipeline parks whatever a reader throws on, see ServiceDefaults.Tests'
    /// ConsumerPipelineTests): a message that cannot say what it is can never apply; one that says it is something
    /// else is another consumer's business.
    /// </summary>
    [Theory]
    [MemberData(nameof(ChoreographyFaults))]
    public void The_choreography_parks_what_cannot_say_what_it_is_and_skips_what_is_not_its(string fault, string? outcome)
    {
        var account = Guid.NewGuid();
        var headers = fault switch
        {
            "no ce_type" => Without(Headers(account), "ce_type"),
            "content-type not JSON" => With(Headers(account, LedgerEventTypes.TransferDebited), "content-type", "text/plain"),
            "a type that is not the choreography's" => Headers(account, LedgerEventTypes.MoneyDeposited),
            _ => Headers(account, "ledger.something-new.v9"),
        };
        var result = new ConsumeResult<string, byte[]>
        {
            Topic = Topics.TransactionEvents,
            Message = new Message<string, byte[]> { Key = account.ToString(), Value = "{}"u8.ToArray(), Headers = headers },
        };

        if (outcome is null)
        {
            Assert.Throws<InvalidDataException>(() => new ChoreographyMessages().Read(result));
        }
        else
        {
            Assert.Null(new ChoreographyMessages().Read(result));
        }
    }

    private static byte[] State(Guid account, long version, string currency)
    {
        var now = DateTimeOffset.UtcNow;
        var after = new AccountSnapshot(account, "Ada Lovelace", "ada@example.com", null, new PostalAddress("1 Main Street", "London", "SW1Y 4JH", "GB"),
            currency, AccountStatus.Open, null, version, now, now);
        return JsonSerializer.SerializeToUtf8Bytes(new AccountStateChanged(Guid.NewGuid(), account, version, now, AccountEventTypes.Opened, null, after), ContractJson.Options);
    }

    private static Headers Headers(Guid account, string type = AccountEventTypes.Opened) =>
        CloudEventHeaders.Create(Guid.NewGuid(), type, AccountEventTypes.Source, DateTimeOffset.UtcNow, account.ToString());

    private static Headers Without(Headers headers, string name)
    {
        headers.Remove(name);
        return headers;
    }

    private static Headers With(Headers headers, string name, string value)
    {
        headers.Remove(name);
        headers.Add(name, Encoding.UTF8.GetBytes(value));
        return headers;
    }

    private sealed record Letter(long Id, string SourceTopic, string? Key, string? Value, string? ConsumerGroup);
}
