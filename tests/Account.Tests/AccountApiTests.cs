using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace EventDriven.Accounts.Tests;

/// <summary>Commands over HTTP against PostgreSQL and the local broker, checked on all three account topics.</summary>
[Collection(AccountServiceCollection.Name)]
public sealed class AccountApiTests(AccountServiceFixture service)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Opening_an_account_publishes_a_notification_a_delta_and_the_state_under_one_event_id()
    {
        using var response = await OpenAsync(Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        var account = (await response.Content.ReadFromJsonAsync<AccountSnapshot>(ContractJson.Options, Ct))!;
        Assert.Equal($"/accounts/{account.AccountId}", response.Headers.Location?.ToString());

        var notification = Assert.Single(await service.Kafka.ReadAsync(Topics.AccountNotifications, account.AccountId, 1));
        var delta = Assert.Single(await service.Kafka.ReadAsync(Topics.AccountDeltas, account.AccountId, 1));
        var state = Assert.Single(await service.Kafka.ReadAsync(Topics.AccountState, account.AccountId, 1));
        var eventId = AccountServiceFixture.Header(notification, "ce_id");
        foreach (var message in new[] { notification, delta, state })
        {
            Assert.Equal(eventId, AccountServiceFixture.Header(message, "ce_id"));
            Assert.Equal(AccountEventTypes.Opened, AccountServiceFixture.Header(message, "ce_type"));
            Assert.Equal("1.0", AccountServiceFixture.Header(message, "ce_specversion"));
            Assert.Equal(AccountEventTypes.Source, AccountServiceFixture.Header(message, "ce_source"));
            Assert.Equal("application/json", AccountServiceFixture.Header(message, "content-type"));
            Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", AccountServiceFixture.Header(message, "traceparent"));
        }

        var notified = Read<AccountNotification>(notification);
        Assert.Equal((Guid.Parse(eventId), account.AccountId, 1L, AccountEventTypes.Opened), (notified.EventId, notified.AccountId, notified.Version, notified.Type));
        Assert.Contains(Read<AccountDelta>(delta).Changes, c => c is { Field: "address.city", Old: null, New: "Amsterdam" });
        var carried = Read<AccountStateChanged>(state);
        Assert.Null(carried.Before);
        Assert.Equal(account, carried.After);
    }

    [Fact]
    public async Task Each_change_is_published_in_order_and_its_delta_names_only_the_fields_that_changed()
    {
        var account = await OpenAccountAsync();

        using var moved = await SendAsync(HttpMethod.Put, $"/accounts/{account.AccountId}/address", Guid.NewGuid().ToString(),
            new { street = "Damrak 2", city = "Amsterdam", postalCode = "1012 LG", country = "NL" });
        using var contact = await SendAsync(HttpMethod.Put, $"/accounts/{account.AccountId}/contact", Guid.NewGuid().ToString(), new { email = "ada@example.org", phone = "+31201234567" });
        using var frozen = await SendAsync(HttpMethod.Post, $"/accounts/{account.AccountId}/freeze", Guid.NewGuid().ToString(), new { reason = "Unusual activity" }, client: service.Operator);

        Assert.All(new[] { moved, contact, frozen }, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        var deltas = (await service.Kafka.ReadAsync(Topics.AccountDeltas, account.AccountId, 4)).Select(Read<AccountDelta>).ToList();
        Assert.Equal([1L, 2L, 3L, 4L], deltas.Select(d => d.Version));
        Assert.Equal([AccountEventTypes.Opened, AccountEventTypes.AddressChanged, AccountEventTypes.ContactDetailsChanged, AccountEventTypes.Frozen], deltas.Select(d => d.Type));
        Assert.Equal(["address.postalCode", "address.street"], deltas[1].Changes.Select(c => c.Field));
        Assert.Equal([("email", (string?)"ada@example.com", (string?)"ada@example.org"), ("phone", null, "+31201234567")], deltas[2].Changes.Select(c => (c.Field, c.Old, c.New)));
        Assert.Equal([("freezeReason", (string?)null, (string?)"Unusual activity"), ("status", "open", "frozen")], deltas[3].Changes.Select(c => (c.Field, c.Old, c.New)));
        var states = (await service.Kafka.ReadAsync(Topics.AccountState, account.AccountId, 4)).Select(Read<AccountStateChanged>).ToList();
        Assert.Equal(AccountStatus.Frozen, states[3].After.Status);
        Assert.Equal(states[2].After, states[3].Before);
        var notifications = (await service.Kafka.ReadAsync(Topics.AccountNotifications, account.AccountId, 4)).Select(Read<AccountNotification>).ToList();
        Assert.Equal(deltas.Select(d => (d.EventId, d.Version, d.Type)), notifications.Select(n => (n.EventId, n.Version, n.Type)));
    }

    [Fact]
    public async Task A_repeated_command_with_the_same_idempotency_key_gets_the_original_answer_and_has_one_effect()
    {
        var (key, owner) = (Guid.NewGuid().ToString(), $"Ada {Guid.NewGuid():N}");
        using var first = await OpenAsync(key, owner);
        using var again = await OpenAsync(key, owner);
        var account = (await first.Content.ReadFromJsonAsync<AccountSnapshot>(ContractJson.Options, Ct))!;

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(account, await again.Content.ReadFromJsonAsync<AccountSnapshot>(ContractJson.Options, Ct));

        var freezeKey = Guid.NewGuid().ToString();
        using var freeze = await SendAsync(HttpMethod.Post, $"/accounts/{account.AccountId}/freeze", freezeKey, new { reason = "Alert" }, client: service.Operator);
        using var freezeAgain = await SendAsync(HttpMethod.Post, $"/accounts/{account.AccountId}/freeze", freezeKey, new { reason = "Alert" }, client: service.Operator);
        Assert.Equal(await freeze.Content.ReadAsStringAsync(Ct), await freezeAgain.Content.ReadAsStringAsync(Ct));

        // A later command shows what came before it on the account's partition: one opening, one freeze.
        using var unfreeze = await SendAsync(HttpMethod.Post, $"/accounts/{account.AccountId}/unfreeze", Guid.NewGuid().ToString(), new { reason = "Checked" }, client: service.Operator);
        var types = (await service.Kafka.ReadAsync(Topics.AccountNotifications, account.AccountId, 3)).Select(m => Read<AccountNotification>(m).Type);
        Assert.Equal([AccountEventTypes.Opened, AccountEventTypes.Frozen, AccountEventTypes.Unfrozen], types);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM accounts WHERE owner_name = $1", account.OwnerName));
    }

    public static TheoryData<string, string> BadOpenings => new()
    {
        { "no owner", """{"email":"ada@example.com","address":{"street":"s","city":"c","postalCode":"p","country":"NL"},"currency":"EUR"}""" },
        { "bad email", """{"ownerName":"Ada","email":"not-an-email","address":{"street":"s","city":"c","postalCode":"p","country":"NL"},"currency":"EUR"}""" },
        { "bad phone", """{"ownerName":"Ada","email":"ada@example.com","phone":"12","address":{"street":"s","city":"c","postalCode":"p","country":"NL"},"currency":"EUR"}""" },
        { "no address", """{"ownerName":"Ada","email":"ada@example.com","currency":"EUR"}""" },
        { "unknown country", """{"ownerName":"Ada","email":"ada@example.com","address":{"street":"s","city":"c","postalCode":"p","country":"XX"},"currency":"EUR"}""" },
        { "unknown currency", """{"ownerName":"Ada","email":"ada@example.com","address":{"street":"s","city":"c","postalCode":"p","country":"NL"},"currency":"EURO"}""" },
        { "not json", "{ownerName:" },
        { "NUL in a name", """{"ownerName":"Ada\u0000Lovelace","email":"ada@example.com","address":{"street":"s","city":"c","postalCode":"p","country":"NL"},"currency":"EUR"}""" },
        { "a control character in a street", """{"ownerName":"Ada","email":"ada@example.com","address":{"street":"Main\u0001 1","city":"c","postalCode":"p","country":"NL"},"currency":"EUR"}""" },
        { "DEL in a currency", """{"ownerName":"Ada","email":"ada@example.com","address":{"street":"s","city":"c","postalCode":"p","country":"NL"},"currency":"EU\u007f"}""" },
    };

    [Fact]
    public async Task A_control_character_in_a_body_is_a_400_that_names_the_field()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/accounts")
        {
            Content = new StringContent("""{"ownerName":"Ada","email":"ada@example.com","address":{"street":"Main\u0000 1","city":"c","postalCode":"p","country":"NL"},"currency":"EUR"}""",
                MediaTypeHeaderValue.Parse("application/json")),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());

        using var response = await service.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>(Ct);
        Assert.Contains("'street'", problem!.Detail, StringComparison.Ordinal);
        Assert.Contains("control characters", problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/accounts?owner=%00x", "owner")]
    [InlineData("/accounts?currency=%00AB", "currency")]
    [InlineData("/accounts?owner=a%7Fb", "owner")]
    public async Task A_control_character_in_a_query_value_is_a_400_that_names_it(string path, string parameter)
    {
        using var response = await service.Client.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"'{parameter}'", (await response.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_control_character_in_a_header_is_a_400_and_writes_nothing()
    {
        var before = await CountAsync("SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM idempotency_keys)");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/accounts")
        {
            Content = JsonContent.Create(new { ownerName = "Ada", email = "ada@example.com", address = new { street = "s", city = "c", postalCode = "p", country = "NL" }, currency = "EUR" }),
        };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", "key\u0001one");

        using var response = await service.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'Idempotency-Key'", (await response.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail, StringComparison.Ordinal);
        Assert.Equal(before, await CountAsync("SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM idempotency_keys)"));
    }

    [Theory]
    [MemberData(nameof(BadOpenings))]
    public async Task Bad_input_is_a_400_problem_and_writes_nothing(string why, string body)
    {
        var before = await CountAsync("SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM idempotency_keys)");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/accounts") { Content = new StringContent(body, MediaTypeHeaderValue.Parse("application/json")) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());

        using var response = await service.Client.SendAsync(request, Ct);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, why);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await CountAsync("SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM idempotency_keys)"));
    }

    [Fact]
    public async Task Refused_commands_answer_with_problem_details_and_publish_nothing()
    {
        var account = await OpenAccountAsync();
        var id = account.AccountId;

        using var noKey = await SendAsync(HttpMethod.Post, $"/accounts/{id}/freeze", key: null, new { reason = "x" }, client: service.Operator);
        using var unknown = await SendAsync(HttpMethod.Post, $"/accounts/{Guid.NewGuid()}/freeze", Guid.NewGuid().ToString(), new { reason = "x" }, client: service.Operator);
        using var stale = await SendAsync(HttpMethod.Post, $"/accounts/{id}/freeze", Guid.NewGuid().ToString(), new { reason = "x" }, ifMatch: "\"7\"", client: service.Operator);
        var reusedKey = Guid.NewGuid().ToString();
        using var first = await SendAsync(HttpMethod.Post, $"/accounts/{id}/closure", reusedKey, new { });
        using var reused = await SendAsync(HttpMethod.Post, $"/accounts/{id}/freeze", reusedKey, new { reason = "x" }, client: service.Operator);
        using var notAllowed = await SendAsync(HttpMethod.Put, $"/accounts/{id}/contact", Guid.NewGuid().ToString(), new { email = "new@example.com" });

        Assert.Equal(
            [HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.PreconditionFailed, HttpStatusCode.OK, HttpStatusCode.UnprocessableEntity, HttpStatusCode.Conflict],
            new[] { noKey, unknown, stale, first, reused, notAllowed }.Select(r => r.StatusCode));
        foreach (var refusal in new[] { noKey, unknown, stale, reused, notAllowed })
        {
            Assert.Equal("application/problem+json", refusal.Content.Headers.ContentType?.MediaType);
        }

        // Only the opening and the closure request happened.
        using var settled = await SendAsync(HttpMethod.Get, $"/accounts/{id}", key: null, body: null);
        Assert.Equal("\"2\"", settled.Headers.ETag?.Tag);
        var types = (await service.Kafka.ReadExactlyAsync(Topics.AccountNotifications, id, 2)).Select(m => Read<AccountNotification>(m).Type);
        Assert.Equal([AccountEventTypes.Opened, AccountEventTypes.ClosureRequested], types);
    }

    [Fact]
    public async Task Accounts_are_listed_a_page_at_a_time_and_filtered()
    {
        var owner = $"Hopper {Guid.NewGuid():N}";
        for (var i = 0; i < 3; i++)
        {
            using var opened = await OpenAsync(Guid.NewGuid().ToString(), $"{owner} {i}");
        }

        var firstPage = await service.Client.GetFromJsonAsync<JsonElement>($"/accounts?owner={owner}&pageSize=2", Ct);
        var secondPage = await service.Client.GetFromJsonAsync<JsonElement>($"/accounts?owner={owner}&pageSize=2&page=2", Ct);
        var frozenOnly = await service.Client.GetFromJsonAsync<JsonElement>($"/accounts?owner={owner}&status=Frozen", Ct);
        using var badPage = await service.Client.GetAsync(new Uri("/accounts?page=0", UriKind.Relative), Ct);

        Assert.Equal(3, firstPage.GetProperty("total").GetInt64());
        Assert.Equal(2, firstPage.GetProperty("items").GetArrayLength());
        Assert.All(firstPage.GetProperty("items").EnumerateArray(), a => Assert.Equal("open", a.GetProperty("status").GetString()));
        Assert.Equal($"{owner} 2", Assert.Single(secondPage.GetProperty("items").EnumerateArray()).GetProperty("ownerName").GetString());
        Assert.Equal(0, frozenOnly.GetProperty("total").GetInt64());
        Assert.Equal(HttpStatusCode.BadRequest, badPage.StatusCode);
    }

    [Fact]
    public async Task The_snapshot_export_holds_every_account_with_the_wal_position_it_reflects()
    {
        var account = await OpenAccountAsync();

        var export = (await service.Operator.GetFromJsonAsync<JsonElement>("/accounts/snapshot", Ct));

        Assert.Matches("^[0-9A-F]+/[0-9A-F]+$", export.GetProperty("walPosition").GetString());
        Assert.Contains(export.GetProperty("accounts").EnumerateArray(), a => a.GetProperty("accountId").GetGuid() == account.AccountId);
    }

    private async Task<AccountSnapshot> OpenAccountAsync()
    {
        using var response = await OpenAsync(Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<AccountSnapshot>(ContractJson.Options, Ct))!;
    }

    private Task<HttpResponseMessage> OpenAsync(string key, string? owner = null) => SendAsync(HttpMethod.Post, "/accounts", key, new
    {
        ownerName = owner ?? $"Ada {Guid.NewGuid():N}",
        email = "ada@example.com",
        address = new { street = "Keizersgracht 1", city = "Amsterdam", postalCode = "1015 CJ", country = "NL" },
        currency = "EUR",
    });

    /// <summary>Sends as the customer, unless <paramref name="client"/> is another's (the operator's, for freeze and unfreeze).</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key, object? body, string? ifMatch = null, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return await (client ?? service.Client).SendAsync(request, Ct);
    }

    private async Task<long> CountAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(service.DatabaseConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new() { Value = parameter });
        }

        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    private static T Read<T>(Confluent.Kafka.Message<string, string> message) => JsonSerializer.Deserialize<T>(message.Value, ContractJson.Options)!;
}
