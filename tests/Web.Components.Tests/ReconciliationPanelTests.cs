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
        Assert.Empty(cut.FindAll("[data-testid=reconciliation-no-money]"));
        Assert.Equal("Reconciled: no differences.", cut.Find("[data-testid=reconciliation-status]").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid=overdue-transfers]"));
    }

    [Fact]
    public async Task Each_overdue_transfer_is_a_row_with_its_id_accounts_amount_and_age_beside_copies_that_agree()
    {
        var (tx, target) = (Guid.Parse("5a1d0c4e-7b2f-4e8a-9c3d-1f2e3d4c5b6a"), Guid.Parse("7c3e5a1b-9d4f-4a6c-8e2d-3b4c5d6e7f80"));
        ReactorService.Json(HttpStatusCode.OK, new ReconciliationReport(At, 2, 2, Copies, [new ReconciliationTotal("EUR", 100m, 130m)], [])
        {
            TransferOverdueAfter = TimeSpan.FromMinutes(5),
            OverdueTransfers = [new OverdueTransfer(tx, Account, target, 30m, "EUR", At.AddMinutes(-12), TimeSpan.FromSeconds(12 * 60 + 7))],
        });
        var cut = Render<ReconciliationPanel>();

        await cut.Find("[data-testid=run-reconciliation]").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=overdue-transfer]")));
        var cells = cut.Find("[data-testid=overdue-transfer]").QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal([tx.ToString(), Account.ToString(), target.ToString(), "30.00 EUR"], cells.Take(4));
        Assert.Equal("12 min 7 s", cells[5]);
        Assert.Contains("1 transfer has been under way for longer than 5 min:", cut.Find("[data-testid=overdue-count]").TextContent, StringComparison.Ordinal);
        Assert.Equal("Reconciled: no differences; 1 transfer overdue.", cut.Find("[data-testid=reconciliation-status]").TextContent.Trim());
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
