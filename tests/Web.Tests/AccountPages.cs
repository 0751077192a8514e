using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EventDriven.Web.Tests;

/// <summary>What a person does on the pages, in the words of the pages (labels, buttons), for the tests to read as steps.</summary>
internal static partial class AccountPages
{
    [GeneratedRegex(@"/accounts/([0-9a-f-]{36})$")]
    private static partial Regex AccountUrl();

    /// <summary>Opens an account through the form on the home page; returns its id once the account page shows it.</summary>
    public static async Task<Guid> OpenAccountAsync(IPage page, string owner)
    {
        await page.GotoAsync("/");
        var form = page.Locator("form", new() { Has = page.GetByRole(AriaRole.Button, new() { Name = "Open account" }) });
        await form.GetByLabel("Owner name").FillAsync(owner);
        await form.GetByLabel("E-mail").FillAsync("someone@example.com");
        await form.GetByLabel("Currency").FillAsync("EUR");
        await form.GetByLabel("Street").FillAsync("Main Street 1");
        await form.GetByLabel("City").FillAsync("Utrecht");
        await form.GetByLabel("Postal code").FillAsync("3511 AA");
        await form.GetByLabel("Country").FillAsync("NL");
        await form.GetByRole(AriaRole.Button, new() { Name = "Open account" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(AccountUrl());
        await Expect(page.GetByTestId("account-status")).ToHaveTextAsync("open");
        return Guid.Parse(AccountUrl().Match(page.Url).Groups[1].Value);
    }

    public static ILocator DepositForm(IPage page) => page.GetByTestId("deposit-form");

    /// <summary>The amount field together with the messages shown under it.</summary>
    public static ILocator DepositAmountField(IPage page) => DepositForm(page).Locator(".mud-input-control", new() { Has = page.GetByRole(AriaRole.Textbox) });

    /// <summary>Types an amount and presses Deposit (which waits, as a person would, until Transactions knows the account).</summary>
    public static async Task DepositAsync(IPage page, string amount)
    {
        await DepositForm(page).GetByRole(AriaRole.Textbox).FillAsync(amount);
        await DepositForm(page).GetByRole(AriaRole.Button, new() { Name = "Deposit" }).ClickAsync();
        // The submit is over when its outcome (done or refused) takes the focus; typing elsewhere before that loses it.
        await Expect(DepositForm(page).GetByTestId("outcome")).ToBeFocusedAsync();
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(WebAppFixture.ScreenshotDirectory, $"{name}.png"), FullPage = true });

    /// <summary>One of Account's change forms, by what it changes: "address", "contact", "freeze", "unfreeze", "closure".</summary>
    public static ILocator ChangeForm(IPage page, string change) => page.GetByTestId($"{change}-form");

    /// <summary>Presses Request closure once the account page shows the account (and Transactions knows it).</summary>
    public static async Task RequestClosureAsync(IPage page)
    {
        await Expect(DepositForm(page).GetByRole(AriaRole.Button, new() { Name = "Deposit" })).ToBeEnabledAsync();
        await ChangeForm(page, "closure").GetByRole(AriaRole.Button, new() { Name = "Request closure" }).ClickAsync();
    }

    /// <summary>Picks the target account by pasting its id into the picker, types an amount and presses Transfer.</summary>
    public static async Task TransferAsync(IPage page, Guid toAccountId, string amount)
    {
        await PickTransferTargetAsync(page, toAccountId.ToString(), toAccountId.ToString()[..8]);
        await TransferAmountAsync(page, amount);
    }

    /// <summary>Types into the transfer's target picker and chooses the suggestion that shows <paramref name="choose"/>.</summary>
    public static async Task PickTransferTargetAsync(IPage page, string search, string choose)
    {
        var picker = page.GetByTestId("transfer-form").GetByRole(AriaRole.Combobox, new() { Name = "To account", Exact = true });
        await picker.FillAsync(search);
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = choose }).ClickAsync();
        // Chosen: the picker shows the account and its list has closed.
        await Expect(picker).ToHaveValueAsync(new Regex(Regex.Escape(choose)));
        await Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
    }

    public static async Task TransferAmountAsync(IPage page, string amount)
    {
        var form = page.GetByTestId("transfer-form");
        var amountField = form.GetByRole(AriaRole.Textbox, new() { Name = "Transfer amount (EUR)" });
        await amountField.FillAsync(amount);
        await Expect(amountField).ToHaveValueAsync(amount);
        await form.GetByRole(AriaRole.Button, new() { Name = "Transfer" }).ClickAsync();
    }
}
