namespace EventDriven.Contracts;

/// <summary>
/// The scopes of work a service does in no one's name (OAuth client credentials), as Identity grants them and the
/// services' policies admit them. A person's token never counts as one of these (<c>ServicePolicies.IsService</c>).
/// </summary>
public static class ServiceScopes
{
    /// <summary>Reading any account at Account: Transactions' account copy, Reactor's notification style, reconciliation and lineage.</summary>
    public const string AccountRead = "account.read";

    /// <summary>Reading Transactions' ledgers, reconciliation and lineage: Reactor's reconciliation and lineage.</summary>
    public const string TransactionsRead = "transactions.read";

    /// <summary>The web app's one process-wide subscription to Reactor's changes (it shows each person only their own).</summary>
    public const string ReactorRead = "reactor.read";

    /// <summary>
    /// Operating the system without a person, at every service: the dashboard's commands (rebuild, reconcile, re-drive)
    /// and the web app's operations figures.
    /// </summary>
    public const string Operations = "operations";
}
