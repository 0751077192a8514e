using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace EventDriven.Identity.SignIn;

/// <summary>
/// The sign-in form: e-mail and password, with an antiforgery token, rendered on the server (no script). A wrong
/// e-mail and a wrong password get the same message, so that the form cannot be used to find who has an account;
/// failures count towards Identity's lockout, and attempts per client address are limited (<see cref="SignInRateLimits"/>).
/// After signing in the browser goes back to where it came from (the authorization endpoint), local addresses only.
/// </summary>
public static class SignInPage
{
    public const string Path = "/account/signin";

    public static IEndpointRouteBuilder MapSignInPage(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, (HttpContext context, IAntiforgery antiforgery, string? returnUrl) =>
            Page(context, antiforgery, returnUrl, email: null, error: null, StatusCodes.Status200OK));
        app.MapPost(Path, SignInAsync);
        app.MapGet("/", () => Results.Content(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>EventDriven identity</title></head>" +
            "<body><main><h1>EventDriven identity</h1><p>The bank's OpenID Connect server. Applications send you here to sign in.</p></main></body></html>",
            "text/html; charset=utf-8"));
        return app;
    }

    private static async Task<IResult> SignInAsync(
        HttpContext context, IAntiforgery antiforgery, UserManager<IdentityUser> users, SignInManager<IdentityUser> signIn,
        [FromForm] string? email, [FromForm] string? password, [FromForm] string? returnUrl)
    {
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
        {
            return Page(context, antiforgery, returnUrl, email, "Enter your e-mail and password.", StatusCodes.Status400BadRequest);
        }

        var user = await users.FindByEmailAsync(email.Trim());
        var result = user is null ? Microsoft.AspNetCore.Identity.SignInResult.Failed : await signIn.PasswordSignInAsync(user, password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return Results.LocalRedirect(IsLocal(returnUrl) ? returnUrl! : "/");
        }

        // A locked account gets the same answer: saying "locked" would tell a prober that the e-mail has an account.
        return Page(context, antiforgery, returnUrl, email, "The e-mail or password is wrong.", StatusCodes.Status400BadRequest);
    }

    /// <summary>A path on this server: "/x", not "//host" or "/\host", which browsers take as another host.</summary>
    private static bool IsLocal(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Any(char.IsControl);

    private static IResult Page(HttpContext context, IAntiforgery antiforgery, string? returnUrl, string? email, string? error, int status)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var html = HtmlEncoder.Default;
        var message = error is null ? "" : $"<p id=\"error\" role=\"alert\">{html.Encode(error)}</p>";
        return Results.Content(
            $"""
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in · EventDriven</title></head>
            <body>
            <main>
            <h1>Sign in</h1>
            {message}
            <form method="post" action="{Path}">
            <input type="hidden" name="{html.Encode(tokens.FormFieldName)}" value="{html.Encode(tokens.RequestToken ?? "")}">
            <input type="hidden" name="returnUrl" value="{html.Encode(IsLocal(returnUrl) ? returnUrl! : "/")}">
            <p><label for="email">E-mail</label><br><input id="email" name="email" type="email" autocomplete="username" required value="{html.Encode(email ?? "")}"></p>
            <p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
            <p><button type="submit">Sign in</button></p>
            </form>
            </main>
            </body>
            </html>
            """,
            "text/html; charset=utf-8",
            statusCode: status);
    }
}
