using System.Net;
using Bunit;
using EventDriven.Web.Components.Accounts;
using EventDriven.Web.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace EventDriven.Web.Components.Tests;

/// <summary>The transfer form: the target found by searching Account for its owner, the transfer sent to Transactions.</summary>
public sealed class TransferFormTests : FormContext
{
    private static readonly Guid Source = Guid.Parse("11111111-2222-4333-8444-555555555555");

    private static readonly AccountSnapshot Target = new(
        Guid.Parse("9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"), "Target Owner", "target@example.com", null,
        new PostalAddress("Side Street 2", "Delft", "2611 AA", "NL"), "EUR", "closed", null, 7, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    private IRenderedComponent<IComponent> RenderTransfer() => Render(builder =>
    {
        // The autocomplete's list is a popover: it renders in the layout's provider.
        builder.OpenComponent<MudPopoverProvider>(0);
        builder.CloseComponent();
        builder.OpenComponent<TransferForm>(1);
        builder.AddComponentParameter(2, nameof(TransferForm.AccountId), Source);
        builder.AddComponentParameter(3, nameof(TransferForm.Currency), "EUR");
        builder.CloseComponent();
    });

    private async Task PickTargetAsync(IRenderedComponent<IComponent> cut, string search)
    {
        AccountService.Json(HttpStatusCode.OK, new AccountPage([Target], 1, 10, 1));
        await Field(cut, "To account").InputAsync(new ChangeEventArgs { Value = search });
        var option = await cut.WaitForElementAsync(".mud-popover .mud-list-item", TimeSpan.FromSeconds(5));
        Assert.Contains("Target Owner", option.TextContent, StringComparison.Ordinal);
        await option.ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());
    }

    [Fact]
    public async Task The_target_is_found_by_its_owner_in_the_accounts_currency_and_a_decline_reads_as_a_sentence()
    {
        var cut = RenderTransfer();

        await PickTargetAsync(cut, "Target");
        var search = Assert.Single(AccountService.Sent);
        Assert.Equal("/accounts?page=1&pageSize=10&owner=Target&currency=EUR", search.Path);

        TransactionsService.Problem(HttpStatusCode.UnprocessableEntity, """{"title":"Refused","status":422,"detail":"The target account is closed."}""");
        await Field(cut, "Transfer amount (EUR)").InputAsync(new ChangeEventArgs { Value = "30" });
        await cut.Find("form").SubmitAsync();

        cut.WaitForAssertion(() => Assert.Equal("Not done: The target account is closed.", Outcome(cut)));
        AssertFocusIsOnTheOutcome(cut);
        var transfer = Assert.Single(TransactionsService.Sent);
        Assert.Equal($"/ledgers/{Source}/transfers", transfer.Path);
        Assert.Equal((Target.AccountId, 30m), (transfer.Json.GetProperty("toAccountId").GetGuid(), transfer.Json.GetProperty("amount").GetDecimal()));
    }

    [Fact]
    public async Task A_problem_naming_the_target_account_shows_under_the_picker()
    {
        var cut = RenderTransfer();
        await PickTargetAsync(cut, "Target");
        TransactionsService.Problem(HttpStatusCode.BadRequest,
            """{"title":"One or more validation errors occurred.","status":400,"errors":{"toAccountId":["A transfer goes to another account."]}}""");
        await Field(cut, "Transfer amount (EUR)").InputAsync(new ChangeEventArgs { Value = "5" });

        await cut.Find("form").SubmitAsync();

        cut.WaitForAssertion(() => Assert.Contains("A transfer goes to another account.", TextAround(cut, "To account"), StringComparison.Ordinal));
        Assert.DoesNotContain("another account", TextAround(cut, "Transfer amount (EUR)"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_target_nothing_is_sent_and_the_picker_says_so()
    {
        var cut = RenderTransfer();
        await Field(cut, "Transfer amount (EUR)").InputAsync(new ChangeEventArgs { Value = "5" });

        await cut.Find("form").SubmitAsync();

        Assert.Contains("Choose the account to transfer to.", TextAround(cut, "To account"), StringComparison.Ordinal);
        Assert.Empty(TransactionsService.Sent);
    }

    [Fact]
    public async Task A_retry_after_no_answer_sends_the_same_transaction_id()
    {
        var cut = RenderTransfer();
        await PickTargetAsync(cut, "Target");
        TransactionsService.NoAnswer().Answer(_ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        await Field(cut, "Transfer amount (EUR)").InputAsync(new ChangeEventArgs { Value = "12.50" });

        await cut.Find("form").SubmitAsync();
        cut.WaitForAssertion(() => Assert.StartsWith("Transactions is not answering.", Outcome(cut), StringComparison.Ordinal));
        await cut.Find("form").SubmitAsync();

        cut.WaitForAssertion(() => Assert.Equal(2, TransactionsService.Sent.Count));
        var ids = TransactionsService.Sent.Select(r => r.Json.GetProperty("transactionId").GetGuid()).ToList();
        Assert.Equal(ids[0], ids[1]);
    }
}
