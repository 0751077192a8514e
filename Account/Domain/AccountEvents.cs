using EventDriven.Contracts.Accounts;

namespace EventDriven.Accounts.Domain;

/// <summary>Facts about an account, after a decision. <see cref="Type"/> is the stable wire name of each.</summary>
public abstract record AccountEvent
{
    public abstract string Type { get; }
}

/// <summary>An account opened; <see cref="Owner"/> is the opener's subject (who may act on it from now on).</summary>
public sealed record AccountOpened(Guid AccountId, string OwnerName, ContactDetails Contact, PostalAddress Address, string Currency, string? Owner = null) : AccountEvent
{
    public override string Type => AccountEventTypes.Opened;
}

public sealed record AddressChanged(PostalAddress Address) : AccountEvent
{
    public override string Type => AccountEventTypes.AddressChanged;
}

public sealed record ContactDetailsChanged(ContactDetails Contact) : AccountEvent
{
    public override string Type => AccountEventTypes.ContactDetailsChanged;
}

public sealed record AccountFrozen(string Reason) : AccountEvent
{
    public override string Type => AccountEventTypes.Frozen;
}

public sealed record AccountUnfrozen(string Reason) : AccountEvent
{
    public override string Type => AccountEventTypes.Unfrozen;
}

public sealed record ClosureRequested : AccountEvent
{
    public override string Type => AccountEventTypes.ClosureRequested;
}

public sealed record AccountClosed : AccountEvent
{
    public override string Type => AccountEventTypes.Closed;
}

public sealed record ClosureRejected(string Reason) : AccountEvent
{
    public override string Type => AccountEventTypes.ClosureRejected;
}
