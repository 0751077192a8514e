using System.Net;
using Bunit;
using EventDriven.Contracts.Reactor;
using EventDriven.Web.Components.Operations;
using EventDriven.Web.Services;
using Microsoft.Extensions.DependencyInjection;

namespace EventDriven.Web.Components.Tests;

/// <summary>The operations page's reconciliation section over the real ReactorClient: the report's totals and differences, or why there is none.</summary>
public sealed class ReconciliationPanelTests : FormContext
{
    private static readonly Guid Account = Guid.Parse("0e6b1f9c-2d3a-4c5b-8e7f-9a0b1c2d3e4f");
    private static readonly DateTimeOffset At = new(2026, 11, 29, 6, 0, 0, TimeSpan.Zero);
    private static readonly string[] Copies = ["accounts.state", "transactions.account_copy", "reactor.account_overview"];

    private ServiceScript ReactorService { get; } = new();

    public ReconciliationPanelTests() => Services.AddSingleton(new ReactorClient(ReactorService.Client()));

    [Fact]
    public async Task Each_difference_is_a_row_with_its_account_copy_field_and_both_values()
    {
        ReactorService.Json(HttpStatusCode.OK, new ReconciliationReport(At, 2, 2, Copies, [new ReconciliationTotal("EUR", 130m, 130m)],
            [
                new ReconciliationDifference(Account, "reactor.account_overview", "balance", "ledgers", "105", "999.99"),
                new ReconciliationDifference(Account, "accounts.state", "version", "accounts", "3", null),
            ]));
        var cut = Render<ReconciliationPanel>();

        await cut.Find("[data-testid=run-reconciliation]").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=reconciliation-difference]").Count));
        var rows = cut.FindAll("[data-testid=reconciliation-difference]").Select(r => r.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList()).ToList();
        Assert.Equal([Account.ToString(), "reactor.account_overview", "balance", "105 (ledgers)", "999.99"], rows[0]);
        Assert.Equal([Account.ToString(), "accounts.state", "version", "3 (accounts)", "missing"], rows[1]);
        Assert.Contains("2 differences", cut.Find("[data-testid=reconciliation-count]").TextContent, StringComparison.Ordinal);
        Assert.Equal("EUR", cut.Find("[data-testid=reconciliation-total]").GetAttribute("data-currency"));
        Assert.Empty(cut.FindAll("[data-testid=reconciliation-clean]"));
        var sent = Assert.Single(ReactorService.Sent);
        Assert.Equal((HttpMethod.Post, "/reconciliation"), (sent.Method, sent.Path));
    }

    [Fact]
    public async Task No_differences_is_said_plainly_with_the_totals()
    {
        ReactorService.Json(HttpStatusCode.OK, new ReconciliationReport(At, 2, 2, Copies, [new ReconciliationTotal("EUR", 130m, 130m)], []));
        var cut = Render<ReconciliationPanel>();

        await cut.Find("[data-testid=run-reconciliation]").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Equal("Every copy agrees with its source.", cut.Find("[data-testid=reconciliation-clean]").TextContent.Trim()));
        Assert.Empty(cut.FindAll("[data-testid=reconciliation-difference]"));
        Assert.Single(cut.FindAll("[data-testid=reconciliation-total]"));
        Assert.Equal("Reconciled: no differences.", cut.Find("[data-testid=reconciliation-status]").TextContent.Trim());
    }

    [Fact]
    public async Task A_reactor_that_cannot_read_everything_is_a_banner_and_no_report()
    {
        ReactorService.Problem(HttpStatusCode.ServiceUnavailable, """{"title":"Reconciliation could not read a source or a copy","status":503}""");
        var cut = Render<ReconciliationPanel>();

        await cut.Find("[data-testid=run-reconciliation]").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=reconciliation-down]")));
        Assert.Empty(cut.FindAll("[data-testid=reconciliation-totals]"));
        Assert.Equal("Reconciliation did not run.", cut.Find("[data-testid=reconciliation-status]").TextContent.Trim());
    }
}
