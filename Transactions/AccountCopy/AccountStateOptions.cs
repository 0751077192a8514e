namespace EventDriven.Transactions.AccountCopy;

/// <summary>How the copy of account state is first filled; afterwards every mode follows <c>accounts.state</c>.</summary>
public enum AccountStateBootstrap
{
    /// <summary>Read <c>accounts.state</c> from its beginning. Simple and complete; slow when the topic is long, and needs it kept forever.</summary>
    Replay,

    /// <summary>Load Account's bulk export, then read the topic from <see cref="AccountStateOptions.ReplayWindow"/> before the export's time.</summary>
    Snapshot,

    /// <summary>Follow the topic from now on, and fetch an account from Account's API the first time it is asked for.</summary>
    Lazy,
}

/// <summary>Bound from <c>Transactions:AccountState</c>.</summary>
public sealed class AccountStateOptions
{
    public AccountStateBootstrap Mode { get; set; } = AccountStateBootstrap.Replay;

    /// <summary>Snapshot mode: how far before the export's time the topic is read again (its offsets found by timestamp).</summary>
    public TimeSpan ReplayWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>At most this many messages are applied in one database transaction.</summary>
    public int BatchSize { get; set; } = 1000;
}
