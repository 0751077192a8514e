using EventDriven.Accounts.Domain;

namespace EventDriven.Accounts.Features;

/// <summary>
/// A command's envelope: which account (a new id when it opens one), its idempotency key (in the key space of who sent
/// it) and a hash of the request it was sent with, and the version <c>If-Match</c> expects, if any. <see cref="Actor"/>
/// is who asked (the caller's subject; null for a reaction to an event), recorded with the resulting events.
/// <see cref="RequiredOwner"/>, when set, confines the command to that owner's accounts: any other is not found.
/// </summary>
public sealed record AccountCommand(
    Guid AccountId,
    bool Creates,
    string IdempotencyKey,
    string RequestHash,
    long? ExpectedVersion,
    KeySpace KeySpace = KeySpace.Client,
    string? Actor = null,
    string? RequiredOwner = null)
{
    /// <summary>True when the command may act on <paramref name="account"/> (no owner required, or the account's owner is the one required).</summary>
    public bool Reaches(Account account) => RequiredOwner is null || account.Owner == RequiredOwner;
}

/// <summary>
/// Whose idempotency key it is. Clients' <c>Idempotency-Key</c>s and the ids of the events Account reacts to are kept
/// apart, so that no client can take an event's key first (an alert's id is predictable) and make its reaction a replay.
/// </summary>
public enum KeySpace
{
    Client,
    Event,
}

public abstract record CommandOutcome
{
    /// <summary>Applied now, or earlier under the same idempotency key.</summary>
    public sealed record Done(Account Account, bool Created) : CommandOutcome;

    public sealed record NotFound : CommandOutcome;

    /// <summary><c>If-Match</c> named another version than the account's.</summary>
    public sealed record PreconditionFailed(long CurrentVersion) : CommandOutcome;

    /// <summary>The account's state does not allow the command.</summary>
    public sealed record Refused(string Reason) : CommandOutcome;

    /// <summary>The idempotency key was used before for a different request.</summary>
    public sealed record KeyReused : CommandOutcome;
}
