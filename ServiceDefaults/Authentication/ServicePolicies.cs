using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace EventDriven.ServiceDefaults.Authentication;

/// <summary>
/// The authorisation policies every service names: <c>customer</c> and <c>operator</c> (the person's role claim), and
/// <c>service:{scope}</c> for another service's client-credentials token that was granted that scope
/// (<c>RequireAuthorization("service:account.read")</c>). Scope policies are made on demand, so a service need not
/// list them.
/// </summary>
public static class ServicePolicies
{
    public const string Customer = "customer";
    public const string Operator = "operator";
    public const string ServicePrefix = "service:";

    public const string RoleClaim = "role";
    public const string ScopeClaim = "scope";
    public const string SubjectClaim = "sub";

    public static string Service(string scope) => ServicePrefix + scope;

    internal static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(Customer, policy => policy.RequireAuthenticatedUser().RequireClaim(RoleClaim, Customer));
        options.AddPolicy(Operator, policy => policy.RequireAuthenticatedUser().RequireClaim(RoleClaim, Operator));
    }

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

            if (!policyName.StartsWith(ServicePrefix, StringComparison.Ordinal) || policyName.Length == ServicePrefix.Length)
            {
                return null;
            }

            var scope = policyName[ServicePrefix.Length..];
            return new AuthorizationPolicyBuilder()
                .RequireAuthenticatedUser()
                .RequireAssertion(context => HasScope(context.User, scope))
                .Build();
        }
    }
}
