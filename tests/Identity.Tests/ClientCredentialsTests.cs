using System.Net;

namespace EventDriven.Identity.Tests;

/// <summary>Service-to-service tokens: each service's own client, secret and scopes.</summary>
[Collection(IdentityServerCollection.Name)]
public sealed class ClientCredentialsTests(IdentityServerFixture fixture)
{
    [Fact]
    public async Task Reactor_gets_a_token_for_Account_with_its_read_scope_only_and_no_role()
    {
        var token = (await Tokens.ClientCredentialsAsync(fixture.Client, "reactor", fixture.ReactorSecret, "account.read").SuccessfulAsync()).Jwt;

        Assert.Equal("reactor", token.Subject);
        Assert.Equal(["account"], token.Values("aud"));
        Assert.Equal(["account.read"], token.Scopes());
        Assert.Empty(token.Values("role"));
    }

    [Fact]
    public async Task Reactor_may_read_Transactions_too_but_Transactions_may_not()
    {
        var reactor = await Tokens.ClientCredentialsAsync(fixture.Client, "reactor", fixture.ReactorSecret, "account.read transactions.read").SuccessfulAsync();
        Assert.Equal(["account", "transactions"], reactor.Jwt.Values("aud"));

        var transactions = await Tokens.ClientCredentialsAsync(fixture.Client, "transactions", fixture.TransactionsSecret, "transactions.read");
        Assert.Equal(HttpStatusCode.BadRequest, transactions.Status);
        Tokens.AssertScopeRefused(transactions);
    }

    [Fact]
    public async Task The_dashboards_operations_token_is_for_every_service_and_the_web_app_reads_Reactor_in_its_own_name()
    {
        var dashboard = (await Tokens.ClientCredentialsAsync(fixture.Client, "dashboard", fixture.DashboardSecret, "operations").SuccessfulAsync()).Jwt;
        Assert.Equal("dashboard", dashboard.Subject);
        Assert.Equal(["account", "reactor", "transactions"], dashboard.Values("aud"));
        Assert.Equal(["operations"], dashboard.Scopes());

        var web = (await Tokens.ClientCredentialsAsync(fixture.Client, "web", fixture.WebSecret, "reactor.read").SuccessfulAsync()).Jwt;
        Assert.Equal(["reactor"], web.Values("aud"));
        Assert.Empty(web.Values("role"));

        // Its own name gets it only its own scopes, never a person's.
        var person = await Tokens.ClientCredentialsAsync(fixture.Client, "web", fixture.WebSecret, "reactor.read account");
        Assert.Equal("invalid_scope", person.Error);
        Assert.False(person.Body.TryGetProperty("access_token", out _));
    }

    [Fact]
    public async Task A_service_cannot_ask_for_a_persons_scope()
    {
        var answer = await Tokens.ClientCredentialsAsync(fixture.Client, "reactor", fixture.ReactorSecret, "account");

        Tokens.AssertScopeRefused(answer);
    }

    [Theory]
    [InlineData("reactor", "wrong", "invalid_client")]
    [InlineData("nobody", "anything", "invalid_client")]
    [InlineData("reactor", "", "invalid_request")]
    public async Task A_wrong_or_missing_secret_or_an_unknown_client_is_refused(string clientId, string secret, string error)
    {
        var answer = await Tokens.ClientCredentialsAsync(fixture.Client, clientId, secret, "account.read");

        Assert.True(answer.Status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, $"{(int)answer.Status} {answer.Body}");
        Assert.Equal(error, answer.Error);
        Assert.False(answer.Body.TryGetProperty("access_token", out _));
    }

    [Fact]
    public async Task The_public_cli_client_cannot_use_client_credentials()
    {
        var answer = await Tokens.PostAsync(fixture.Client, new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "cli",
            ["scope"] = "account",
        });

        Assert.False(answer.Body.TryGetProperty("access_token", out _), answer.Body.ToString());
    }
}
