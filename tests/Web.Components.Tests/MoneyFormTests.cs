using System.Net;
using Bunit;
using EventDriven.Web.Components.Accounts;
using EventDriven.Web.Services;
using Microsoft.AspNetCore.Components;

namespace EventDriven.Web.Components.Tests;

/// <summary>The deposit form with the real LedgerClient: what Transactions answers, and the transaction id it is sent.</summary>
public sealed class MoneyFormTests : FormContext
{
    private static readonly Guid AccountId = Guid.Parse("5b0c6f0e-0c1e-4d8e-9a43-2f52a1c0d001");
    private const string AmountLabel = "Deposit amount (EUR)";

    private readonly List<LedgerReceipt> _moved = [];

    private IRenderedComponent<IComponent> RenderDeposit() => Render<MoneyForm>(p => p
        .Add(f => f.AccountId, AccountId)
        .Add(f => f.Currency, "EUR")
        .Add(f => f.Movement, MoneyMovement.Deposit)
        .Add(f => f.OnMoved, receipt => _moved.Add(receipt)));

    private static async Task DepositAsync(IRenderedComponent<IComponent> cut, string amount)
    {
        await Field(cut, AmountLabel).InputAsync(new ChangeEventArgs { Value = amount });
        await cut.Find("form").SubmitAsync();
    }

    private static LedgerReceipt Receipt(Guid transactionId, decimal amount, decimal balance) =>
        new(transactionId, AccountId, "ledger.money-deposited.v1", amount, "EUR", balance, 2, DateTimeOffset.UtcNow);

    [Fact]
    public async Task A_validation_problem_shows_under_the_amount_field_and_the_focus_moves_to_the_outcome()
    {
        TransactionsService.Problem(HttpStatusCode.BadRequest,
            """{"title":"One or more validation errors occurred.","status":400,"errors":{"amount":["The amount has at most 2 decimals."]}}""");
        var cut = RenderDeposit();

        await DepositAsync(cut, "1.234");

        cut.WaitForAssertion(() => Assert.Contains("The amount has at most 2 decimals.", TextAround(cut, AmountLabel), StringComparison.Ordinal));
        Assert.Equal("Not done: see the amount.", Outcome(cut));
        AssertFocusIsOnTheOutcome(cut);
        Assert.Empty(_moved);
    }

    [Fact]
    public async Task Text_that_is_no_amount_is_refused_at_the_field_without_a_request()
    {
        var cut = RenderDeposit();

        await DepositAsync(cut, "twelve");

        Assert.Contains("An amount, such as 25.00.", TextAround(cut, AmountLabel), StringComparison.Ordinal);
        Assert.Empty(TransactionsService.Sent);
    }

    [Theory]
    [InlineData(HttpStatusCode.UnprocessableEntity, "The balance is 10.00 EUR; 25.00 EUR cannot be withdrawn.",
        "Not done: The balance is 10.00 EUR; 25.00 EUR cannot be withdrawn.")]
    [InlineData(HttpStatusCode.Conflict, "The ledger moved on meanwhile.", "Not done: the ledger changed at the same moment (The ledger moved on meanwhile.). Try again.")]
    public async Task A_refusal_without_fields_becomes_a_sentence(HttpStatusCode status, string detail, string sentence)
    {
        TransactionsService.Problem(status, $$"""{"title":"Refused","status":{{(int)status}},"detail":"{{detail}}"}""");
        var cut = RenderDeposit();

        await DepositAsync(cut, "25");

        cut.WaitForAssertion(() => Assert.Equal(sentence, Outcome(cut)));
        AssertFocusIsOnTheOutcome(cut);
    }

    [Fact]
    public async Task A_retry_after_no_answer_a_timeout_and_a_503_sends_the_same_transaction_id_and_a_new_deposit_gets_a_new_one()
    {
        TransactionsService.NoAnswer().Timeout().Answer(_ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        var cut = RenderDeposit();

        foreach (var attempt in Enumerable.Range(1, 3))
        {
            await DepositAsync(cut, "25.00");
            // This attempt's request was sent and answered (not the last attempt's message still showing).
            cut.WaitForAssertion(() => Assert.Equal(attempt, TransactionsService.Sent.Count));
            cut.WaitForAssertion(() => Assert.False(cut.Find("button[type=submit]").HasAttribute("disabled")));
            cut.WaitForAssertion(() => Assert.Equal(
                "Transactions is not answering. Nothing was moved that you cannot see; try again and it counts once.", Outcome(cut)));
        }

        var intent = TransactionsService.Sent[0].Json.GetProperty("transactionId").GetGuid();
        TransactionsService.Json(HttpStatusCode.OK, Receipt(intent, 25m, 125m));
        await DepositAsync(cut, "25.00");
        cut.WaitForAssertion(() => Assert.Equal("Deposited 25.00 EUR; the balance is 125.00 EUR.", Outcome(cut)));

        TransactionsService.Json(HttpStatusCode.OK, Receipt(Guid.NewGuid(), 25m, 150m));
        await DepositAsync(cut, "25.00");
        cut.WaitForAssertion(() => Assert.Equal(5, TransactionsService.Sent.Count));

        var ids = TransactionsService.Sent.Select(r => r.Json.GetProperty("transactionId").GetGuid()).ToList();
        Assert.All(ids.Take(4), id => Assert.Equal(intent, id));
        Assert.NotEqual(intent, ids[4]);
        Assert.All(TransactionsService.Sent, r => Assert.Equal($"/ledgers/{AccountId}/deposits", r.Path));
        Assert.Single(_moved, m => m.TransactionId == intent);
    }

    [Fact]
    public async Task A_double_click_sends_one_request_and_the_button_waits_for_the_answer()
    {
        var answer = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        TransactionsService.AnswerLater(answer.Task);
        var cut = RenderDeposit();
        await Field(cut, AmountLabel).InputAsync(new ChangeEventArgs { Value = "10" });

        var first = cut.Find("form").SubmitAsync();
        cut.WaitForAssertion(() => Assert.True(cut.Find("button[type=submit]").HasAttribute("disabled")));
        var second = cut.Find("form").SubmitAsync();
        await second;

        var intent = Assert.Single(TransactionsService.Sent).Json.GetProperty("transactionId").GetGuid();
        answer.SetResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = System.Net.Http.Json.JsonContent.Create(Receipt(intent, 10m, 10m)) });
        await first;
        cut.WaitForAssertion(() => Assert.Equal("Deposited 10.00 EUR; the balance is 10.00 EUR.", Outcome(cut)));
        Assert.Single(TransactionsService.Sent);
        Assert.False(cut.Find("button[type=submit]").HasAttribute("disabled"));
    }
}
