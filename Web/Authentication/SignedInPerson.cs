using System.Security.Claims;
using EventDriven.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Components.Authorization;

namespace EventDriven.Web.Authentication;

/// <summary>
/// The person a page (a circuit) works for, as the cookie said when the circuit started: their subject, their role, and
/// the session whose tokens the typed clients send. Scoped, so one per circuit.
/// </summary>
public sealed class SignedInPerson(AuthenticationStateProvider authentication)
{
    public async Task<ClaimsPrincipal> PrincipalAsync()
    {
        try
        {
            return (await authentication.GetAuthenticationStateAsync()).User;
        }
        // Outside a circuit or a request (no authentication state was ever set): no one.
        catch (InvalidOperationException)
        {
            return new ClaimsPrincipal(new ClaimsIdentity());
        }
    }

    public async Task<string?> SessionIdAsync() => (await PrincipalAsync()).FindFirst(PersonSessions.SessionClaim)?.Value;

    /// <summary>Who may see which account's changes on this page.</summary>
    public async Task<AccountViewer> ViewerAsync() => AccountViewer.Of(await PrincipalAsync());
}

/// <summary>A person seeing accounts: an operator sees every account, a customer only those they own.</summary>
public sealed record AccountViewer(string? Subject, bool IsOperator)
{
    public static AccountViewer Of(ClaimsPrincipal principal) =>
        new(ServicePolicies.SubjectOf(principal), principal.HasClaim(ServicePolicies.RoleClaim, ServicePolicies.Operator));

    /// <summary>An account whose owner is unknown (it predates owners) is an operator's only.</summary>
    public bool MaySee(string? owner) => IsOperator || (owner is not null && Subject is not null && owner == Subject);
}
