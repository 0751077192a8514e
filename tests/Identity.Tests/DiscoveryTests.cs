using System.Net.Http.Json;
using System.Text.Json;

namespace EventDriven.Identity.Tests;

[Collection(IdentityServerCollection.Name)]
public sealed class DiscoveryTests(IdentityServerFixture fixture)
{
    [Fact]
    public async Task The_discovery_document_names_the_endpoints_and_the_flows_with_PKCE()
    {
        var discovery = await fixture.Client.GetFromJsonAsync<JsonElement>("/.well-known/openid-configuration", TestContext.Current.CancellationToken);

        Assert.Equal(fixture.Server.Address.ToString(), discovery.GetProperty("issuer").GetString());
        Assert.Equal(new Uri(fixture.Server.Address, "connect/token").ToString(), discovery.GetProperty("token_endpoint").GetString());
        Assert.Equal(new Uri(fixture.Server.Address, "connect/authorize").ToString(), discovery.GetProperty("authorization_endpoint").GetString());
        var grants = Strings(discovery, "grant_types_supported");
        Assert.Superset(new HashSet<string> { "authorization_code", "refresh_token", "client_credentials", "password" }, grants);
        Assert.Equal(["S256"], Strings(discovery, "code_challenge_methods_supported").Where(m => m != "plain"));
        Assert.Superset(new HashSet<string> { "account", "account.read", "transactions", "transactions.read", "reactor" }, Strings(discovery, "scopes_supported"));
    }

    [Fact]
    public async Task The_key_set_publishes_the_public_signing_key_only()
    {
        var discovery = await fixture.Client.GetFromJsonAsync<JsonElement>("/.well-known/openid-configuration", TestContext.Current.CancellationToken);
        var keys = await fixture.Client.GetFromJsonAsync<JsonElement>(new Uri(discovery.GetProperty("jwks_uri").GetString()!), TestContext.Current.CancellationToken);

        var key = Assert.Single(keys.GetProperty("keys").EnumerateArray());
        Assert.Equal("RSA", key.GetProperty("kty").GetString());
        Assert.Equal("sig", key.GetProperty("use").GetString());
        Assert.StartsWith("signing-", key.GetProperty("kid").GetString(), StringComparison.Ordinal);
        Assert.True(key.TryGetProperty("n", out _));
        // No private part: d, p, q and the rest stay in Identity's database.
        foreach (var secret in new[] { "d", "p", "q", "dp", "dq", "qi" })
        {
            Assert.False(key.TryGetProperty(secret, out _), $"the key set published '{secret}'");
        }
    }

    private static HashSet<string> Strings(JsonElement document, string property) =>
        [.. document.GetProperty(property).EnumerateArray().Select(e => e.GetString()!)];
}
