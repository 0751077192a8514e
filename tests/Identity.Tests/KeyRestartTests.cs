using System.Net.Http.Json;
using System.Text.Json;

namespace EventDriven.Identity.Tests;

/// <summary>The keys are made once and kept: a restarted server (same address, same database) signs with the same key.</summary>
[Collection(IdentityServerCollection.Name)]
public sealed class KeyRestartTests(IdentityServerFixture fixture)
{
    [Fact]
    public async Task A_token_issued_before_a_restart_validates_after_it()
    {
        Uri address;
        string token;
        string keyId;
        await using (var before = fixture.Start())
        {
            address = before.Address;
            token = (await Tokens.PasswordAsync(before.Client, IdentityServerFixture.CustomerEmail, IdentityServerFixture.CustomerPassword, "account").SuccessfulAsync()).AccessToken;
            keyId = await SigningKeyIdAsync(before.Client);
        }

        await using var after = fixture.Start(address: address);
        // A service that never saw the first instance: it learns the keys from the restarted one.
        await using var account = await ResourceServer.StartAsync(after.Address, audience: "account");

        Assert.Equal(keyId, await SigningKeyIdAsync(after.Client));
        Assert.Equal((200, IdentityServerFixture.CustomerId), await account.GetAsync("/customers", token));
    }

    private static async Task<string> SigningKeyIdAsync(HttpClient identity)
    {
        var keys = await identity.GetFromJsonAsync<JsonElement>("/.well-known/jwks", TestContext.Current.CancellationToken);
        return Assert.Single(keys.GetProperty("keys").EnumerateArray()).GetProperty("kid").GetString()!;
    }
}
