using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Reactor;
using EventDriven.Contracts.Transactions;
using EventDriven.Tests;

namespace EventDriven.Accounts.Tests;

/// <summary>Account reacting to Reactor's alerts and Transactions' closure answers, delivered through Kafka.</summary>
[Collection(AccountServiceCollection.Name)]
public sealed class ChoreographyTests(AccountServiceFixture service)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_alert_freezes_the_account_once_however_often_it_is_delivered()
    {
        var account = await OpenAsync();
        var alert = new AlertRaised(Guid.NewGuid(), account, "large-withdrawal", "Withdrew 9,000.00 EUR at once", DateTimeOffset.UtcNow);

        await PublishAsync(Topics.ReactorAlerts, account, ReactorEventTypes.AlertRaised, alert);
        await PublishAsync(Topics.ReactorAlerts, account, ReactorEventTypes.AlertRaised, alert);

        var frozen = await WaitForStatusAsync(account, AccountStatus.Frozen);
        Assert.Equal("Alert large-withdrawal: Withdrew 9,000.00 EUR at once", frozen.FreezeReason);
        await SendAsync(HttpMethod.Post, $"/accounts/{account}/unfreeze", new { reason = "Checked with the owner" }, client: service.Operator);
        var types = (await service.Kafka.ReadExactlyAsync(Topics.AccountNotifications, account, 3)).Select(Type);
        Assert.Equal([AccountEventTypes.Opened, AccountEventTypes.Frozen, AccountEventTypes.Unfrozen], types);
    }

    [Fact]
    public async Task A_client_cannot_take_an_alert_s_key_first_and_so_stop_the_freeze()
    {
        var account = await OpenAsync();
        var alert = new AlertRaised(Guid.NewGuid(), account, "large-withdrawal", "Withdrew 9,000.00 EUR at once", DateTimeOffset.UtcNow);

        // The alert's id is predictable; the client uses it (in both forms an event's key ever had) before the alert comes.
        foreach (var key in new[] { $"event:{alert.EventId}", alert.EventId.ToString() })
        {
            using var change = await SendAsync(HttpMethod.Put, $"/accounts/{account}/contact", new { email = $"{Guid.NewGuid():N}@example.com" }, key);
            Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        }

        await PublishAsync(Topics.ReactorAlerts, account, ReactorEventTypes.AlertRaised, alert);

        await WaitForStatusAsync(account, AccountStatus.Frozen);
    }

    [Fact]
    public async Task An_alert_the_account_refuses_is_parked_with_its_reason_not_dropped()
    {
        var account = await OpenAsync();
        using (var closure = await SendAsync(HttpMethod.Post, $"/accounts/{account}/closure", new { }))
        {
            Assert.Equal(HttpStatusCode.OK, closure.StatusCode);
        }

        await PublishAsync(Topics.ReactorAlerts, account, ReactorEventTypes.AlertRaised,
            new AlertRaised(Guid.NewGuid(), account, "velocity", "Five withdrawals in a minute", DateTimeOffset.UtcNow));

        var dead = Assert.Single(await service.Kafka.ReadAsync(Topics.DeadLetter(Topics.ReactorAlerts), account, 1));
        Assert.Contains("cannot be frozen", AccountServiceFixture.Header(dead, "error"));
    }

    [Fact]
    public async Task A_settled_closure_closes_the_account_and_a_refused_one_returns_it_to_open()
    {
        var closing = await OpenAsync();
        var staying = await OpenAsync();
        await SendAsync(HttpMethod.Post, $"/accounts/{closing}/closure", new { });
        await SendAsync(HttpMethod.Post, $"/accounts/{staying}/closure", new { });

        await PublishAsync(Topics.TransactionEvents, closing, LedgerEventTypes.ClosureSettled, new ClosureSettled(Guid.NewGuid(), closing, 1, DateTimeOffset.UtcNow, Guid.NewGuid()));
        await PublishAsync(Topics.TransactionEvents, staying, LedgerEventTypes.ClosureRefused, new ClosureRefused(Guid.NewGuid(), staying, 3, DateTimeOffset.UtcNow, Guid.NewGuid(), "12.50 EUR is still in the account"));

        await WaitForStatusAsync(closing, AccountStatus.Closed);
        await WaitForStatusAsync(staying, AccountStatus.Open);
    }

    [Fact]
    public async Task An_unreadable_alert_goes_to_the_dead_letter_topic_and_later_alerts_still_apply()
    {
        var account = await OpenAsync();
        await PublishRawAsync(Topics.ReactorAlerts, account, ReactorEventTypes.AlertRaised, "{not json"u8.ToArray());
        await PublishAsync(Topics.ReactorAlerts, account, ReactorEventTypes.AlertRaised,
            new AlertRaised(Guid.NewGuid(), account, "velocity", "Five withdrawals in a minute", DateTimeOffset.UtcNow));

        await WaitForStatusAsync(account, AccountStatus.Frozen);
        var dead = Assert.Single(await service.Kafka.ReadAsync(Topics.DeadLetter(Topics.ReactorAlerts), account, 1));
        Assert.Equal("{not json", dead.Value);
        Assert.NotEmpty(AccountServiceFixture.Header(dead, "error"));
        Assert.Equal(Topics.ReactorAlerts, AccountServiceFixture.Header(dead, "source_topic"));
    }

    private async Task<Guid> OpenAsync()
    {
        using var response = await SendAsync(HttpMethod.Post, "/accounts", new
        {
            ownerName = $"Grace {Guid.NewGuid():N}",
            email = "grace@example.com",
            address = new { street = "Main St 1", city = "Arlington", postalCode = "22201", country = "US" },
            currency = "USD",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<AccountSnapshot>(ContractJson.Options, Ct))!.AccountId;
    }

    /// <summary>Sends as the customer who owns the test's accounts, unless <paramref name="client"/> is the operator's (unfreeze).</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object body, string? idempotencyKey = null, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", idempotencyKey ?? Guid.NewGuid().ToString());
        return await (client ?? service.Client).SendAsync(request, Ct);
    }

    private async Task<AccountSnapshot> WaitForStatusAsync(Guid account, AccountStatus status) =>
        await Poll.UntilAsync(async () =>
        {
            var snapshot = await service.Client.GetFromJsonAsync<AccountSnapshot>($"/accounts/{account}", ContractJson.Options, Ct);
            return snapshot?.Status == status ? snapshot : null;
        }, TimeSpan.FromSeconds(30), $"account {account} to be {status}");

    private Task PublishAsync<T>(string topic, Guid account, string type, T payload) =>
        PublishRawAsync(topic, account, type, JsonSerializer.SerializeToUtf8Bytes(payload, ContractJson.Options));

    private async Task PublishRawAsync(string topic, Guid account, string type, byte[] value)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = service.Kafka.BootstrapServers }).Build();
        await producer.ProduceAsync(topic, new Message<string, byte[]>
        {
            Key = account.ToString(),
            Value = value,
            Headers = new Headers
            {
                { "ce_id", Encoding.UTF8.GetBytes(Guid.NewGuid().ToString()) },
                { "ce_type", Encoding.UTF8.GetBytes(type) },
                { "ce_specversion", "1.0"u8.ToArray() },
                { "content-type", "application/json"u8.ToArray() },
            },
        }, Ct);
    }

    private static string Type(Message<string, string> message) => AccountServiceFixture.Header(message, "ce_type");
}
