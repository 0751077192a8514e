using System.Net.Http.Json;
using Microsoft.Playwright;
using static EventDriven.Web.Tests.AccountPages;
using static Microsoft.Playwright.Assertions;

namespace EventDriven.Web.Tests;

[Collection(nameof(WebAppCollection))]
public sealed class AccountPageTests(WebAppFixture fixture)
{
    [Fact]
    public async Task A_deposit_changes_the_balance_on_the_page_without_a_navigation()
    {
        var page = await fixture.NewPageAsync();
        await OpenAccountAsync(page, "Deposit Tester");
        await Expect(page.GetByTestId("balance")).ToHaveTextAsync("0.00 EUR");
        // A navigation or reload would start a new document and lose this marker.
        await page.EvaluateAsync("() => { window.sameDocument = true; }");

        await DepositAsync(page, "25.50");

        await Expect(page.GetByTestId("balance")).ToHaveTextAsync("25.50 EUR");
        await Expect(page.GetByTestId("ledger-version")).Not.ToHaveTextAsync("0");
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"));
        await ScreenshotAsync(page, "account-after-deposit");
    }

    [Fact]
    public async Task An_invalid_amount_shows_an_error_next_to_the_amount_field_and_moves_no_money()
    {
        var page = await fixture.NewPageAsync();
        var accountId = await OpenAccountAsync(page, "Validation Tester");
        await DepositAsync(page, "10");
        await Expect(page.GetByTestId("balance")).ToHaveTextAsync("10.00 EUR");
        var version = await page.GetByTestId("ledger-version").TextContentAsync();

        await DepositAsync(page, "-5");
        await Expect(DepositAmountField(page)).ToContainTextAsync("The amount must be positive.");
        await DepositAsync(page, "1.234");
        await Expect(DepositAmountField(page)).ToContainTextAsync("The amount has at most 2 decimals.");
        await DepositAsync(page, "1000000000.01");
        await Expect(DepositAmountField(page)).ToContainTextAsync("The amount is at most");
        await ScreenshotAsync(page, "account-invalid-amount");

        await Expect(page.GetByTestId("balance")).ToHaveTextAsync("10.00 EUR");
        await Expect(page.GetByTestId("ledger-version")).ToHaveTextAsync(version!);
        // At the source, not only on the page: the ledger holds the one valid deposit.
        using var transactions = await fixture.CreateHttpClientAsync("transactions", Person.Customer);
        var ledger = await transactions.GetFromJsonAsync<Ledger>($"/ledgers/{accountId}", TestContext.Current.CancellationToken);
        Assert.Equal(new Ledger(10m, long.Parse(version!, System.Globalization.CultureInfo.InvariantCulture)), ledger);
    }

    [Fact]
    public async Task A_deposit_in_one_browser_appears_in_another_on_the_same_account_without_reload()
    {
        var first = await fixture.NewPageAsync();
        var accountId = await OpenAccountAsync(first, "Two Tabs Tester");
        var second = await fixture.NewPageAsync();
        await second.GotoAsync($"/accounts/{accountId}");
        await Expect(second.GetByTestId("account-status")).ToHaveTextAsync("open");
        // Once the second page's own reads are done (Transactions knows the account), only the push can bring the deposit.
        await Expect(DepositForm(second).GetByRole(AriaRole.Button, new() { Name = "Deposit" })).ToBeEnabledAsync();
        await second.EvaluateAsync("() => { window.sameDocument = true; }");

        await DepositAsync(first, "40");

        await Expect(first.GetByTestId("balance")).ToHaveTextAsync("40.00 EUR");
        await Expect(second.GetByTestId("balance")).ToHaveTextAsync("40.00 EUR");
        Assert.True(await second.EvaluateAsync<bool>("() => window.sameDocument === true"));
        await ScreenshotAsync(first, "two-pages-first");
        await ScreenshotAsync(second, "two-pages-second");
    }

    private sealed record Ledger(decimal Balance, long Version);
}
