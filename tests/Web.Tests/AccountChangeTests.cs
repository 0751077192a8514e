using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static EventDriven.Web.Tests.AccountPages;
using static Microsoft.Playwright.Assertions;

namespace EventDriven.Web.Tests;

[Collection(nameof(WebAppCollection))]
public sealed class AccountChangeTests(WebAppFixture fixture)
{
    [Fact]
    public async Task A_transfer_to_a_closed_account_shows_the_decline_and_the_refund_on_the_source()
    {
        var target = await fixture.NewPageAsync();
        var targetId = await OpenAccountAsync(target, "Closed Target");
        // An empty ledger: Transactions settles the closure at once and Account closes the account.
        await RequestClosureAsync(target);
        await Expect(target.GetByTestId("account-status")).ToHaveTextAsync("closed");
        await ScreenshotAsync(target, "account-closed");

        var source = await fixture.NewPageAsync();
        await OpenAccountAsync(source, "Transfer Source");
        await DepositAsync(source, "100");
        await Expect(source.GetByTestId("balance")).ToHaveTextAsync("100.00 EUR");

        await TransferAsync(source, targetId, "30");

        await Expect(source.GetByTestId("transfer-progress")).ToContainTextAsync("declined by the target, refunded");
        await Expect(source.GetByTestId("balance")).ToHaveTextAsync("100.00 EUR");
        var history = source.GetByTestId("history-line");
        // Newest first: the refund, the debit, the deposit.
        await Expect(history.Nth(0)).ToContainTextAsync("Transfer refunded");
        await Expect(history.Nth(0)).ToContainTextAsync("100.00 EUR");
        await Expect(history.Nth(1)).ToContainTextAsync("Transfer debited");
        await Expect(history.Nth(1)).ToContainTextAsync("70.00 EUR");
        await Expect(history.Nth(2)).ToContainTextAsync("Money deposited");
        AccessibilityTests.AssertNoSeriousViolations("account after a refunded transfer", await source.RunAxe());
        await ScreenshotAsync(source, "transfer-refunded");
    }

    [Fact]
    public async Task A_transfer_between_open_accounts_shows_completed_on_the_source_and_the_credit_on_the_target()
    {
        var target = await fixture.NewPageAsync();
        var targetId = await OpenAccountAsync(target, "Open Target");
        await Expect(DepositForm(target).GetByRole(AriaRole.Button, new() { Name = "Deposit" })).ToBeEnabledAsync();
        var source = await fixture.NewPageAsync();
        await OpenAccountAsync(source, "Paying Source");
        await DepositAsync(source, "50");
        await Expect(source.GetByTestId("balance")).ToHaveTextAsync("50.00 EUR");

        await TransferAsync(source, targetId, "20");

        await Expect(source.GetByTestId("transfer-progress")).ToContainTextAsync("completed");
        await Expect(source.GetByTestId("balance")).ToHaveTextAsync("30.00 EUR");
        // The target's page was open all along: the credit reaches it through the push.
        await Expect(target.GetByTestId("balance")).ToHaveTextAsync("20.00 EUR");
        await Expect(target.GetByTestId("history-line").Nth(0)).ToContainTextAsync("Transfer credited");
        await ScreenshotAsync(source, "transfer-completed");
    }

    [Fact]
    public async Task A_change_based_on_a_version_changed_meanwhile_says_so_and_shows_the_new_state()
    {
        var first = await fixture.NewPageAsync();
        var accountId = await OpenAccountAsync(first, "Stale Version Tester");
        var second = await fixture.NewPageAsync();
        await second.GotoAsync($"/accounts/{accountId}");
        await Expect(second.GetByTestId("account-version")).ToHaveTextAsync("1");
        // The second person starts typing a new city on the version they see.
        await ChangeForm(second, "address").GetByLabel("City").FillAsync("Amsterdam");

        await ChangeForm(first, "address").GetByLabel("City").FillAsync("Rotterdam");
        await ChangeForm(first, "address").GetByRole(AriaRole.Button, new() { Name = "Change address" }).ClickAsync();
        await Expect(first.GetByTestId("account-version")).ToHaveTextAsync("2");

        await ChangeForm(second, "address").GetByRole(AriaRole.Button, new() { Name = "Change address" }).ClickAsync();

        await Expect(ChangeForm(second, "address").GetByTestId("change-refusal")).ToContainTextAsync("the account changed meanwhile");
        await Expect(second.GetByTestId("account-version")).ToHaveTextAsync("2");
        await Expect(ChangeForm(second, "address").GetByLabel("City")).ToHaveValueAsync("Rotterdam");
        AccessibilityTests.AssertNoSeriousViolations("account after a stale change", await second.RunAxe());
        await ScreenshotAsync(second, "address-changed-meanwhile");
    }
}
