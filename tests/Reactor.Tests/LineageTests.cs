using System.Net;
using System.Net.Http.Json;
using EventDriven.Contracts;
using EventDriven.Contracts.Lineage;
using EventDriven.Contracts.Reactor;
using EventDriven.Contracts.Transactions;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.Tests;

namespace EventDriven.Reactor.Tests;

/// <summary>
/// <c>GET /events/{eventId}/lineage</c>: Reactor's own applications merged with Account's answer; Transactions is not
/// running in this fixture, and the answer says so instead of failing.
/// </summary>
[Collection(ReactorCollection.Name)]
public sealed class LineageTests(ReactorFixture service)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_account_event_s_lineage_goes_from_Account_s_outbox_to_each_style_copy_and_the_overview_in_one_trace()
    {
        var account = await service.OpenAccountAsync();
        var state = Assert.Single(await service.Kafka.ReadAsync(Topics.AccountState, account, 1));
        var eventId = Guid.Parse(CloudEventHeaders.Read(state.Headers, "ce_id"));
        var traceId = CloudEventHeaders.Read(state.Headers, "traceparent").Split('-')[1];

        var lineage = await Poll.UntilAsync(async () => await FindAsync(eventId) is { Publications.Count: 3, Applications.Count: 3 } whole ? whole : null,
            Patience, "Account's three publications and Reactor's three applications of the opening");

        Assert.Equal(traceId, lineage.TraceId);
        Assert.All(lineage.Publications, p => Assert.Equal(("account", EventStorage.Outbox), (p.Service, p.StoredIn.Store)));
        var applied = lineage.Applications.ToDictionary(a => a.Topic);
        Assert.All(applied.Values, a => Assert.Equal(("reactor", "reactor", traceId), (a.Service, a.ConsumerGroup, a.TraceId)));
        Assert.Equal([new AppliedProduct("style:notification", 1)], applied[Topics.AccountNotifications].Produced);
        Assert.Equal([new AppliedProduct("style:delta", 1)], applied[Topics.AccountDeltas].Produced);
        Assert.Equal([new AppliedProduct("account_overview", 1), new AppliedProduct("style:state", 1)], applied[Topics.AccountState].Produced);
        foreach (var publication in lineage.Publications)
        {
            // Applied from exactly where it was published.
            Assert.Equal((publication.Partition, publication.Offset), (applied[publication.Topic].Partition, applied[publication.Topic].Offset));
            Assert.True(applied[publication.Topic].AppliedAt >= publication.PublishedAt.AddSeconds(-1));
        }

        Assert.Equal(
            [("account", LineageSource.Answered), ("transactions", LineageSource.Unavailable), ("reactor", LineageSource.Answered)],
            lineage.Sources.Select(s => (s.Service, s.Status)));
    }

    [Fact]
    public async Task A_ledger_event_s_lineage_names_the_overview_s_ledger_version_it_produced()
    {
        var account = await service.OpenAccountAsync();
        var opened = new LedgerOpened(Guid.NewGuid(), account, 1, DateTimeOffset.UtcNow, "EUR");
        await service.PublishAsync(opened);

        var lineage = await Poll.UntilAsync(async () => await FindAsync(opened.EventId) is { Applications.Count: 1 } applied ? applied : null,
            Patience, "Reactor to apply the ledger's opening");

        var application = Assert.Single(lineage.Applications);
        Assert.Equal((Topics.TransactionEvents, "reactor"), (application.Topic, application.ConsumerGroup));
        Assert.Equal([new AppliedProduct("account_overview", 1)], application.Produced);
        // Published by this test, not by a service: nobody recorded a publication, and Transactions could not be asked.
        Assert.Empty(lineage.Publications);
        Assert.Contains(lineage.Sources, s => s is { Service: "transactions", Status: LineageSource.Unavailable });
    }

    [Fact]
    public async Task A_bad_event_id_is_a_bad_request_and_Reactor_s_own_lineage_of_an_unknown_one_is_not_found()
    {
        using var bad = await service.Client.GetAsync("/events/12345/lineage", Ct);
        using var unknown = await service.Client.GetAsync($"/lineage/{Guid.NewGuid()}", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private async Task<EventLineage?> FindAsync(Guid eventId)
    {
        using var response = await service.Client.GetAsync($"/events/{eventId}/lineage", Ct);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<EventLineage>(ContractJson.Options, Ct);
    }
}
