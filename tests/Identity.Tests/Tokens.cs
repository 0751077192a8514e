using System.Net;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace EventDriven.Identity.Tests;

/// <summary>The token endpoint as a script would use it (form posts), and what came back.</summary>
public static class Tokens
{
    public sealed record Answer(HttpStatusCode Status, JsonElement Body)
    {
        public string AccessToken => Body.GetProperty("access_token").GetString()!;

        public JsonWebToken Jwt => new(AccessToken);

        public string? Error => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("error", out var error) ? error.GetString() : null;
    }

    public static Task<Answer> PasswordAsync(HttpClient identity, string email, string password, string scope = "openid account transactions reactor") =>
        PostAsync(identity, new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = "cli",
            ["username"] = email,
            ["password"] = password,
            ["scope"] = scope,
        });

    public static Task<Answer> ClientCredentialsAsync(HttpClient identity, string clientId, string secret, string scope) =>
        PostAsync(identity, new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = scope,
        });

    public static async Task<Answer> PostAsync(HttpClient identity, Dictionary<string, string> form)
    {
        using var response = await identity.PostAsync(new Uri("/connect/token", UriKind.Relative), new FormUrlEncodedContent(form), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return new Answer(response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public static async Task<Answer> SuccessfulAsync(this Task<Answer> request)
    {
        var answer = await request;
        Assert.True(answer.Status == HttpStatusCode.OK, $"{(int)answer.Status} {answer.Body}");
        return answer;
    }

    /// <summary>OpenIddict's refusal of a scope the client has no permission for (it says invalid_request, not invalid_scope).</summary>
    public static void AssertScopeRefused(Answer answer)
    {
        Assert.Equal("invalid_request", answer.Error);
        Assert.Equal("This client application is not allowed to use the specified scope.", answer.Body.GetProperty("error_description").GetString());
        Assert.False(answer.Body.TryGetProperty("access_token", out _));
    }

    /// <summary>The values of a claim that may appear once or as an array (aud, role).</summary>
    public static string[] Values(this JsonWebToken token, string claim) =>
        [.. token.Claims.Where(c => c.Type == claim).Select(c => c.Value).Order(StringComparer.Ordinal)];

    /// <summary>The space-separated scopes of the token.</summary>
    public static string[] Scopes(this JsonWebToken token) =>
        [.. token.Values("scope").SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Order(StringComparer.Ordinal)];

}
