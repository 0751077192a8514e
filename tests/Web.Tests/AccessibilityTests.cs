using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static EventDriven.Web.Tests.AccountPages;
using static Microsoft.Playwright.Assertions;

namespace EventDriven.Web.Tests;

[Collection(nameof(WebAppCollection))]
public sealed class AccessibilityTests(WebAppFixture fixture)
{
    [Fact]
    public async Task The_accounts_page_and_an_account_page_have_no_serious_or_critical_accessibility_violations()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/accounts");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Accounts" })).ToBeVisibleAsync();
        AssertNoSeriousViolations("accounts", await page.RunAxe());
        await ScreenshotAsync(page, "accounts");

        await OpenAccountAsync(page, "Accessibility Tester");
        await Expect(DepositForm(page).GetByRole(AriaRole.Button, new() { Name = "Deposit" })).ToBeEnabledAsync();
        AssertNoSeriousViolations("account", await page.RunAxe());
        await ScreenshotAsync(page, "account");
    }

    internal static void AssertNoSeriousViolations(string page, Deque.AxeCore.Commons.AxeResult result)
    {
        var serious = result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {string.Join(", ", v.Nodes.Select(n => n.Html))}")
            .ToList();
        Assert.True(serious.Count == 0, $"{page}: {string.Join(Environment.NewLine, serious)}");
    }
}
