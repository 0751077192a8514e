using System.Security.Claims;
using EventDriven.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Authorization;
using EventDriven.Contracts;

namespace EventDriven.Reactor.Api;

/// <summary>
/// Who may ask Reactor what. A person (customer or operator) reads the read models of accounts, a customer only their
/// own (another's answers 404, as an unknown account does, so ids cannot be probed); everyone's figures, the read
/// models' machinery, reconciliation, dead letters and lineage are operations: an operator, or a service token with the
/// <c>operations</c> scope (the dashboard's commands, the web app's operations figures). The push channel also admits
/// a service token with <c>reactor.read</c> (the web app's one subscription, which it filters per signed-in person).
/// </summary>
public static class ReactorPolicies
{
    /// <summary>A signed-in customer or operator: not a service, which acts in no one's name.</summary>
    public const string Person = ServicePolicies.Person;

    /// <summary>A person, or a service token granted <see cref="ServiceScopes.ReactorRead"/>.</summary>
    public const string ChangesReader = "reactor:changes-reader";

    public static readonly string Operations = ServicePolicies.OperatorOrService(ServiceScopes.Operations);

    public static void Add(AuthorizationBuilder authorization) => authorization
        .AddPolicy(ChangesReader, policy => policy.RequireAuthenticatedUser()
            .RequireAssertion(context => ServicePolicies.IsPerson(context.User) || ServicePolicies.IsService(context.User, ServiceScopes.ReactorRead)));

    /// <summary>Whose accounts the caller may list: null for an operator or a service (everyone's), else the caller's subject.</summary>
    public static string? OwnerFilter(ClaimsPrincipal user) =>
        SeesEveryAccount(user) ? null : ServicePolicies.SubjectOf(user) ?? throw new InvalidOperationException("An authorised caller has a subject.");

    /// <summary>True when the caller may see the account of <paramref name="owner"/> (null: an account whose owner Reactor does not know).</summary>
    public static bool MaySee(ClaimsPrincipal user, string? owner) => OwnerFilter(user) is not { } caller || owner == caller;

    /// <summary>An operator, or a service token (no person's role) granted one of Reactor's scopes for work in no one's name.</summary>
    private static bool SeesEveryAccount(ClaimsPrincipal user) =>
        ServicePolicies.IsOperator(user) || ServicePolicies.IsService(user, ServiceScopes.ReactorRead) || ServicePolicies.IsService(user, ServiceScopes.Operations);
}
