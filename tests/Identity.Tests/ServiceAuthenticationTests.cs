using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace EventDriven.Identity.Tests;

/// <summary>
/// ServiceDefaults' <c>AddServiceAuthentication</c> against the real identity server: the right token is taken, an
/// expired, tampered or other service's token is refused (401), and the policies tell customers, operators and
/// services apart (403). The client-credentials handler gets the service's token and reuses it.
/// </summary>
[Collection(IdentityServerCollection.Name)]
public sealed class ServiceAuthenticationTests(IdentityServerFixture fixture) : IAsyncLifetime
{
    private ResourceServer _account = null!;

    public async ValueTask InitializeAsync() => _account = await ResourceServer.StartAsync(fixture.Server.Address, audience: "account");

    public ValueTask DisposeAsync() => _account.DisposeAsync();

    [Fact]
    public async Task A_customers_token_is_taken_and_the_operator_policy_refuses_it_with_403()
    {
        var token = (await Tokens.PasswordAsync(fixture.Client, IdentityServerFixture.CustomerEmail, IdentityServerFixture.CustomerPassword, "account").SuccessfulAsync()).AccessToken;

        Assert.Equal((200, IdentityServerFixture.CustomerId), await _account.GetAsync("/signed-in", token));
        Assert.Equal((200, IdentityServerFixture.CustomerId), await _account.GetAsync("/customers", token));
        Assert.Equal(403, (await _account.GetAsync("/operations", token)).Status);
        Assert.Equal(403, (await _account.GetAsync("/service", token)).Status);
    }

    [Fact]
    public async Task An_operators_token_passes_the_operator_policy_and_not_the_customer_one()
    {
        var token = (await Tokens.PasswordAsync(fixture.Client, IdentityServerFixture.OperatorEmail, IdentityServerFixture.OperatorPassword, "account").SuccessfulAsync()).AccessToken;

        Assert.Equal((200, IdentityServerFixture.OperatorId), await _account.GetAsync("/operations", token));
        Assert.Equal(403, (await _account.GetAsync("/customers", token)).Status);
    }

    [Fact]
    public async Task No_token_is_401()
    {
        Assert.Equal(401, (await _account.GetAsync("/signed-in", token: null)).Status);
        Assert.Equal(401, (await _account.GetAsync("/service", "not-a-jwt")).Status);
    }

    [Fact]
    public async Task A_token_for_another_service_is_401()
    {
        // Reactor's token for Account (aud account), shown to Transactions.
        var token = (await Tokens.ClientCredentialsAsync(fixture.Client, "reactor", fixture.ReactorSecret, "account.read").SuccessfulAsync()).AccessToken;
        await using var transactions = await ResourceServer.StartAsync(fixture.Server.Address, audience: "transactions");

        Assert.Equal(401, (await transactions.GetAsync("/signed-in", token)).Status);
        Assert.Equal(200, (await _account.GetAsync("/service", token)).Status);
        Assert.Equal(403, (await _account.GetAsync("/customers", token)).Status);
    }

    [Fact]
    public async Task A_tampered_token_is_401()
    {
        var token = (await Tokens.PasswordAsync(fixture.Client, IdentityServerFixture.CustomerEmail, IdentityServerFixture.CustomerPassword, "account").SuccessfulAsync()).AccessToken;
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!;
        payload["role"] = "operator";
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(payload.ToJsonString())}.{parts[2]}";

        Assert.Equal(200, (await _account.GetAsync("/customers", token)).Status);
        Assert.Equal(401, (await _account.GetAsync("/operations", tampered)).Status);
        Assert.Equal(401, (await _account.GetAsync("/signed-in", tampered)).Status);
    }

    [Fact]
    public async Task An_expired_token_signed_with_the_servers_own_key_is_401_while_the_same_token_in_date_is_taken()
    {
        var inDate = await SignWithServerKeyAsync(expires: DateTime.UtcNow.AddMinutes(10));
        var expired = await SignWithServerKeyAsync(expires: DateTime.UtcNow.AddMinutes(-2));

        Assert.Equal((200, IdentityServerFixture.CustomerId), await _account.GetAsync("/customers", inDate));
        Assert.Equal(401, (await _account.GetAsync("/customers", expired)).Status);
    }

    [Fact]
    public async Task The_client_credentials_handler_gets_the_services_token_and_reuses_it()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Identity:Authority"] = fixture.Server.Address.ToString(),
                [ClientCredentialsExtensions.ClientSecretKey] = fixture.ReactorSecret,
            }).Build());
        services.AddHttpClient("account", http => http.BaseAddress = _account.Address).AddClientCredentialsToken("reactor", "account.read");
        await using var provider = services.BuildServiceProvider();
        var account = provider.GetRequiredService<IHttpClientFactory>().CreateClient("account");

        var first = await account.GetStringAsync(new Uri("/service", UriKind.Relative), TestContext.Current.CancellationToken);
        var second = await account.GetStringAsync(new Uri("/service", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(first, second);
    }

    /// <summary>
    /// A customer's token made here with the server's stored signing key and its issuer: identical to a real one but for
    /// the expiry, so an expired one is refused for its expiry alone (the in-date one shows the rest is right).
    /// </summary>
    private async Task<string> SignWithServerKeyAsync(DateTime expires)
    {
        await using var connection = new NpgsqlConnection(fixture.DatabaseConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT key_id, private_key FROM identity_keys WHERE purpose = 'signing'", connection);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken));
        using var rsa = RSA.Create();
        rsa.ImportFromPem(reader.GetString(1));

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = fixture.Server.Address.ToString(),
            Audience = "account",
            TokenType = "at+jwt",
            IssuedAt = expires.AddMinutes(-15),
            NotBefore = expires.AddMinutes(-15),
            Expires = expires,
            Claims = new Dictionary<string, object>
            {
                ["sub"] = IdentityServerFixture.CustomerId,
                ["role"] = "customer",
                ["scope"] = "account",
            },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(rsa.ExportParameters(true)) { KeyId = reader.GetString(0) }, SecurityAlgorithms.RsaSha256),
        });
    }
}
