using System.Net;

namespace EventDriven.Identity.Tests;

/// <summary>Attempts per client address and minute, on a host of its own with low limits.</summary>
[Collection(IdentityServerCollection.Name)]
public sealed class RateLimitTests(IdentityServerFixture fixture)
{
    [Fact]
    public async Task Token_requests_beyond_the_limit_get_429_with_Retry_After_and_no_password_check()
    {
        await using var identity = fixture.Start(new Dictionary<string, string> { ["Identity:RateLimit:TokenPerMinute"] = "3" });

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var answer = await Tokens.PasswordAsync(identity.Client, IdentityServerFixture.OperatorEmail, "wrong-password");
            Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        }

        using var refused = await identity.Client.PostAsync(new Uri("/connect/token", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = "cli",
            ["username"] = IdentityServerFixture.OperatorEmail,
            ["password"] = IdentityServerFixture.OperatorPassword,
        }), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"Retry-After: {refused.Headers.RetryAfter}");
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        // Other endpoints are not limited.
        using var discovery = await identity.Client.GetAsync(new Uri("/.well-known/openid-configuration", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, discovery.StatusCode);
    }

    [Fact]
    public async Task Sign_in_form_posts_beyond_the_limit_get_429()
    {
        await using var identity = fixture.Start(new Dictionary<string, string> { ["Identity:RateLimit:SignInPerMinute"] = "2" });
        var form = new Dictionary<string, string> { ["email"] = IdentityServerFixture.CustomerEmail, ["password"] = "wrong" };

        var statuses = new List<HttpStatusCode>();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            using var response = await identity.Client.PostAsync(new Uri("/account/signin", UriKind.Relative), new FormUrlEncodedContent(form), TestContext.Current.CancellationToken);
            statuses.Add(response.StatusCode);
        }

        // The first two are refused for their missing antiforgery token (400); the third never gets that far.
        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.TooManyRequests], statuses);
    }
}
