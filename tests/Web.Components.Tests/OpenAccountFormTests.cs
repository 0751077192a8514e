using System.Net;
using Bunit;
using Bunit.TestDoubles;
using EventDriven.Web.Components.Accounts;
using EventDriven.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace EventDriven.Web.Components.Tests;

/// <summary>The open-account form with the real AccountClient: field errors in place, one Idempotency-Key per intent.</summary>
public sealed class OpenAccountFormTests : FormContext
{
    private static readonly AccountSnapshot Opened = new(
        Guid.Parse("0e6b1f9c-2d3a-4c5b-8e7f-9a0b1c2d3e4f"), "Test Owner", "owner@example.com", null,
        new PostalAddress("Main Street 1", "Utrecht", "3511 AA", "NL"), "EUR", "open", null, 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    private static async Task FillAsync(IRenderedComponent<IComponent> cut)
    {
        foreach (var (label, value) in new[]
                 {
                     ("Owner name", "Test Owner"), ("E-mail", "owner@example.com"), ("Street", "Main Street 1"), ("City", "Utrecht"),
                     ("Postal code", "3511 AA"), ("Country (two letters)", "NL"),
                 })
        {
            await Field(cut, label).ChangeAsync(new ChangeEventArgs { Value = value });
        }
    }

    [Fact]
    public async Task Validation_problems_show_next_to_the_owner_the_e_mail_and_the_city_and_one_naming_no_field_as_a_sentence()
    {
        AccountService.Problem(HttpStatusCode.BadRequest, """
            {"title":"One or more validation errors occurred.","status":400,"errors":{
              "ownerName":["An owner name of 1 to 200 characters."],
              "email":["An e-mail address, such as someone@example.com."],
              "address.city":["A city."],
              "Idempotency-Key":["A GUID."]}}
            """);
        var cut = Render<OpenAccountForm>();
        await FillAsync(cut);

        await cut.Find("form").SubmitAsync();

        cut.WaitForAssertion(() => Assert.Contains("An owner name of 1 to 200 characters.", TextAround(cut, "Owner name"), StringComparison.Ordinal));
        Assert.Contains("An e-mail address, such as someone@example.com.", TextAround(cut, "E-mail"), StringComparison.Ordinal);
        Assert.Contains("A city.", TextAround(cut, "City"), StringComparison.Ordinal);
        Assert.DoesNotContain("A city.", TextAround(cut, "Street"), StringComparison.Ordinal);
        Assert.Equal("A GUID.", Outcome(cut));
        AssertFocusIsOnTheOutcome(cut);
    }

    [Fact]
    public async Task A_retry_after_no_answer_sends_the_same_key_and_the_opened_account_is_shown()
    {
        AccountService.NoAnswer().Json(HttpStatusCode.Created, Opened);
        var cut = Render<OpenAccountForm>();
        await FillAsync(cut);

        await cut.Find("form").SubmitAsync();
        cut.WaitForAssertion(() => Assert.Equal("Account is not answering. Try again; the account is opened once.", Outcome(cut)));
        AssertFocusIsOnTheOutcome(cut);
        await cut.Find("form").SubmitAsync();

        var navigation = Services.GetRequiredService<BunitNavigationManager>();
        cut.WaitForAssertion(() => Assert.EndsWith($"/accounts/{Opened.AccountId}", navigation.Uri, StringComparison.Ordinal));
        var keys = AccountService.Sent.Select(r => r.Header("Idempotency-Key")).ToList();
        Assert.Equal(2, keys.Count);
        Assert.Equal(keys[0], keys[1]);
        Assert.True(Guid.TryParse(keys[0], out _));
    }

    [Fact]
    public async Task Changed_details_after_no_answer_are_a_new_intent_with_a_new_key()
    {
        AccountService.NoAnswer().NoAnswer();
        var cut = Render<OpenAccountForm>();
        await FillAsync(cut);
        await cut.Find("form").SubmitAsync();
        cut.WaitForAssertion(() => Assert.Single(AccountService.Sent));

        await Field(cut, "Owner name").ChangeAsync(new ChangeEventArgs { Value = "Another Owner" });
        await cut.Find("form").SubmitAsync();

        cut.WaitForAssertion(() => Assert.Equal(2, AccountService.Sent.Count));
        Assert.NotEqual(AccountService.Sent[0].Header("Idempotency-Key"), AccountService.Sent[1].Header("Idempotency-Key"));
    }

    [Fact]
    public async Task A_double_click_opens_one_account()
    {
        var answer = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        AccountService.AnswerLater(answer.Task);
        var cut = Render<OpenAccountForm>();
        await FillAsync(cut);

        var first = cut.Find("form").SubmitAsync();
        await cut.Find("form").SubmitAsync();
        answer.SetResult(new HttpResponseMessage(HttpStatusCode.Created) { Content = System.Net.Http.Json.JsonContent.Create(Opened) });
        await first;

        Assert.Single(AccountService.Sent);
    }
}
