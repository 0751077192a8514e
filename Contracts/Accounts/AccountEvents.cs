namespace EventDriven.Contracts.Accounts;

/// <summary>
/// What happened to an account, as CloudEvents types (<c>ce_type</c>): stable, versioned names, never CLR type names.
/// The same type names appear on the three account topics; each topic carries its own shape of the event.
/// </summary>
public static class AccountEventTypes
{
    public const string Opened = "account.opened.v1";
    public const string AddressChanged = "account.address-changed.v1";
    public const string ContactDetailsChanged = "account.contact-details-changed.v1";
    public const string Frozen = "account.frozen.v1";
    public const string Unfrozen = "account.unfrozen.v1";
    public const string ClosureRequested = "account.closure-requested.v1";
    public const string Closed = "account.closed.v1";
    public const string ClosureRejected = "account.closure-rejected.v1";

    public static readonly IReadOnlyList<string> All = [Opened, AddressChanged, ContactDetailsChanged, Frozen, Unfrozen, ClosureRequested, Closed, ClosureRejected];

    /// <summary>The <c>ce_source</c> of everything the Account service publishes.</summary>
    public const string Source = "/eventdriven/account";
}

/// <summary>
/// <c>accounts.notifications</c>: that something happened to which account, and nothing more. A consumer that needs
/// the details asks the Account API.
/// </summary>
public sealed record AccountNotification(Guid EventId, Guid AccountId, long Version, DateTimeOffset OccurredAt, string Type);

/// <summary><c>accounts.deltas</c>: only the fields that changed, with their old and new values.</summary>
public sealed record AccountDelta(Guid EventId, Guid AccountId, long Version, DateTimeOffset OccurredAt, string Type, IReadOnlyList<FieldChange> Changes);

/// <summary>One changed field, by its dotted path in <see cref="AccountSnapshot"/> (e.g. <c>address.city</c>).</summary>
public sealed record FieldChange(string Field, string? Old, string? New);

/// <summary>
/// <c>accounts.state</c>: fat events for event-carried state transfer: the whole account after the change, and before
/// it (absent when the account was just opened).
/// </summary>
public sealed record AccountStateChanged(Guid EventId, Guid AccountId, long Version, DateTimeOffset OccurredAt, string Type, AccountSnapshot? Before, AccountSnapshot After);

/// <summary>
/// An account as other services may copy it. <see cref="Owner"/> is the owner's subject at the identity server (an
/// opaque id, no personal data), so that every copy can answer "whose is it" without asking Account; absent in events
/// of accounts opened before owners were recorded (only operators see those).
/// </summary>
public sealed record AccountSnapshot(
    Guid AccountId,
    string OwnerName,
    string Email,
    string? Phone,
    PostalAddress Address,
    string Currency,
    AccountStatus Status,
    string? FreezeReason,
    long Version,
    DateTimeOffset OpenedAt,
    DateTimeOffset UpdatedAt,
    string? Owner = null);

/// <summary>
/// Account's bulk export (<c>GET /accounts/snapshot</c>): every account as of one consistent moment, and the WAL
/// position and time of that moment. A consumer that loads it and then applies the account topics' events from that
/// time on (version-gated) misses nothing.
/// </summary>
public sealed record AccountsExport(string WalPosition, DateTimeOffset TakenAt, IReadOnlyList<AccountSnapshot> Accounts);

public sealed record PostalAddress(string Street, string City, string PostalCode, string Country);

public enum AccountStatus
{
    Open,
    Frozen,
    ClosureRequested,
    Closed,
}
