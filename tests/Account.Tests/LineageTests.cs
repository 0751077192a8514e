using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Confluent.Kafka;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Lineage;
using EventDriven.Contracts.Reactor;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.Tests;

namespace EventDriven.Accounts.Tests;

/// <summary>Account's part of an event's lineage: its outbox rows and where the relay published them; the alerts its consumer applied.</summary>
[Collection(AccountServiceCollection.Name)]
public sealed class LineageTests(AccountServiceFixture service)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_account_event_is_traced_from_its_outbox_rows_to_where_each_topic_received_it()
    {
        var account = await service.Client.OpenAccountAsync("EUR", Ct);
        var state = Assert.Single(await service.Kafka.ReadAsync(Topics.AccountState, account, 1));
        var eventId = Guid.Parse(AccountServiceFixture.Header(state, "ce_id"));
        var traceId = AccountServiceFixture.Header(state, "traceparent").Split('-')[1];

        var facts = await Poll.UntilAsync(async () => await FindAsync(eventId) is { Publications.Count: 3 } all ? all : null,
            Patience, "the relay's three publications of the opening to be recorded");

        Assert.Equal("account", facts.Service);
        Assert.Equal([Topics.AccountDeltas, Topics.AccountNotifications, Topics.AccountState], facts.Publications.Select(p => p.Topic).Order(StringComparer.Ordinal));
        Assert.All(facts.Publications, publication =>
        {
            Assert.Equal(EventStorage.Outbox, publication.StoredIn.Store);
            Assert.True(publication.StoredIn.OutboxId > 0);
            Assert.InRange(publication.Partition, 0, 2);
            Assert.True(publication.Offset >= 0);
            Assert.Equal(traceId, publication.TraceId);
            Assert.Equal(1, publication.Times);
        });
        Assert.Equal(3, facts.Publications.Select(p => p.StoredIn.OutboxId).Distinct().Count());
        Assert.Empty(facts.Applications);
    }

    [Fact]
    public async Task An_alert_s_lineage_names_the_group_that_applied_it_and_where_it_was_delivered_from()
    {
        var account = await service.Client.OpenAccountAsync("EUR", Ct);
        var eventId = Guid.NewGuid();
        var alert = new AlertRaised(eventId, account, "large-withdrawal", "Withdrew 12,000.00 EUR at once", DateTimeOffset.UtcNow);
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = service.Kafka.BootstrapServers }).Build();
        var sent = await producer.ProduceAsync(Topics.ReactorAlerts, new Message<string, byte[]>
        {
            Key = account.ToString(),
            Value = JsonSerializer.SerializeToUtf8Bytes(alert, ContractJson.Options),
            Headers = CloudEventHeaders.Create(eventId, ReactorEventTypes.AlertRaised, ReactorEventTypes.Source, alert.OccurredAt, account.ToString()),
        }, Ct);

        var facts = await Poll.UntilAsync(async () => await FindAsync(eventId) is { Applications.Count: > 0 } applied ? applied : null,
            Patience, "Account's consumer to apply the alert and record it");

        var application = Assert.Single(facts.Applications);
        Assert.Equal(("account", Topics.ReactorAlerts, sent.Partition.Value, sent.Offset.Value),
            (application.ConsumerGroup, application.Topic, application.Partition, application.Offset));
        Assert.Empty(facts.Publications);
        var frozen = await service.Client.GetFromJsonAsync<AccountSnapshot>($"/accounts/{account}", ContractJson.Options, Ct);
        Assert.Equal(AccountStatus.Frozen, frozen!.Status);
    }

    [Fact]
    public async Task An_event_id_that_is_no_guid_is_a_bad_request_and_an_unknown_one_is_not_found()
    {
        using var bad = await service.Operator.GetAsync("/lineage/not-an-id", Ct);
        using var unknown = await service.Operator.GetAsync($"/lineage/{Guid.NewGuid()}", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }

    private async Task<LineageFacts?> FindAsync(Guid eventId)
    {
        using var response = await service.Operator.GetAsync($"/lineage/{eventId}", Ct);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<LineageFacts>(ContractJson.Options, Ct);
    }
}
