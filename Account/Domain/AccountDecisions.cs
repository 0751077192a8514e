using EventDriven.Contracts.Accounts;

namespace EventDriven.Accounts.Domain;

/// <summary>
/// The account's rules, as functions from state and command to events or a refusal. No I/O. A command that would change
/// nothing (freezing a frozen account, setting the address it has) decides no events, so a repeat has no effect.
/// </summary>
public static class AccountDecisions
{
    /// <summary>Opens an account owned by <paramref name="owner"/> (the opener's subject).</summary>
    public static Decision Open(Guid accountId, string ownerName, ContactDetails contact, PostalAddress address, string currency, string? owner = null) =>
        Decision.Of(new AccountOpened(accountId, ownerName, contact, address, currency, owner));

    public static Decision ChangeAddress(Account account, PostalAddress address) =>
        RequireOpen(account, "change its address") ?? (account.Address == address ? Decision.Nothing : Decision.Of(new AddressChanged(address)));

    public static Decision ChangeContactDetails(Account account, ContactDetails contact) =>
        RequireOpen(account, "change its contact details") ?? (account.Contact == contact ? Decision.Nothing : Decision.Of(new ContactDetailsChanged(contact)));

    public static Decision Freeze(Account account, string reason) => account.Status switch
    {
        AccountStatus.Frozen => Decision.Nothing,
        AccountStatus.Closed => Decision.Conflict("A closed account cannot be frozen."),
        AccountStatus.ClosureRequested => Decision.Conflict("An account whose closure is pending cannot be frozen."),
        _ => Decision.Of(new AccountFrozen(reason)),
    };

    public static Decision Unfreeze(Account account, string reason) => account.Status switch
    {
        AccountStatus.Open => Decision.Nothing,
        AccountStatus.Frozen => Decision.Of(new AccountUnfrozen(reason)),
        _ => Decision.Conflict($"An account that is {account.Status} cannot be unfrozen."),
    };

    /// <summary>Open and frozen accounts may ask to close; Transactions answers by settling or refusing.</summary>
    public static Decision RequestClosure(Account account) => account.Status switch
    {
        AccountStatus.ClosureRequested => Decision.Nothing,
        AccountStatus.Closed => Decision.Conflict("The account is closed already."),
        _ => Decision.Of(new ClosureRequested()),
    };

    public static Decision Close(Account account) => account.Status switch
    {
        AccountStatus.Closed => Decision.Nothing,
        AccountStatus.ClosureRequested => Decision.Of(new AccountClosed()),
        _ => Decision.Conflict("Only an account whose closure was requested can be closed."),
    };

    public static Decision RejectClosure(Account account, string reason) => account.Status switch
    {
        AccountStatus.ClosureRequested => Decision.Of(new ClosureRejected(reason)),
        _ => Decision.Nothing,
    };

    private static Decision? RequireOpen(Account account, string what) => account.Status switch
    {
        AccountStatus.Open => null,
        AccountStatus.Closed => Decision.Conflict($"A closed account cannot {what}."),
        _ => Decision.Conflict($"An account that is {account.Status} cannot {what}; only open accounts can."),
    };
}

/// <summary>Events to append, or why not.</summary>
public sealed record Decision(IReadOnlyList<AccountEvent> Events, string? Refusal)
{
    public static readonly Decision Nothing = new([], null);

    public bool IsRefused => Refusal is not null;

    public static Decision Of(params AccountEvent[] events) => new(events, null);

    /// <summary>The account's state does not allow the command (HTTP 409).</summary>
    public static Decision Conflict(string reason) => new([], reason);
}
