using System.Security.Claims;
using EventDriven.Identity.Clients;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace EventDriven.Identity.Endpoints;

/// <summary>
/// The OpenID Connect endpoints whose requests OpenIddict has validated (client, secret, grant, scopes, PKCE) and
/// passes through for the decision only this app can make: who the subject is and whether they may still sign in.
/// </summary>
public static class ConnectEndpoints
{
    public const string Authorize = "/connect/authorize";
    public const string Token = "/connect/token";
    public const string EndSession = "/connect/endsession";

    public static IEndpointRouteBuilder MapConnectEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMethods(Authorize, ["GET", "POST"], AuthorizeAsync).DisableAntiforgery();
        app.MapPost(Token, TokenAsync).DisableAntiforgery();
        app.MapMethods(EndSession, ["GET", "POST"], EndSessionAsync).DisableAntiforgery();
        return app;
    }

    /// <summary>
    /// Authorization code flow: a person not signed in (or asked to sign in again) goes to the sign-in page and comes
    /// back here; a signed-in person gets a code for the client (first-party clients only, so no consent screen).
    /// </summary>
    private static async Task<IResult> AuthorizeAsync(HttpContext context, UserManager<IdentityUser> users, SignInManager<IdentityUser> signIn, TokenPrincipals principals)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("OpenIddict passed no request through.");
        var cookie = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        if (!cookie.Succeeded || request.HasPromptValue(PromptValues.Login))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Refuse(Errors.LoginRequired, "The user is not signed in.");
            }

            // Back to this very request after signing in, without prompt=login (or it would ask again for ever).
            var parameters = context.Request.HasFormContentType ? context.Request.Form.ToList() : context.Request.Query.ToList();
            parameters.RemoveAll(p => p.Key == Parameters.Prompt);
            return Results.Challenge(
                new AuthenticationProperties { RedirectUri = context.Request.PathBase + context.Request.Path + QueryString.Create(parameters) },
                [IdentityConstants.ApplicationScheme]);
        }

        if (await users.GetUserAsync(cookie.Principal) is not { } user || !await signIn.CanSignInAsync(user) || await users.IsLockedOutAsync(user))
        {
            return Results.Challenge(new AuthenticationProperties { RedirectUri = context.Request.GetEncodedPathAndQuery() }, [IdentityConstants.ApplicationScheme]);
        }

        return Results.SignIn(await principals.ForUserAsync(user, request.GetScopes(), context.RequestAborted),
            authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> TokenAsync(HttpContext context, UserManager<IdentityUser> users, SignInManager<IdentityUser> signIn, TokenPrincipals principals)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("OpenIddict passed no request through.");
        var cancellationToken = context.RequestAborted;

        if (request.IsClientCredentialsGrantType())
        {
            // A web app's permissions also list the person scopes it asks for on people's behalf; in its own name it
            // gets only its own scopes, never a token that acts at a service as no one in particular.
            if (ClientCatalog.All.SingleOrDefault(client => client.Id == request.ClientId) is { Kind: ClientCatalog.Kind.WebApp } webApp
                && request.GetScopes().Except(webApp.OwnScopes ?? []).Any())
            {
                return Refuse(Errors.InvalidScope, "A web app may ask in its own name only for its own scopes.");
            }

            return SignIn(await principals.ForServiceAsync(request.ClientId!, request.GetScopes(), cancellationToken));
        }

        if (request.IsPasswordGrantType())
        {
            // One answer for an unknown e-mail, a wrong password and a locked account: saying "locked" would tell a
            // prober that the e-mail has an account.
            if (await users.FindByEmailAsync(request.Username ?? "") is not { } user)
            {
                return Refuse(Errors.InvalidGrant, "The e-mail or password is wrong.");
            }

            var result = await signIn.CheckPasswordSignInAsync(user, request.Password ?? "", lockoutOnFailure: true);
            if (result.IsLockedOut)
            {
                return Refuse(Errors.InvalidGrant, "The e-mail or password is wrong.");
            }

            if (!result.Succeeded)
            {
                return Refuse(Errors.InvalidGrant, "The e-mail or password is wrong.");
            }

            return SignIn(await principals.ForUserAsync(user, request.GetScopes(), cancellationToken));
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            // The code or refresh token was valid; the person must still be allowed in (not deleted, not locked out).
            var granted = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            if (granted.Principal?.GetClaim(Claims.Subject) is not { } subject
                || await users.FindByIdAsync(subject) is not { } user
                || !await signIn.CanSignInAsync(user)
                || await users.IsLockedOutAsync(user))
            {
                return Refuse(Errors.InvalidGrant, "The grant is no longer valid.");
            }

            // Rebuilt from the store, so a role taken away is gone from the next token.
            return SignIn(await principals.ForUserAsync(user, granted.Principal.GetScopes(), cancellationToken));
        }

        return Refuse(Errors.UnsupportedGrantType, "This grant type is not supported.");
    }

    private static async Task<IResult> EndSessionAsync(HttpContext context, SignInManager<IdentityUser> signIn)
    {
        await signIn.SignOutAsync();
        // OpenIddict sends the browser to the client's registered post-logout address, if it gave one.
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    private static IResult SignIn(ClaimsPrincipal principal) =>
        Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);

    private static IResult Refuse(string error, string description) =>
        Results.Forbid(
            new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
            }),
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
