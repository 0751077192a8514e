using System.Net;
using Bunit;
using EventDriven.Contracts.Lineage;
using EventDriven.Contracts.Reactor;
using EventDriven.Web.Components.Pages;
using EventDriven.Web.Services;
using EventDriven.Web.Tracing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace EventDriven.Web.Components.Tests;

/// <summary>The lineage page with the real ReactorClient: an event's stages in order, its trace, and a service that did not answer.</summary>
public sealed class EventLineagePageTests : BunitContext
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static readonly Guid EventId = Guid.Parse("9d4c1a2b-5e6f-4a7b-8c9d-0e1f2a3b4c5d");
    private static readonly DateTimeOffset At = new(2026, 11, 29, 5, 30, 0, TimeSpan.Zero);

    private readonly ServiceScript _reactor = new();

    public EventLineagePageTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton(new ReactorClient(_reactor.Client()));
        Services.AddSingleton(new DashboardLinks(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Dashboard:Url"] = "http://dashboard.test" }).Build()));
    }

    private IRenderedComponent<EventLineagePage> RenderPage(string eventId) => Render<EventLineagePage>(p => p.Add(page => page.EventId, eventId));

    [Fact]
    public void An_account_event_shows_stored_published_applied_and_the_versions_it_produced_in_that_order_with_its_trace()
    {
        _reactor.Json(HttpStatusCode.OK, new EventLineage(EventId, TraceId,
            [new EventPublication("account", EventStorage.OutboxRow(41), "accounts.state", 2, 17, At, TraceId, 1)],
            [new EventApplication("reactor", "reactor", "accounts.state", 2, 17, At.AddMilliseconds(12),
                [new AppliedProduct("account_overview", 3), new AppliedProduct("style:state", 3)], TraceId)],
            [new LineageSource("account", LineageSource.Answered, null), new LineageSource("transactions", LineageSource.Nothing, null),
             new LineageSource("reactor", LineageSource.Answered, null)]));

        var cut = RenderPage(EventId.ToString());

        cut.WaitForAssertion(() => cut.Find("[data-testid=stages]"));
        var stages = cut.FindAll("section[data-testid^=stage-]").Select(s => s.GetAttribute("data-testid")).ToList();
        Assert.Equal(["stage-stored", "stage-published", "stage-applied", "stage-produced"], stages);
        Assert.Equal("account: outbox row 41 (for accounts.state), deleted once relayed", cut.Find("[data-testid=stored]").TextContent.Trim());
        Assert.Contains("accounts.state", cut.Find("[data-testid=publication]").TextContent, StringComparison.Ordinal);
        Assert.Contains("05:30:00.012", cut.Find("[data-testid=application]").TextContent, StringComparison.Ordinal);
        Assert.Equal(["account_overview at version 3 (reactor, reactor)", "style:state at version 3 (reactor, reactor)"],
            cut.FindAll("[data-testid=produced]").Select(p => p.TextContent.Trim()));
        Assert.Equal(TraceId, cut.Find("[data-testid=trace-id]").TextContent);
        Assert.Equal($"http://dashboard.test/traces/detail/{TraceId}", cut.Find("[data-testid=trace-link]").GetAttribute("href"));
        Assert.Empty(cut.FindAll("[data-testid=source-down]"));
        Assert.Equal($"/events/{EventId}/lineage", Assert.Single(_reactor.Sent).Path);
    }

    [Fact]
    public void A_ledger_event_names_its_stream_and_revision_and_a_service_that_did_not_answer_is_said_to_be_missing()
    {
        _reactor.Json(HttpStatusCode.OK, new EventLineage(EventId, TraceId,
            [new EventPublication("transactions", EventStorage.LedgerEvent("ledger-7", 4), "transactions.events", 0, 99, At, TraceId, 2)],
            [],
            [new LineageSource("account", LineageSource.Unavailable, "unreachable"), new LineageSource("transactions", LineageSource.Answered, null),
             new LineageSource("reactor", LineageSource.Nothing, null)]));

        var cut = RenderPage(EventId.ToString());

        cut.WaitForAssertion(() => cut.Find("[data-testid=stages]"));
        Assert.Equal("transactions: KurrentDB stream ledger-7, revision 4", cut.Find("[data-testid=stored]").TextContent.Trim());
        Assert.StartsWith("account is not answering", cut.Find("[data-testid=source-down]").TextContent.Trim(), StringComparison.Ordinal);
        Assert.Contains("No consumer group has applied it", cut.Find("[data-testid=stage-applied]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void An_event_no_service_knows_and_Reactor_not_answering_are_said_plainly_and_a_bad_id_is_never_asked_for()
    {
        _reactor.Problem(HttpStatusCode.NotFound, """{"title":"No such event","status":404}""");
        Assert.NotNull(RenderPage(EventId.ToString()).WaitForElement("[data-testid=not-found]"));

        _reactor.NoAnswer();
        Assert.NotNull(RenderPage(EventId.ToString()).WaitForElement("[data-testid=service-down]"));

        Assert.NotNull(RenderPage("not-an-id").Find("[data-testid=bad-id]"));
        Assert.Equal(2, _reactor.Sent.Count);
    }
}
