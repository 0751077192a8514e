using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace EventDriven.ServiceDefaults.Authentication;

/// <summary>
/// The authorisation policies every service names: <c>customer</c> and <c>operator</c> (the person's role claim), and
/// <c>service:{scope}</c> for another service's client-credentials token that was granted that scope
/// (<c>RequireAuthorization("service:account.read")</c>). Scope policies are made on demand, so a service need not
/// list them. <c>operator-or-service:{scope}</c> admits either (an operator at the dashboard, or another service
/// reading the same endpoint for its own work, e.g. Reactor's reconciliation reading Account's accounts). <c>person</c>
/// admits a signed-in person of either role (not a service): what a customer may do, an operator may do too.
/// </summary>
public static class ServicePolicies
{
    public const string Customer = "customer";
    public const string Operator = "operator";
    public const string Person = "person";
    public const string ServicePrefix = "service:";
    public const string OperatorOrServicePrefix = "operator-or-service:";

    public const string RoleClaim = "role";
    public const string ScopeClaim = "scope";
    public const string SubjectClaim = "sub";

    public static string Service(string scope) => ServicePrefix + scope;

    public static string OperatorOrService(string scope) => OperatorOrServicePrefix + scope;

    internal static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(Customer, policy => policy.RequireAuthenticatedUser().RequireClaim(RoleClaim, Customer));
        options.AddPolicy(Operator, policy => policy.RequireAuthenticatedUser().RequireClaim(RoleClaim, Operator));
        options.AddPolicy(Person, policy => policy.RequireAuthenticatedUser().RequireClaim(RoleClaim, Customer, Operator).RequireClaim(SubjectClaim));
        // An endpoint that names no policy still needs a token: only what says AllowAnonymous (health) answers anyone.
        options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
    }

    /// <summary>True when the caller is an operator (the role claim).</summary>
    public static bool IsOperator(System.Security.Claims.ClaimsPrincipal principal) => principal.HasClaim(RoleClaim, Operator);

    /// <summary>A signed-in customer or operator with a subject, as the <see cref="Person"/> policy admits.</summary>
    public static bool IsPerson(System.Security.Claims.ClaimsPrincipal principal) =>
        (principal.HasClaim(RoleClaim, Customer) || principal.HasClaim(RoleClaim, Operator)) && SubjectOf(principal) is not null;

    /// <summary>
    /// A service acting in no one's name with <paramref name="scope"/>: the token carries the scope and no person's
    /// role. A person's token is never a service's, whatever scopes it was given.
    /// </summary>
    public static bool IsService(System.Security.Claims.ClaimsPrincipal principal, string scope) =>
        !principal.HasClaim(claim => claim.Type == RoleClaim) && HasScope(principal, scope);

    /// <summary>Who is calling: the token's subject (a user's opaque id, or a service's client id); null when anonymous.</summary>
    public static string? SubjectOf(System.Security.Claims.ClaimsPrincipal principal) => principal.FindFirst(SubjectClaim)?.Value;

    /// <summary>True when the token's <c>scope</c> claim (space-separated, as OAuth writes it) holds <paramref name="scope"/>.</summary>
    public static bool HasScope(System.Security.Claims.ClaimsPrincipal principal, string scope) =>
        principal.FindAll(ScopeClaim).Any(claim => claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(scope, StringComparer.Ordinal));

    /// <summary>Builds <c>service:{scope}</c> policies when asked for; everything else as configured.</summary>
    internal sealed class Provider(IOptions<AuthorizationOptions> options) : DefaultAuthorizationPolicyProvider(options)
    {
        public override async Task<AuthorizationPolicy?> GetPolicyAsync(string policyName)
        {
            if (await base.GetPolicyAsync(policyName) is { } configured)
            {
                return configured;
            }

            if (ScopeAfter(policyName, ServicePrefix) is { } scope)
            {
                return new AuthorizationPolicyBuilder()
                    .RequireAuthenticatedUser()
                    .RequireAssertion(context => IsService(context.User, scope))
                    .Build();
            }

            if (ScopeAfter(policyName, OperatorOrServicePrefix) is { } operatorOrScope)
            {
                return new AuthorizationPolicyBuilder()
                    .RequireAuthenticatedUser()
                    .RequireAssertion(context => IsOperator(context.User) || IsService(context.User, operatorOrScope))
                    .Build();
            }

            return null;
        }

        private static string? ScopeAfter(string policyName, string prefix) =>
            policyName.StartsWith(prefix, StringComparison.Ordinal) && policyName.Length > prefix.Length ? policyName[prefix.Length..] : null;
    }
}
