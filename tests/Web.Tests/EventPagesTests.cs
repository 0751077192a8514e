using System.Globalization;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static EventDriven.Web.Tests.AccountPages;
using static Microsoft.Playwright.Assertions;

namespace EventDriven.Web.Tests;

/// <summary>The Events page (what Reactor applies, where Kafka delivered it) and the event-styles page (three copies of one account).</summary>
[Collection(nameof(WebAppCollection))]
public sealed partial class EventPagesTests(WebAppFixture fixture)
{
    private static readonly string[] Styles = ["notification", "delta", "state"];

    [GeneratedRegex(@"^\d+$")]
    private static partial Regex WholeNumber();

    /// <summary>As the operator: the figures are over every account.</summary>
    [Fact]
    public async Task The_event_styles_page_shows_three_copies_with_the_same_fields_after_a_change_and_three_sizes()
    {
        var page = await fixture.NewPageAsync(Person.Operator);
        var accountId = await OpenAccountAsync(page, "Styles Watcher");
        await page.GetByRole(AriaRole.Link, new() { Name = "Event styles", Exact = true }).Last.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/styles/{accountId}$"));
        foreach (var style in Styles)
        {
            await Expect(Copy(page, style).GetByTestId("copy-version")).ToHaveTextAsync("1");
        }

        // A navigation or reload would start a new document and lose this marker.
        await page.EvaluateAsync("() => { window.sameDocument = true; }");
        var form = ChangeForm(page, "address");
        await form.GetByLabel("City").FillAsync("Rotterdam");
        await form.GetByRole(AriaRole.Button, new() { Name = "Change address" }).ClickAsync();

        foreach (var style in Styles)
        {
            await Expect(Copy(page, style).GetByTestId("copy-version")).ToHaveTextAsync("2");
            await Expect(Copy(page, style).GetByTestId("copy-fields")).ToContainTextAsync("Rotterdam");
        }

        var fields = new List<string>();
        foreach (var style in Styles)
        {
            fields.Add(await Copy(page, style).GetByTestId("copy-fields").InnerTextAsync());
        }

        Assert.All(fields, f => Assert.Equal(fields[0], f));
        Assert.Contains("address.city", fields[0], StringComparison.Ordinal);
        await Expect(page.GetByTestId("copies-agree")).ToContainTextAsync("The three copies agree");
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"));

        // Three sizes: what a change costs in each style, in bytes; only notifications call Account back.
        var bytes = new Dictionary<string, double>();
        foreach (var style in Styles)
        {
            var figures = page.GetByTestId($"figures-{style}");
            await Expect(figures.GetByTestId("bytes-per-change")).ToHaveTextAsync(new Regex(@"^[1-9][\d,]*$"));
            bytes[style] = double.Parse(await figures.GetByTestId("bytes-per-change").InnerTextAsync(), NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        }

        Assert.True(bytes["state"] > bytes["delta"], $"A fat event ({bytes["state"]} bytes) carries more than a delta ({bytes["delta"]}).");
        await Expect(page.GetByTestId("figures-state").GetByTestId("calls-per-change")).ToHaveTextAsync("0");
        await Expect(page.GetByTestId("figures-notification").GetByTestId("calls-per-change")).Not.ToHaveTextAsync("0");
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "Bytes per change" }).Locator("svg")).ToBeVisibleAsync();

        AccessibilityTests.AssertNoSeriousViolations("event styles", await page.RunAxe());
        // From the top: a full-page capture draws the fixed app bar where the page is scrolled to.
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await ScreenshotAsync(page, "event-styles");
    }

    [Fact]
    public async Task A_deposit_appears_on_the_events_page_with_its_type_topic_partition_and_offset_and_the_account_filter_narrows_the_list()
    {
        var other = await fixture.NewPageAsync();
        var otherId = await OpenAccountAsync(other, "Other Events Account");
        var page = await fixture.NewPageAsync();
        var accountId = await OpenAccountAsync(page, "Events Watcher");
        var events = await fixture.NewPageAsync(Person.Operator);
        await events.GotoAsync("/events");
        await Expect(events.GetByRole(AriaRole.Heading, new() { Name = "Events" })).ToBeVisibleAsync();
        await Expect(Rows(events, otherId).First).ToBeVisibleAsync();

        await DepositAsync(page, "25");
        await Expect(page.GetByTestId("balance")).ToHaveTextAsync("25.00 EUR");

        // The events page was open all along: the deposit arrives through the push, newest first.
        var deposit = Rows(events, accountId).Filter(new() { HasText = "ledger.money-deposited.v1" });
        await Expect(deposit).ToHaveCountAsync(1);
        await Expect(events.Locator("tr.event-row").First).ToContainTextAsync("ledger.money-deposited.v1");
        await Expect(deposit.GetByTestId("event-topic")).ToHaveTextAsync("transactions.events");
        await Expect(deposit.GetByTestId("event-partition")).ToHaveTextAsync(WholeNumber());
        await Expect(deposit.GetByTestId("event-offset")).ToHaveTextAsync(WholeNumber());
        AccessibilityTests.AssertNoSeriousViolations("events", await events.RunAxe());
        await ScreenshotAsync(events, "events");

        await events.GetByLabel("Account (id)").FillAsync(accountId.ToString());

        await Expect(Rows(events, otherId)).ToHaveCountAsync(0);
        await Expect(deposit).ToHaveCountAsync(1);
        var shown = await events.Locator("tr.event-row").CountAsync();
        Assert.True(shown > 1, "The account's opening and its deposit are listed.");
        await Expect(Rows(events, accountId)).ToHaveCountAsync(shown);
        AccessibilityTests.AssertNoSeriousViolations("events of one account", await events.RunAxe());
        await ScreenshotAsync(events, "events-of-one-account");
    }

    [Fact]
    public async Task From_the_events_page_a_deposit_s_lineage_shows_it_stored_published_applied_and_the_version_it_produced()
    {
        var page = await fixture.NewPageAsync(Person.Operator);
        var accountId = await OpenAccountAsync(page, "Lineage Watcher");
        await DepositAsync(page, "40");
        await Expect(page.GetByTestId("balance")).ToHaveTextAsync("40.00 EUR");

        await page.GotoAsync($"/events?account={accountId}");
        var deposit = Rows(page, accountId).Filter(new() { HasText = "ledger.money-deposited.v1" });
        await deposit.GetByTestId("event-lineage").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex(@"/events/[0-9a-f-]{36}$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Where an event went" })).ToBeVisibleAsync();
        // Each service records its part as it goes; a page opened at once may be a moment early: refresh until applied.
        var produced = page.GetByTestId("produced").Filter(new() { HasText = "account_overview at version 2" });
        for (var tries = 0; ; tries++)
        {
            try
            {
                await Expect(produced).ToHaveCountAsync(1, new() { Timeout = 1_000 });
                break;
            }
            catch (PlaywrightException) when (tries < 15)
            {
                await page.GetByTestId("refresh").ClickAsync();
            }
        }

        await Expect(page.GetByTestId("stored")).ToHaveTextAsync($"transactions: KurrentDB stream ledger-{accountId}, revision 1");
        await Expect(page.GetByTestId("publication")).ToContainTextAsync("transactions.events");
        await Expect(page.GetByTestId("application").Filter(new() { HasText = "reactor" })).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("trace-id")).ToHaveTextAsync(new Regex("^[0-9a-f]{32}$"));
        await Expect(page.GetByTestId("trace-link")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("source-down")).ToHaveCountAsync(0);
        var stages = await page.Locator("section[data-testid^=stage-]").EvaluateAllAsync<string[]>("sections => sections.map(s => s.dataset.testid)");
        Assert.Equal(["stage-stored", "stage-published", "stage-applied", "stage-produced"], stages);
        AccessibilityTests.AssertNoSeriousViolations("event lineage", await page.RunAxe());
        await ScreenshotAsync(page, "event-lineage");
    }

    private static ILocator Copy(IPage page, string style) => page.GetByTestId($"copy-{style}");

    /// <summary>The Events page's rows of one account.</summary>
    private static ILocator Rows(IPage page, Guid accountId) =>
        page.Locator("tr.event-row").Filter(new() { Has = page.GetByTestId("event-account").Filter(new() { HasText = accountId.ToString() }) });
}
