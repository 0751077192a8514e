using System.Net;
using Bunit;
using EventDriven.Web.Components.Accounts;
using EventDriven.Web.Services;
using Microsoft.AspNetCore.Components;

namespace EventDriven.Web.Components.Tests;

/// <summary>Account's change forms with the real AccountClient: If-Match from the version shown, one key per intent.</summary>
public sealed class AccountChangeFormTests : FormContext
{
    private const string ETag = "W/\"3\"";

    private static readonly AccountSnapshot Account = new(
        Guid.Parse("a3c1e0d2-7f4b-4b8e-8d7e-0c2b9f1a2e33"), "Test Owner", "owner@example.com", null,
        new PostalAddress("Main Street 1", "Utrecht", "3511 AA", "NL"), "EUR", "open", null, 3, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    private int _changed;

    private IRenderedComponent<IComponent> RenderChange(AccountChange change) => Render<AccountChangeForm>(p => p
        .Add(f => f.AccountId, Account.AccountId)
        .Add(f => f.Change, change)
        .Add(f => f.Account, Account)
        .Add(f => f.ETag, ETag)
        .Add(f => f.OnChanged, () => _changed++));

    private static async Task SubmitAsync(IRenderedComponent<IComponent> cut) => await cut.Find("form").SubmitAsync();

    [Fact]
    public async Task A_validation_problem_for_the_e_mail_shows_under_the_e_mail_field()
    {
        AccountService.Problem(HttpStatusCode.BadRequest,
            """{"title":"One or more validation errors occurred.","status":400,"errors":{"email":["An e-mail address, such as someone@example.com."]}}""");
        var cut = RenderChange(AccountChange.Contact);
        await Field(cut, "E-mail").InputAsync(new ChangeEventArgs { Value = "not-an-address" });

        await SubmitAsync(cut);

        cut.WaitForAssertion(() => Assert.Contains("An e-mail address, such as someone@example.com.", TextAround(cut, "E-mail"), StringComparison.Ordinal));
        Assert.DoesNotContain("An e-mail address", TextAround(cut, "Phone"), StringComparison.Ordinal);
        Assert.Equal("Not done: see the marked fields.", Outcome(cut));
        AssertFocusIsOnTheOutcome(cut);
        var sent = Assert.Single(AccountService.Sent);
        Assert.Equal((HttpMethod.Put, $"/accounts/{Account.AccountId}/contact", ETag), (sent.Method, sent.Path, sent.Header("If-Match")));
        Assert.Equal(0, _changed);
    }

    [Fact]
    public async Task A_409_becomes_a_sentence()
    {
        AccountService.Problem(HttpStatusCode.Conflict, """{"title":"Refused","status":409,"detail":"A closed account cannot be frozen."}""");
        var cut = RenderChange(AccountChange.Freeze);
        await Field(cut, "Reason to freeze").InputAsync(new ChangeEventArgs { Value = "Lost card" });

        await SubmitAsync(cut);

        cut.WaitForAssertion(() => Assert.Equal("Not done: A closed account cannot be frozen.", Outcome(cut)));
        AssertFocusIsOnTheOutcome(cut);
    }

    [Fact]
    public async Task A_412_says_the_account_changed_meanwhile_shows_the_new_state_and_has_the_page_read_it_again()
    {
        AccountService.Problem(HttpStatusCode.PreconditionFailed, """{"title":"Precondition failed","status":412}""");
        // The account as it is now, which the form reads at once.
        AccountService.Json(HttpStatusCode.OK, Account with { Address = Account.Address with { City = "Rotterdam" }, Version = 4 });
        var cut = Render<AccountChangeForm>(p => p
            .Add(f => f.AccountId, Account.AccountId).Add(f => f.Change, AccountChange.Address)
            .Add(f => f.Account, Account).Add(f => f.ETag, ETag).Add(f => f.OnChanged, () => _changed++));
        await Field(cut, "City").InputAsync(new ChangeEventArgs { Value = "Amsterdam" });

        await SubmitAsync(cut);

        cut.WaitForAssertion(() => Assert.Equal("Not done: the account changed meanwhile. It now shows the new state; check it and try again.", Outcome(cut)));
        Assert.Equal(1, _changed);
        // Also when the page renders once more with the copy it had before its own re-read.
        cut.Render(p => p.Add(f => f.Account, Account).Add(f => f.ETag, ETag));
        Assert.Equal("Rotterdam", Field(cut, "City").GetAttribute("value"));
    }

    [Fact]
    public async Task After_a_change_the_form_shows_the_account_as_changed_even_when_the_page_renders_its_older_copy_first()
    {
        AccountService.Json(HttpStatusCode.OK, Account with { Address = Account.Address with { City = "Rotterdam" }, Version = 4 });
        var cut = Render<AccountChangeForm>(p => p
            .Add(f => f.AccountId, Account.AccountId).Add(f => f.Change, AccountChange.Address)
            .Add(f => f.Account, Account).Add(f => f.ETag, ETag).Add(f => f.OnChanged, () => _changed++));
        await Field(cut, "City").InputAsync(new ChangeEventArgs { Value = "Rotterdam" });

        await SubmitAsync(cut);
        cut.WaitForAssertion(() => Assert.Equal("Address changed. The account is now open, version 4.", Outcome(cut)));

        // The page renders again with the account it had before its re-read finished.
        cut.Render(p => p.Add(f => f.Account, Account).Add(f => f.ETag, ETag));

        Assert.Equal("Rotterdam", Field(cut, "City").GetAttribute("value"));
    }

    [Fact]
    public async Task A_retry_after_a_timeout_and_a_503_sends_the_same_key_and_version_and_the_next_change_gets_a_new_key()
    {
        AccountService.Timeout().Answer(_ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        var cut = RenderChange(AccountChange.Address);
        await Field(cut, "City").InputAsync(new ChangeEventArgs { Value = "Amersfoort" });

        foreach (var _ in Enumerable.Range(0, 2))
        {
            await SubmitAsync(cut);
            cut.WaitForAssertion(() => Assert.Equal("Account is not answering. Nothing changed that you cannot see; try again and it counts once.", Outcome(cut)));
        }

        AccountService.Json(HttpStatusCode.OK, Account with { Address = Account.Address with { City = "Amersfoort" }, Version = 4 });
        await SubmitAsync(cut);
        cut.WaitForAssertion(() => Assert.Equal("Address changed. The account is now open, version 4.", Outcome(cut)));
        AssertFocusIsOnTheOutcome(cut);

        AccountService.Json(HttpStatusCode.OK, Account with { Version = 5 });
        await Field(cut, "City").InputAsync(new ChangeEventArgs { Value = "Utrecht" });
        await SubmitAsync(cut);
        cut.WaitForAssertion(() => Assert.Equal(4, AccountService.Sent.Count));

        var keys = AccountService.Sent.Select(r => r.Header("Idempotency-Key")).ToList();
        Assert.All(keys.Take(3), key => Assert.Equal(keys[0], key));
        Assert.NotEqual(keys[0], keys[3]);
        Assert.All(AccountService.Sent.Take(3), r => Assert.Equal(("Amersfoort", ETag), (r.Json.GetProperty("city").GetString(), r.Header("If-Match"))));
        Assert.Equal(2, _changed);
    }
}
