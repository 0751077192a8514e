using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace EventDriven.Identity.Tests;

/// <summary>
/// The browser's way in, as the web app will use it: authorization code with PKCE through the sign-in form, driven
/// here with plain HTTP (cookies kept, redirects followed by hand so that each step can be checked).
/// </summary>
[Collection(IdentityServerCollection.Name)]
public sealed partial class SignInFlowTests(IdentityServerFixture fixture)
{
    [Fact]
    public async Task The_web_client_gets_a_code_after_the_person_signs_in_and_exchanges_it_with_its_verifier()
    {
        using var browser = Browser();
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier)));

        // Not signed in: sent to the sign-in form, which will send the browser back to this request.
        using var authorize = await browser.GetAsync(AuthorizeUri(challenge), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, authorize.StatusCode);
        Assert.Equal("/account/signin", authorize.Headers.Location!.AbsolutePath);

        using var signedIn = await SignInAsync(browser, authorize.Headers.Location, IdentityServerFixture.CustomerEmail, IdentityServerFixture.CustomerPassword);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.StartsWith("/connect/authorize?", signedIn.Headers.Location!.OriginalString, StringComparison.Ordinal);

        // Signed in now: the code goes to the web app's registered address, with the state it sent.
        using var back = await browser.GetAsync(signedIn.Headers.Location, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        var callback = back.Headers.Location!;
        Assert.Equal(IdentityServerFixture.WebRedirect.GetLeftPart(UriPartial.Path), callback.GetLeftPart(UriPartial.Path));
        var query = System.Web.HttpUtility.ParseQueryString(callback.Query);
        Assert.Equal("state-1", query["state"]);

        var tokens = await Tokens.PostAsync(fixture.Client, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = "web",
            ["client_secret"] = fixture.WebSecret,
            ["code"] = query["code"]!,
            ["redirect_uri"] = IdentityServerFixture.WebRedirect.ToString(),
            ["code_verifier"] = verifier,
        }).SuccessfulAsync();

        Assert.Equal(IdentityServerFixture.CustomerId, tokens.Jwt.Subject);
        Assert.Equal(["customer"], tokens.Jwt.Values("role"));
        Assert.Equal(["account"], tokens.Jwt.Values("aud"));
        Assert.DoesNotContain("operations", tokens.Jwt.Scopes());
        Assert.True(tokens.Body.TryGetProperty("refresh_token", out _));
        // The identity token is the web app's to read: it may name the person, the access token may not.
        var identityToken = new JsonWebToken(tokens.Body.GetProperty("id_token").GetString());
        Assert.Equal(IdentityServerFixture.CustomerEmail, identityToken.GetClaim("email").Value);
        Assert.DoesNotContain(tokens.Jwt.Claims, c => c.Type == "email");
    }

    [Fact]
    public async Task A_code_is_not_given_without_a_PKCE_challenge()
    {
        using var browser = Browser();

        using var authorize = await browser.GetAsync(AuthorizeUri(challenge: null), TestContext.Current.CancellationToken);

        // Refused before any sign-in, and not sent back to the client with a code.
        Assert.Equal(HttpStatusCode.BadRequest, authorize.StatusCode);
        Assert.Null(authorize.Headers.Location);
        var body = await authorize.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("error:invalid_request", body, StringComparison.Ordinal);
        Assert.Contains("'code_challenge' parameter is missing", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_shows_the_form_again_with_a_clear_error_and_signs_nobody_in()
    {
        using var browser = Browser();

        using var response = await SignInAsync(browser, new Uri("/account/signin?returnUrl=%2F", UriKind.Relative), IdentityServerFixture.CustomerEmail, "not-the-password");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("The e-mail or password is wrong.", page, StringComparison.Ordinal);
        Assert.DoesNotContain(response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith("eventdriven.identity=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_refused()
    {
        using var browser = Browser();
        using var response = await browser.PostAsync(new Uri("/account/signin", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = IdentityServerFixture.CustomerEmail,
            ["password"] = IdentityServerFixture.CustomerPassword,
        }), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("eventdriven.identity=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task After_signing_in_the_browser_goes_only_to_a_local_address()
    {
        using var browser = Browser();

        using var response = await SignInAsync(browser, new Uri("/account/signin?returnUrl=%2F%2Fevil.example%2F", UriKind.Relative), IdentityServerFixture.OperatorEmail, IdentityServerFixture.OperatorPassword);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    private HttpClient Browser() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = fixture.Server.Address };

    private static Uri AuthorizeUri(string? challenge)
    {
        var parameters = new Dictionary<string, string?>
        {
            ["client_id"] = "web",
            ["response_type"] = "code",
            ["redirect_uri"] = IdentityServerFixture.WebRedirect.ToString(),
            // 'operations' is the web app's own scope (client credentials): edited into a person's request, it is not granted.
            ["scope"] = "openid email offline_access account operations",
            ["state"] = "state-1",
        };
        if (challenge is not null)
        {
            parameters["code_challenge"] = challenge;
            parameters["code_challenge_method"] = "S256";
        }

        return new Uri(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/connect/authorize", parameters), UriKind.Relative);
    }

    /// <summary>Opens the form at <paramref name="form"/> and posts it as a person would, with the token and return address it holds.</summary>
    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, Uri form, string email, string password)
    {
        var page = await browser.GetStringAsync(form, TestContext.Current.CancellationToken);
        var fields = HiddenField().Matches(page).ToDictionary(m => m.Groups["name"].Value, m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        fields["email"] = email;
        fields["password"] = password;
        return await browser.PostAsync(new Uri("/account/signin", UriKind.Relative), new FormUrlEncodedContent(fields), TestContext.Current.CancellationToken);
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\">")]
    private static partial Regex HiddenField();
}
