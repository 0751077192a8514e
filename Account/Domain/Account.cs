using EventDriven.Contracts.Accounts;

namespace EventDriven.Accounts.Domain;

/// <summary>
/// An account as the Account service keeps it. Immutable; changed only by folding events (<see cref="Evolve"/>).
/// <see cref="Owner"/> is the subject of the person who opened it (an opaque id at the identity server, no personal
/// data); null for accounts opened before owners were recorded, which only operators see.
/// </summary>
public sealed record Account(
    Guid Id,
    string OwnerName,
    ContactDetails Contact,
    PostalAddress Address,
    string Currency,
    AccountStatus Status,
    string? FreezeReason,
    AccountStatus? StatusBeforeClosureRequest,
    long Version,
    DateTimeOffset OpenedAt,
    DateTimeOffset UpdatedAt,
    string? Owner = null)
{
    /// <summary>The state after <paramref name="event"/>; every event moves the version on by one.</summary>
    public static Account Evolve(Account? state, AccountEvent @event, DateTimeOffset at) => (state, @event) switch
    {
        (null, AccountOpened opened) => new Account(
            opened.AccountId, opened.OwnerName, opened.Contact, opened.Address, opened.Currency,
            AccountStatus.Open, FreezeReason: null, StatusBeforeClosureRequest: null, Version: 1, OpenedAt: at, UpdatedAt: at, opened.Owner),
        (null, _) => throw new InvalidOperationException($"{@event.GetType().Name} needs an opened account."),
        (_, AddressChanged changed) => state.Next(at) with { Address = changed.Address },
        (_, ContactDetailsChanged changed) => state.Next(at) with { Contact = changed.Contact },
        (_, AccountFrozen frozen) => state.Next(at) with { Status = AccountStatus.Frozen, FreezeReason = frozen.Reason },
        (_, AccountUnfrozen) => state.Next(at) with { Status = AccountStatus.Open, FreezeReason = null },
        (_, ClosureRequested) => state.Next(at) with { Status = AccountStatus.ClosureRequested, StatusBeforeClosureRequest = state.Status },
        (_, AccountClosed) => state.Next(at) with { Status = AccountStatus.Closed, StatusBeforeClosureRequest = null },
        (_, ClosureRejected) => state.Next(at) with { Status = state.StatusBeforeClosureRequest ?? AccountStatus.Open, StatusBeforeClosureRequest = null },
        _ => throw new InvalidOperationException($"{@event.GetType().Name} cannot be applied to an open account."),
    };

    public AccountSnapshot ToSnapshot() =>
        new(Id, OwnerName, Contact.Email, Contact.Phone, Address, Currency, Status, FreezeReason, Version, OpenedAt, UpdatedAt, Owner);

    private Account Next(DateTimeOffset at) => this with { Version = Version + 1, UpdatedAt = at };
}

public sealed record ContactDetails(string Email, string? Phone);
