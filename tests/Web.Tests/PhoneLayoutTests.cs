using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static EventDriven.Web.Tests.AccessibilityTests;
using static EventDriven.Web.Tests.AccountPages;
using static Microsoft.Playwright.Assertions;

namespace EventDriven.Web.Tests;

/// <summary>The pages at a phone's width (375 × 740): nothing scrolls sideways, the navigation is behind a menu button.</summary>
[Collection(nameof(WebAppCollection))]
public sealed class PhoneLayoutTests(WebAppFixture fixture)
{
    private Task<IPage> NewPhonePageAsync() =>
        fixture.NewPageAsync(Person.Operator, new()
        {
            ViewportSize = new() { Width = 375, Height = 740 },
            IsMobile = true,
            HasTouch = true,
        });

    /// <summary>The document is no wider than the screen (a wide table scrolls in its own box).</summary>
    private static async Task AssertNoHorizontalScrollAsync(IPage page, string what)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]");
        var (scrollWidth, clientWidth) = (widths[0], widths[1]);
        Assert.True(scrollWidth <= clientWidth, $"{what}: the page is {scrollWidth} px wide on a {clientWidth} px screen.");
    }

    [Fact]
    public async Task At_a_phones_width_the_accounts_list_and_an_account_page_fit_the_screen_and_the_menu_reaches_every_page()
    {
        var page = await NewPhonePageAsync();
        await OpenAccountAsync(page, "Phone Tester");
        await DepositAsync(page, "1234.5");
        await Expect(page.GetByTestId("balance")).ToHaveTextAsync("1,234.50 EUR");
        await Expect(page.GetByTestId("history-line")).ToHaveCountAsync(1);
        await AssertNoHorizontalScrollAsync(page, "account");
        AssertNoSeriousViolations("account at a phone's width", await page.RunAxe());
        await ScreenshotAsync(page, "phone-account");

        // The bar has no room for the links: they are behind the menu button, and each one is reachable there.
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main", Exact = true })).ToBeHiddenAsync();
        var menuButton = page.GetByRole(AriaRole.Button, new() { Name = "Menu" });
        await menuButton.ClickAsync();
        await Expect(menuButton).ToHaveAttributeAsync("aria-expanded", "true");
        var menu = page.GetByRole(AriaRole.Navigation, new() { Name = "Main menu" });
        foreach (var link in new[] { "Accounts", "Events", "Event styles", "Operations" })
        {
            await Expect(menu.GetByRole(AriaRole.Link, new() { Name = link, Exact = true })).ToBeVisibleAsync();
        }

        AssertNoSeriousViolations("menu at a phone's width", await page.RunAxe());
        await ScreenshotAsync(page, "phone-menu");
        await menu.GetByRole(AriaRole.Link, new() { Name = "Accounts", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/accounts$"));
        // Choosing a page closes the menu (the closed drawer slides out of view).
        await Expect(menuButton).ToHaveAttributeAsync("aria-expanded", "false");

        await Expect(page.GetByTestId("accounts").GetByRole(AriaRole.Link).First).ToBeVisibleAsync();
        await AssertNoHorizontalScrollAsync(page, "accounts");
        AssertNoSeriousViolations("accounts at a phone's width", await page.RunAxe());
        await ScreenshotAsync(page, "phone-accounts");
    }

    [Fact]
    public async Task The_transfer_target_is_picked_by_searching_its_owner_and_the_focus_moves_to_the_outcome()
    {
        var page = await NewPhonePageAsync();
        var owner = $"Picked {Guid.NewGuid():N}"[..19];
        await OpenAccountAsync(page, owner);
        await OpenAccountAsync(page, "Picker Source");
        await DepositAsync(page, "50");
        await Expect(page.GetByTestId("balance")).ToHaveTextAsync("50.00 EUR");

        await PickTransferTargetAsync(page, owner[..12], owner);
        AssertNoSeriousViolations("transfer target picked", await page.RunAxe());
        await TransferAmountAsync(page, "20");

        var outcome = page.GetByTestId("transfer-form").GetByTestId("outcome");
        await Expect(outcome).ToContainTextAsync($"Transfer of 20.00 EUR to {owner} started");
        await Expect(outcome).ToBeFocusedAsync();
        await Expect(page.GetByTestId("transfer-progress")).ToContainTextAsync("completed");
        await AssertNoHorizontalScrollAsync(page, "account after a transfer");
        await ScreenshotAsync(page, "phone-transfer");

        await page.GetByTestId("transfer-progress").GetByRole(AriaRole.Link, new() { Name = owner }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = owner })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("balance")).ToHaveTextAsync("20.00 EUR");
    }
}
