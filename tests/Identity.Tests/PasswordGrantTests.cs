using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace EventDriven.Identity.Tests;

/// <summary>The development-only password grant through the public client <c>cli</c>: what scripts and tests use.</summary>
[Collection(IdentityServerCollection.Name)]
public sealed class PasswordGrantTests(IdentityServerFixture fixture)
{
    [Fact]
    public async Task The_demo_customer_gets_a_short_lived_JWT_with_their_id_role_audiences_and_scopes_and_nothing_personal()
    {
        var answer = await Tokens.PasswordAsync(fixture.Client, IdentityServerFixture.CustomerEmail, IdentityServerFixture.CustomerPassword).SuccessfulAsync();
        var token = answer.Jwt;

        Assert.Equal("RS256", token.Alg);
        Assert.Equal("at+jwt", token.Typ);
        Assert.Equal(IdentityServerFixture.CustomerId, token.Subject);
        Assert.Equal(["customer"], token.Values("role"));
        Assert.Equal(["account", "reactor", "transactions"], token.Values("aud"));
        Assert.Equal(["account", "openid", "reactor", "transactions"], token.Scopes());
        Assert.Equal(fixture.Server.Address.ToString(), token.Issuer);
        Assert.Equal(TimeSpan.FromMinutes(15), token.ValidTo - token.IssuedAt);
        // Personal data stays in Identity.
        Assert.DoesNotContain(token.Claims, c => c.Type is "email" or "name" or "preferred_username" or "given_name" or "family_name");
        Assert.DoesNotContain("customer@", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(Pad(token.EncodedPayload))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_operator_gets_the_operator_role()
    {
        var token = (await Tokens.PasswordAsync(fixture.Client, IdentityServerFixture.OperatorEmail, IdentityServerFixture.OperatorPassword, "account").SuccessfulAsync()).Jwt;

        Assert.Equal(IdentityServerFixture.OperatorId, token.Subject);
        Assert.Equal(["operator"], token.Values("role"));
        Assert.Equal(["account"], token.Values("aud"));
        Assert.Equal(["account"], token.Scopes());
    }

    [Fact]
    public async Task A_person_cannot_ask_for_a_services_read_scope()
    {
        var answer = await Tokens.PasswordAsync(fixture.Client, IdentityServerFixture.CustomerEmail, IdentityServerFixture.CustomerPassword, "account.read");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Tokens.AssertScopeRefused(answer);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_and_counted_and_enough_of_them_lock_the_account_even_against_the_right_one()
    {
        var (email, password) = await NewUserAsync();

        var wrong = await Tokens.PasswordAsync(fixture.Client, email, password + "x");
        Assert.Equal(HttpStatusCode.BadRequest, wrong.Status);
        Assert.Equal("invalid_grant", wrong.Error);
        Assert.Equal(1, await FailedCountAsync(email));

        // Five in a row (Identity:MaxFailedAttempts) lock it: then the right password is refused as well.
        for (var attempt = 2; attempt <= 5; attempt++)
        {
            Assert.Equal("invalid_grant", (await Tokens.PasswordAsync(fixture.Client, email, password + "x")).Error);
        }

        var locked = await Tokens.PasswordAsync(fixture.Client, email, password);
        Assert.Equal("invalid_grant", locked.Error);
        // Said as for an unknown e-mail: "locked" would tell a prober the account exists.
        Assert.Equal("The e-mail or password is wrong.", locked.Body.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task An_unknown_email_gets_the_same_answer_as_a_wrong_password()
    {
        var (email, password) = await NewUserAsync();

        var unknown = await Tokens.PasswordAsync(fixture.Client, $"nobody-{Guid.NewGuid():N}@example.com", password);
        var wrong = await Tokens.PasswordAsync(fixture.Client, email, password + "x");

        Assert.Equal((wrong.Status, wrong.Body.ToString()), (unknown.Status, unknown.Body.ToString()));
    }

    [Fact]
    public async Task A_refresh_token_gives_a_new_access_token_for_the_same_person()
    {
        var first = await Tokens.PasswordAsync(fixture.Client, IdentityServerFixture.CustomerEmail, IdentityServerFixture.CustomerPassword, "openid offline_access account").SuccessfulAsync();

        var refreshed = await Tokens.PostAsync(fixture.Client, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = "cli",
            ["refresh_token"] = first.Body.GetProperty("refresh_token").GetString()!,
        }).SuccessfulAsync();

        Assert.Equal(IdentityServerFixture.CustomerId, refreshed.Jwt.Subject);
        Assert.Equal(["customer"], refreshed.Jwt.Values("role"));
        Assert.Equal(["account"], refreshed.Jwt.Values("aud"));
        Assert.NotEqual(first.AccessToken, refreshed.AccessToken);
    }

    private async Task<(string Email, string Password)> NewUserAsync()
    {
        var email = $"user-{Guid.NewGuid():N}@example.com";
        var password = $"pw-{Guid.NewGuid():N}";
        await using var scope = fixture.Server.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = new IdentityUser { UserName = email, Email = email };
        Assert.True((await users.CreateAsync(user, password)).Succeeded);
        Assert.True((await users.AddToRoleAsync(user, "customer")).Succeeded);
        return (email, password);
    }

    private async Task<int> FailedCountAsync(string email)
    {
        await using var scope = fixture.Server.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        return await users.GetAccessFailedCountAsync((await users.FindByEmailAsync(email))!);
    }

    private static string Pad(string base64Url)
    {
        var text = base64Url.Replace('-', '+').Replace('_', '/');
        return text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
    }
}
