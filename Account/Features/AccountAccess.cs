using System.Security.Claims;
using EventDriven.Accounts.Domain;
using EventDriven.ServiceDefaults.Authentication;
using EventDriven.Contracts;

namespace EventDriven.Accounts.Features;

/// <summary>
/// Who may see and act on which account. A customer reaches only the accounts they own (owner = their token's subject);
/// an operator reaches every account; another service with <see cref="ServiceScopes.AccountRead"/> may read any account for its own
/// work (Transactions' copy, Reactor's notification style) but change none. Someone else's account is answered
/// exactly as an unknown one (404), so account ids cannot be probed.
/// </summary>
public static class AccountAccess
{
    /// <summary>This service's audience: tokens for other services are refused here.</summary>
    public const string Audience = "account";

    /// <summary>The policy of reading one account: a person (owner or operator, checked against the account) or a service with <see cref="ServiceScopes.AccountRead"/>.</summary>
    public const string ReadOne = "account:read-one";

    public static void AddPolicies(Microsoft.AspNetCore.Authorization.AuthorizationOptions options) =>
        options.AddPolicy(ReadOne, policy => policy.RequireAuthenticatedUser().RequireAssertion(context =>
            ServicePolicies.IsPerson(context.User) || ServicePolicies.IsService(context.User, ServiceScopes.AccountRead)));

    /// <summary>
    /// The owner whose accounts alone the caller (a person: the endpoint's policy says so) may reach; null for an
    /// operator, who reaches every account.
    /// </summary>
    public static string? ConfinedTo(ClaimsPrincipal user) =>
        ServicePolicies.IsOperator(user)
            ? null
            : ServicePolicies.SubjectOf(user) ?? throw new InvalidOperationException("A person's token without a subject passed the person policy.");

    /// <summary>True when the caller may read <paramref name="account"/>: its owner, an operator, or a service with <see cref="ServiceScopes.AccountRead"/>.</summary>
    public static bool MayRead(ClaimsPrincipal user, Account account) =>
        ServicePolicies.IsOperator(user)
        || ServicePolicies.IsService(user, ServiceScopes.AccountRead)
        || (account.Owner is not null && account.Owner == ServicePolicies.SubjectOf(user));
}
