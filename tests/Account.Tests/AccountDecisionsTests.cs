using EventDriven.Accounts.Domain;
using EventDriven.Contracts.Accounts;

namespace EventDriven.Accounts.Tests;

/// <summary>The account's rules as specifications: given events, when a command, then events or a refusal.</summary>
public sealed class AccountDecisionsTests
{
    private static readonly Guid Id = Guid.NewGuid();
    private static readonly PostalAddress Home = new("Keizersgracht 1", "Amsterdam", "1015 CJ", "NL");
    private static readonly AccountOpened Opened = new(Id, "Ada Lovelace", new ContactDetails("ada@example.com", null), Home, "EUR");

    [Fact]
    public void Opening_yields_an_open_account_at_version_1() =>
        Assert.Equal((AccountStatus.Open, 1L), (Given(Opened).Status, Given(Opened).Version));

    [Fact]
    public void A_new_address_is_a_change_and_the_same_address_is_none()
    {
        var moved = new PostalAddress("Damrak 2", "Amsterdam", "1012 LG", "NL");

        Then(AccountDecisions.ChangeAddress(Given(Opened), moved), new AddressChanged(moved));
        Then(AccountDecisions.ChangeAddress(Given(Opened), Home));
    }

    [Fact]
    public void A_frozen_account_changes_no_details() =>
        Refused(AccountDecisions.ChangeContactDetails(Given(Opened, new AccountFrozen("alert")), new ContactDetails("new@example.com", null)));

    [Fact]
    public void Freezing_a_frozen_account_has_no_effect() =>
        Then(AccountDecisions.Freeze(Given(Opened, new AccountFrozen("alert")), "again"));

    [Fact]
    public void A_frozen_account_can_be_unfrozen_or_asked_to_close()
    {
        var frozen = Given(Opened, new AccountFrozen("alert"));

        Then(AccountDecisions.Unfreeze(frozen, "checked"), new AccountUnfrozen("checked"));
        Then(AccountDecisions.RequestClosure(frozen), new ClosureRequested());
    }

    [Fact]
    public void A_closed_account_changes_no_more()
    {
        var closed = Given(Opened, new ClosureRequested(), new AccountClosed());

        Refused(AccountDecisions.ChangeAddress(closed, Home with { City = "Utrecht" }));
        Refused(AccountDecisions.Freeze(closed, "alert"));
        Refused(AccountDecisions.Unfreeze(closed, "why"));
        Refused(AccountDecisions.RequestClosure(closed));
    }

    [Fact]
    public void A_refused_closure_returns_the_account_to_the_status_it_had()
    {
        var account = Given(Opened, new AccountFrozen("alert"), new ClosureRequested(), new ClosureRejected("balance not zero"));

        Assert.Equal(AccountStatus.Frozen, account.Status);
        Assert.Equal(4, account.Version);
    }

    [Fact]
    public void Only_a_requested_closure_can_be_completed()
    {
        Refused(AccountDecisions.Close(Given(Opened)));
        Then(AccountDecisions.Close(Given(Opened, new ClosureRequested())), new AccountClosed());
    }

    private static Account Given(params AccountEvent[] events) =>
        events.Aggregate((Account?)null, (state, e) => Account.Evolve(state, e, DateTimeOffset.UnixEpoch))!;

    private static void Then(Decision decision, params AccountEvent[] expected)
    {
        Assert.False(decision.IsRefused, decision.Refusal);
        Assert.Equal(expected, decision.Events);
    }

    private static void Refused(Decision decision)
    {
        Assert.True(decision.IsRefused);
        Assert.Empty(decision.Events);
    }
}
