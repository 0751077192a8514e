using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static EventDriven.Web.Tests.AccountPages;
using static Microsoft.Playwright.Assertions;

namespace EventDriven.Web.Tests;

[Collection(nameof(WebAppCollection))]
public sealed partial class TraceLinkTests(WebAppFixture fixture)
{
    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex TraceId();

    [Fact]
    public async Task The_trace_link_of_a_deposit_opens_one_dashboard_trace_with_spans_of_every_service_it_touched()
    {
        var page = await fixture.NewPageAsync();
        await OpenAccountAsync(page, "Trace Tester");
        // The opening's own trace, carried over from the form to the account page.
        await Expect(page.GetByTestId("trace-id").First).ToHaveTextAsync(TraceId());
        await Expect(DepositForm(page).GetByRole(AriaRole.Button, new() { Name = "Deposit" })).ToBeEnabledAsync();

        await DepositAsync(page, "12.34");
        await Expect(page.GetByTestId("balance")).ToHaveTextAsync("12.34 EUR");
        await Expect(page.GetByTestId("overview-balance")).ToHaveTextAsync("12.34 EUR");
        AccessibilityTests.AssertNoSeriousViolations("account with trace links", await page.RunAxe());
        await ScreenshotAsync(page, "account-deposit-trace-link");

        // The ledger's API, its event store (the append, and the publisher's subscription), and the read models through Kafka.
        var dashboard = await FollowTraceLinkAsync(page, DepositForm(page), "deposit", ["web", "transactions", "kurrentdb", "reactor"]);
        await dashboard.ScreenshotAsync(new() { Path = Path.Combine(WebAppFixture.ScreenshotDirectory, "dashboard-deposit-trace.png") });
    }

    [Fact]
    public async Task The_trace_link_of_a_freeze_opens_one_dashboard_trace_through_the_outbox_relay_to_the_read_models()
    {
        var page = await fixture.NewPageAsync(Person.Operator);
        await OpenAccountAsync(page, "Freeze Trace Tester");
        var freeze = ChangeForm(page, "freeze");
        await freeze.GetByLabel("Reason to freeze").FillAsync("Card reported lost");
        await freeze.GetByRole(AriaRole.Button, new() { Name = "Freeze" }).ClickAsync();
        await Expect(page.GetByTestId("account-status")).ToHaveTextAsync("frozen");

        // The form is now the unfreeze form, and still shows the freeze's outcome.
        // Account's API and database, then its CDC relay's messages to Kafka, consumed by Reactor.
        var dashboard = await FollowTraceLinkAsync(page, ChangeForm(page, "unfreeze"), "freeze", ["web", "account", "reactor"]);
        await dashboard.ScreenshotAsync(new() { Path = Path.Combine(WebAppFixture.ScreenshotDirectory, "dashboard-freeze-trace.png") });
    }

    [Fact]
    public async Task The_trace_link_of_a_transfer_opens_one_dashboard_trace_through_the_debit_the_credit_and_the_completion()
    {
        var target = await fixture.NewPageAsync();
        var targetId = await OpenAccountAsync(target, "Transfer Trace Target");
        await Expect(DepositForm(target).GetByRole(AriaRole.Button, new() { Name = "Deposit" })).ToBeEnabledAsync();
        var source = await fixture.NewPageAsync();
        await OpenAccountAsync(source, "Transfer Trace Source");
        await DepositAsync(source, "50");
        await Expect(source.GetByTestId("balance")).ToHaveTextAsync("50.00 EUR");

        await TransferAsync(source, targetId, "20");
        await Expect(source.GetByTestId("transfer-progress")).ToContainTextAsync("completed");

        // The debit (Transactions, KurrentDB), the publisher and Kafka, the credit by choreography, the completion, and
        // Reactor's projection of each: one trace. Its picture is the README's (docs/screenshots/journey-trace.png).
        var dashboard = await FollowTraceLinkAsync(source, source.GetByTestId("transfer-form"), "transfer", ["web", "transactions", "kurrentdb", "reactor"]);
        await dashboard.ScreenshotAsync(new() { Path = Path.Combine(WebAppFixture.ScreenshotDirectory, "journey-trace.png") });
    }

    /// <summary>
    /// Reads the trace id the form shows after <paramref name="action"/>, follows its link into the dashboard (a new
    /// tab), and waits until that trace holds spans of every one of <paramref name="resources"/>, rooted in web's span.
    /// </summary>
    private async Task<IPage> FollowTraceLinkAsync(IPage page, ILocator form, string action, string[] resources)
    {
        var traceId = form.GetByTestId("trace-id");
        await Expect(traceId).ToHaveTextAsync(TraceId());
        var link = form.GetByRole(AriaRole.Link, new() { Name = $"open the {action} trace in the Aspire dashboard" });
        await Expect(link).ToHaveAttributeAsync("href", new Uri(fixture.DashboardAddress, $"/traces/detail/{await traceId.TextContentAsync()}").ToString());

        var dashboard = await page.Context.RunAndWaitForPageAsync(() => link.ClickAsync());
        await dashboard.SetViewportSizeAsync(1600, 1000);
        await WaitForSpansOfAsync(dashboard, resources);

        // The web action is the root: the dashboard titles a trace "resource: span" after its root span.
        await Expect(dashboard.Locator("h1.page-header")).ToContainTextAsync($"web: {action}");
        return dashboard;
    }

    /// <summary>Rows of the trace's waterfall from <paramref name="resource"/>: its own spans, or client spans to it when it reports none.</summary>
    private static ILocator SpansOf(IPage dashboard, string resource) =>
        dashboard.Locator(".resource-name, .uninstrumented-peer").GetByText(resource, new() { Exact = true });

    /// <summary>
    /// Spans reach the dashboard in each service's export batches, Reactor's last, and a trace's page may show the
    /// trace as it was when it loaded. So: wait for each resource's spans, reloading while one is missing, for at most a minute.
    /// </summary>
    private static async Task WaitForSpansOfAsync(IPage dashboard, string[] resources)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            try
            {
                foreach (var resource in resources)
                {
                    await Expect(SpansOf(dashboard, resource).First).ToBeVisibleAsync(new() { Timeout = 5_000 });
                }

                return;
            }
            catch (PlaywrightException) when (DateTime.UtcNow < deadline)
            {
                await dashboard.ReloadAsync();
            }
        }
    }
}
