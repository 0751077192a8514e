using System.Collections.Immutable;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace EventDriven.Identity.Endpoints;

/// <summary>
/// What a token says. Access tokens carry the subject (a user's stable id, or a service's client id), the roles and
/// the scopes, with the scopes' resources as audiences — never an e-mail or a name: personal data stays in Identity.
/// The identity token, which only the client reads, may carry the e-mail and name when the client asked for them.
/// </summary>
internal sealed class TokenPrincipals(UserManager<IdentityUser> users, IOpenIddictScopeManager scopes)
{
    /// <summary>
    /// A person's token carries only person scopes: a client may also be allowed scopes of its own (the web app's
    /// <c>operations</c>), which a person asking through it must not get, however the request was edited.
    /// </summary>
    public async Task<ClaimsPrincipal> ForUserAsync(IdentityUser user, ImmutableArray<string> requested, CancellationToken cancellationToken)
    {
        requested = [.. requested.Intersect(Clients.ClientCatalog.PersonScopes, StringComparer.Ordinal)];
        var identity = NewIdentity();
        identity.SetClaim(Claims.Subject, user.Id);
        identity.SetClaims(Claims.Role, [.. await users.GetRolesAsync(user)]);
        if (requested.Contains(Scopes.Email))
        {
            identity.SetClaim(Claims.Email, user.Email);
        }

        if (requested.Contains(Scopes.Profile))
        {
            identity.SetClaim(Claims.Name, user.UserName);
        }

        return await WithScopesAsync(identity, requested, cancellationToken);
    }

    public Task<ClaimsPrincipal> ForServiceAsync(string clientId, ImmutableArray<string> requested, CancellationToken cancellationToken)
    {
        var identity = NewIdentity();
        identity.SetClaim(Claims.Subject, clientId);
        return WithScopesAsync(identity, requested, cancellationToken);
    }

    private static ClaimsIdentity NewIdentity() =>
        new(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);

    private async Task<ClaimsPrincipal> WithScopesAsync(ClaimsIdentity identity, ImmutableArray<string> requested, CancellationToken cancellationToken)
    {
        // OpenIddict has already refused a scope the client may not ask for; what is left is granted.
        identity.SetScopes(requested);
        var resources = new List<string>();
        await foreach (var resource in scopes.ListResourcesAsync(requested, cancellationToken))
        {
            resources.Add(resource);
        }

        identity.SetResources(resources.Distinct(StringComparer.Ordinal));
        identity.SetDestinations(Destinations);
        return new ClaimsPrincipal(identity);
    }

    private static IEnumerable<string> Destinations(Claim claim) => claim.Type switch
    {
        Claims.Subject or Claims.Role => [OpenIddictConstants.Destinations.AccessToken, OpenIddictConstants.Destinations.IdentityToken],
        Claims.Email or Claims.Name => [OpenIddictConstants.Destinations.IdentityToken],
        // Anything else (a security stamp, a framework's own claim) goes into no token.
        _ => [],
    };
}
