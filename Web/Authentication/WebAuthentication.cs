using System.Security.Claims;
using EventDriven.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace EventDriven.Web.Authentication;

/// <summary>
/// People sign in at Identity (OpenID Connect, authorization code with PKCE, as the confidential client <c>web</c>) and
/// stay signed in with a cookie. The cookie's principal carries the ID token's <c>sub</c>, <c>role</c> and e-mail (shown
/// in the page header only) and a session id; the tokens live in <see cref="PersonSessions"/> and, as a copy, in the
/// cookie. Each request checks the session: tokens near expiry are renewed with the refresh token and written back
/// into the cookie; a session that can no longer be renewed ends the cookie, so the person signs in again.
/// </summary>
public static class WebAuthentication
{
    public const string ClientId = "web";

    /// <summary>What the person's token is for: the three services (their audiences), and a refresh token.</summary>
    public static readonly string[] Scopes = ["openid", "offline_access", "email", "account", "transactions", "reactor"];

    public const string SignInPath = "/authentication/signin";
    public const string SignOutPath = "/authentication/signout";
    public const string NotAllowedPath = "/not-allowed";

    public static IHostApplicationBuilder AddWebAuthentication(this IHostApplicationBuilder builder)
    {
        var authority = IdentityAuthority.Resolve(builder.Configuration);
        builder.Services.AddSingleton<PersonSessions>();
        builder.Services.AddHttpClient(PersonSessions.TokenClientName);
        builder.Services.AddScoped<SignedInPerson>();
        builder.Services.AddTransient<PersonTokenHandler>();
        builder.Services.AddCascadingAuthenticationState();

        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie(options =>
            {
                options.Cookie.Name = "eventdriven.web";
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.AccessDeniedPath = NotAllowedPath;
                options.Events.OnSigningIn = StartSessionAsync;
                options.Events.OnValidatePrincipal = KeepSessionAsync;
            })
            .AddOpenIdConnect(options =>
            {
                options.Authority = authority.ToString();
                // Plain HTTP only for an identity server on this machine (local mode).
                options.RequireHttpsMetadata = !authority.IsLoopback;
                options.ClientId = ClientId;
                options.ClientSecret = builder.Configuration[ClientCredentialsExtensions.ClientSecretKey];
                options.ResponseType = OpenIdConnectResponseType.Code;
                options.UsePkce = true;
                options.Scope.Clear();
                foreach (var scope in Scopes)
                {
                    options.Scope.Add(scope);
                }

                options.SaveTokens = true;
                // Identity puts sub, role and e-mail in the ID token and serves no userinfo endpoint.
                options.GetClaimsFromUserInfoEndpoint = false;
                options.MapInboundClaims = false;
                options.TokenValidationParameters.NameClaimType = "email";
                options.TokenValidationParameters.RoleClaimType = ServicePolicies.RoleClaim;
                options.CallbackPath = "/signin-oidc";
                options.SignedOutCallbackPath = "/signout-callback-oidc";
                options.SignedOutRedirectUri = "/";
                if (authority.IsLoopback)
                {
                    // Local mode is plain HTTP: the sign-in's correlation and nonce cookies cannot be Secure, and a
                    // non-Secure cookie must be SameSite=Lax, which a browser sends back on the redirect (a GET) only.
                    options.ResponseMode = OpenIdConnectResponseMode.Query;
                    options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                    options.CorrelationCookie.SameSite = SameSiteMode.Lax;
                    options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                    options.NonceCookie.SameSite = SameSiteMode.Lax;
                }
            });
        builder.Services.AddAuthorization();
        return builder;
    }

    /// <summary>Sign-in (a challenge, back to <c>returnUrl</c> on this site) and sign-out (a form post: a link must not sign anyone out).</summary>
    public static IEndpointRouteBuilder MapAuthenticationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet(SignInPath, (string? returnUrl) =>
            TypedResults.Challenge(new AuthenticationProperties { RedirectUri = IsLocal(returnUrl) ? returnUrl : "/" }))
            .AllowAnonymous();
        app.MapPost(SignOutPath, (HttpContext context, PersonSessions sessions) =>
        {
            if (context.User.FindFirst(PersonSessions.SessionClaim)?.Value is { } session)
            {
                sessions.End(session);
            }

            return TypedResults.SignOut(new AuthenticationProperties { RedirectUri = "/" },
                [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]);
        });
        return app;
    }

    /// <summary>A path on this site: "/x", not "//host" or "/\host", which browsers take as another host.</summary>
    private static bool IsLocal(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Any(char.IsControl);

    /// <summary>A new sign-in: its tokens become a session, and the cookie's principal names it.</summary>
    private static Task StartSessionAsync(CookieSigningInContext context)
    {
        if (PersonTokens.From(context.Properties) is { } tokens && context.Principal?.Identity is ClaimsIdentity identity)
        {
            var sessions = context.HttpContext.RequestServices.GetRequiredService<PersonSessions>();
            identity.AddClaim(new Claim(PersonSessions.SessionClaim, sessions.Start(tokens)));
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Every request: the session goes on (resumed from the cookie after a restart), its tokens renewed when near expiry
    /// and written back into the cookie when they changed; without a session that can be renewed, the cookie is refused.
    /// </summary>
    private static async Task KeepSessionAsync(CookieValidatePrincipalContext context)
    {
        var sessions = context.HttpContext.RequestServices.GetRequiredService<PersonSessions>();
        var cookie = PersonTokens.From(context.Properties);
        if (context.Principal?.FindFirst(PersonSessions.SessionClaim)?.Value is not { } session
            || sessions.Current(session, cookie) is null
            || await sessions.AccessTokenAsync(session, context.HttpContext.RequestAborted) is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return;
        }

        if (sessions.Current(session) is { } current && current != cookie)
        {
            current.WriteTo(context.Properties);
            context.ShouldRenew = true;
        }
    }
}
