using System.Security.Claims;
using EventDriven.ServiceDefaults.Authentication;
using EventDriven.Transactions.AccountCopy;

namespace EventDriven.Transactions.Features;

/// <summary>
/// Who may use a ledger: its account's owner (the subject that opened the account, as Transactions' own copy of account
/// state knows it, so no call to Account) or an operator. Everyone else is answered as if the account did not exist
/// (404, the same problem details), so that account ids cannot be probed.
/// </summary>
public static class LedgerAccess
{
    /// <summary>
    /// Whether <paramref name="user"/> may use account <paramref name="accountId"/>'s ledger: an operator any (known or
    /// not, as before sign-in), a customer only one whose copied owner is their subject (an account that predates owners
    /// is nobody's).
    /// </summary>
    public static async Task<bool> MayUseAsync(ClaimsPrincipal user, Guid accountId, AccountDirectory accounts, CancellationToken cancellationToken) =>
        ServicePolicies.IsOperator(user)
        || (ServicePolicies.SubjectOf(user) is { } subject
            && await accounts.FindAsync(accountId, cancellationToken) is { Owner: { } owner }
            && string.Equals(owner, subject, StringComparison.Ordinal));
}
