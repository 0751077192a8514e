using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using EventDriven.Contracts;
using Confluent.Kafka;
using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Reactor;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.Tests;

namespace EventDriven.Accounts.Tests;

/// <summary>
/// Who may do what at Account, against the real identity server's tokens. The endpoints come from the OpenAPI document
/// the service serves, so an endpoint added later is covered by itself: it needs a token, and unless this test is told
/// it is a customer's it must refuse customers.
/// </summary>
[Collection(AccountServiceCollection.Name)]
public sealed class AuthorisationTests(AccountServiceFixture service)
{
    /// <summary>What a customer may call (on their own accounts); everything else in the document is operators' or services'.</summary>
    private static readonly HashSet<string> CustomerOperations =
    [
        "GET /accounts", "POST /accounts", "GET /accounts/{id}", "PUT /accounts/{id}/address", "PUT /accounts/{id}/contact", "POST /accounts/{id}/closure",
    ];

    /// <summary>A valid body for each operation that takes one, so that a refusal is about who asks, not what they sent.</summary>
    private static readonly Dictionary<string, object> Bodies = new()
    {
        ["POST /accounts"] = new
        {
            ownerName = "Ada Lovelace", email = "ada@example.com", currency = "EUR",
            address = new { street = "Keizersgracht 1", city = "Amsterdam", postalCode = "1015 CJ", country = "NL" },
        },
        ["PUT /accounts/{id}/address"] = new { street = "Damrak 2", city = "Amsterdam", postalCode = "1012 LG", country = "NL" },
        ["PUT /accounts/{id}/contact"] = new { email = "ada@example.org" },
        ["POST /accounts/{id}/freeze"] = new { reason = "Checking" },
        ["POST /accounts/{id}/unfreeze"] = new { reason = "Checked" },
        ["POST /accounts/{id}/closure"] = new { },
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_a_token_every_endpoint_but_health_is_a_401_problem()
    {
        var operations = await OperationsAsync();
        var account = await service.Client.OpenAccountAsync("EUR", Ct);

        foreach (var operation in operations)
        {
            using var response = await SendAsync(service.Anonymous, operation, account);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{operation} without a token answered {(int)response.StatusCode}.");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        }

        // Orchestrators ask without one; so may anyone read how to get in.
        foreach (var open in new[] { "/health", "/alive", "/openapi/v1.json" })
        {
            using var response = await service.Anonymous.GetAsync(open, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{open} without a token answered {(int)response.StatusCode}.");
        }

        Assert.Equal(1, await VersionAsync(account));
    }

    [Fact]
    public async Task Another_customer_gets_404_on_every_endpoint_of_an_account_exactly_as_for_an_unknown_one()
    {
        var account = await service.Client.OpenAccountAsync("EUR", Ct);
        using var other = service.ClientAs(TestUser.OtherCustomer);
        var perAccount = (await OperationsAsync()).Where(o => o.Path.Contains("{id}", StringComparison.Ordinal) && CustomerOperations.Contains(o.ToString())).ToList();
        Assert.Equal(4, perAccount.Count);

        foreach (var operation in perAccount)
        {
            var unknown = Guid.NewGuid();
            using var theirs = await SendAsync(other, operation, account);
            using var nobodys = await SendAsync(other, operation, unknown);

            Assert.True(theirs.StatusCode == HttpStatusCode.NotFound, $"{operation} on another's account answered {(int)theirs.StatusCode}.");
            Assert.Equal(HttpStatusCode.NotFound, nobodys.StatusCode);
            Assert.Equal(await ProblemAsync(nobodys, unknown), await ProblemAsync(theirs, account));
        }

        // Nothing happened to it, and its owner still has it.
        Assert.Equal(1, await VersionAsync(account));
    }

    [Fact]
    public async Task A_customer_lists_only_their_own_accounts_and_an_operator_every_account()
    {
        var name = $"Listed {Guid.NewGuid():N}";
        var mine = await service.Client.OpenAccountAsync("EUR", Ct, ownerName: $"{name} mine");
        using var other = service.ClientAs(TestUser.OtherCustomer);
        var theirs = await other.OpenAccountAsync("EUR", Ct, ownerName: $"{name} theirs");

        var myList = await ListAsync(service.Client, name);
        var theirList = await ListAsync(other, name);
        var everyone = await ListAsync(service.Operator, name);

        Assert.Equal([mine], myList.Select(a => a.AccountId));
        Assert.Equal([theirs], theirList.Select(a => a.AccountId));
        Assert.Equal(new[] { mine, theirs }.Order(), everyone.Select(a => a.AccountId).Order());
        Assert.Equal(TestUser.Customer.Id, myList[0].Owner);
        Assert.Equal(TestUser.OtherCustomer.Id, theirList[0].Owner);

        // Unfiltered too, a customer's list holds only their own.
        Assert.All(await ListAsync(other, name: null), a => Assert.Equal(TestUser.OtherCustomer.Id, a.Owner));
    }

    [Fact]
    public async Task A_customer_gets_403_on_every_operator_endpoint_and_the_operator_is_let_in()
    {
        var account = await service.Client.OpenAccountAsync("EUR", Ct);
        var operatorOnly = (await OperationsAsync()).Where(o => !CustomerOperations.Contains(o.ToString())).ToList();
        Assert.Contains(operatorOnly, o => o.ToString() == "POST /accounts/{id}/freeze");
        Assert.Contains(operatorOnly, o => o.ToString() == "GET /accounts/snapshot");

        foreach (var operation in operatorOnly)
        {
            using var refused = await SendAsync(service.Client, operation, account);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{operation} for a customer answered {(int)refused.StatusCode}.");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(1, await VersionAsync(account));
        foreach (var operation in operatorOnly)
        {
            // Let in: answered for what it asked (a 404 for a dead letter or an event that is not there), never refused.
            using var admitted = await SendAsync(service.Operator, operation, account);
            Assert.True(admitted.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) && (int)admitted.StatusCode < 500,
                $"{operation} for the operator answered {(int)admitted.StatusCode}.");
        }

        // The operator's freeze went through on a customer's account.
        Assert.Contains(TestUser.Operator.Id, (await service.Kafka.ReadAsync(Topics.AccountNotifications, account, 2)).Select(m => AccountServiceFixture.Header(m, "ce_actor")));
    }

    [Fact]
    public async Task The_operator_reaches_a_customer_s_account_and_owns_the_accounts_they_open()
    {
        var customers = await service.Client.OpenAccountAsync("EUR", Ct);
        var operators = await service.Operator.OpenAccountAsync("EUR", Ct);

        var read = await service.Operator.GetFromJsonAsync<AccountSnapshot>($"/accounts/{customers}", ContractJson.Options, Ct);
        using var changed = await service.Operator.SendCommandAsync(HttpMethod.Put, $"/accounts/{customers}/contact", new { email = "checked@example.com" }, Ct);
        using var hidden = await service.Client.GetAsync($"/accounts/{operators}", Ct);

        Assert.Equal(TestUser.Customer.Id, read!.Owner);
        Assert.Equal(2, await VersionAsync(customers));
        Assert.Equal(TestUser.Operator.Id, (await service.Operator.GetFromJsonAsync<AccountSnapshot>($"/accounts/{operators}", ContractJson.Options, Ct))!.Owner);
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
    }

    [Fact]
    public async Task A_service_with_account_read_reads_any_account_but_opens_and_changes_none()
    {
        var account = await service.Client.OpenAccountAsync("EUR", Ct);
        using var reactor = service.ServiceClient("reactor", "account.read");

        var read = await reactor.GetFromJsonAsync<AccountSnapshot>($"/accounts/{account}", ContractJson.Options, Ct);
        using var export = await reactor.GetAsync("/accounts/snapshot", Ct);
        using var list = await reactor.GetAsync("/accounts", Ct);
        using var open = await SendAsync(reactor, new ApiOperation("POST", "/accounts", [], null), account);
        using var change = await SendAsync(reactor, new ApiOperation("PUT", "/accounts/{id}/contact", [], null), account);
        using var freeze = await SendAsync(reactor, new ApiOperation("POST", "/accounts/{id}/freeze", [], null), account);
        // The operations endpoints want the operations scope, which account.read is not.
        using var deadLetters = await reactor.GetAsync("/dead-letters", Ct);

        Assert.Equal(account, read!.AccountId);
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal(
            [HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden],
            new[] { list, open, change, freeze, deadLetters }.Select(r => r.StatusCode));
        Assert.Equal(1, await VersionAsync(account));
    }

    [Fact]
    public async Task The_dashboard_s_operations_token_runs_the_operations_endpoints_and_reads_no_account()
    {
        var account = await service.Client.OpenAccountAsync("EUR", Ct);
        using var dashboard = service.ServiceClient("dashboard", "operations");

        using var deadLetters = await dashboard.GetAsync("/dead-letters", Ct);
        using var status = await dashboard.GetAsync("/status/outbox", Ct);
        using var read = await dashboard.GetAsync($"/accounts/{account}", Ct);
        using var export = await dashboard.GetAsync("/accounts/snapshot", Ct);

        Assert.Equal(
            [HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden],
            new[] { deadLetters, status, read, export }.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task A_token_for_another_service_only_is_refused_as_no_token()
    {
        var account = await service.Client.OpenAccountAsync("EUR", Ct);
        using var reactorOnly = service.ClientAs(TestUser.Customer, scope: "reactor");
        using var operatorForTransactions = service.ClientAs(TestUser.Operator, scope: "transactions");

        using var read = await reactorOnly.GetAsync($"/accounts/{account}", Ct);
        using var list = await reactorOnly.GetAsync("/accounts", Ct);
        using var export = await operatorForTransactions.GetAsync("/accounts/snapshot", Ct);

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized], new[] { read, list, export }.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task Another_caller_s_idempotency_key_does_not_replay_their_answer()
    {
        var key = Guid.NewGuid().ToString();
        using var other = service.ClientAs(TestUser.OtherCustomer);
        using var mine = await OpenWithKeyAsync(service.Client, key);
        using var theirs = await OpenWithKeyAsync(other, key);

        Assert.Equal(HttpStatusCode.Created, mine.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, theirs.StatusCode);
        Assert.DoesNotContain("ada@example.com", await theirs.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_message_names_who_asked_and_the_state_names_the_owner_but_a_reaction_names_no_one()
    {
        var account = await service.Client.OpenAccountAsync("EUR", Ct);
        using (await service.Operator.SendCommandAsync(HttpMethod.Post, $"/accounts/{account}/freeze", new { reason = "Checking" }, Ct))
        using (await service.Operator.SendCommandAsync(HttpMethod.Post, $"/accounts/{account}/unfreeze", new { reason = "Checked" }, Ct))
        {
        }

        // An alert freezes it again: a reaction, in no one's name.
        using (var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = service.Kafka.BootstrapServers }).Build())
        {
            var alert = new AlertRaised(Guid.NewGuid(), account, "velocity", "Five withdrawals in a minute", DateTimeOffset.UtcNow);
            await producer.ProduceAsync(Topics.ReactorAlerts, new Message<string, byte[]>
            {
                Key = account.ToString(),
                Value = JsonSerializer.SerializeToUtf8Bytes(alert, ContractJson.Options),
                Headers = CloudEventHeaders.Create(alert.EventId, ReactorEventTypes.AlertRaised, "reactor", alert.OccurredAt, account.ToString()),
            }, Ct);
        }

        foreach (var topic in new[] { Topics.AccountNotifications, Topics.AccountDeltas, Topics.AccountState })
        {
            var messages = await service.Kafka.ReadExactlyAsync(topic, account, 4);
            Assert.Equal(
                [TestUser.Customer.Id, TestUser.Operator.Id, TestUser.Operator.Id, ""],
                messages.Select(m => AccountServiceFixture.Header(m, "ce_actor")));
            Assert.False(messages[3].Headers.TryGetLastBytes("ce_actor", out _));
        }

        var states = (await service.Kafka.ReadExactlyAsync(Topics.AccountState, account, 4))
            .Select(m => JsonSerializer.Deserialize<AccountStateChanged>(m.Value, ContractJson.Options)!).ToList();
        Assert.All(states, s => Assert.Equal(TestUser.Customer.Id, s.After.Owner));
        Assert.Null(states[0].Before);
        Assert.All(states.Skip(1), s => Assert.Equal(TestUser.Customer.Id, s.Before!.Owner));
    }

    /// <summary>A problem details body with the account id put as <c>{id}</c> and without its trace id (each request's own).</summary>
    private static async Task<string> ProblemAsync(HttpResponseMessage response, Guid account)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject();
        problem.Remove("traceId");
        return problem.ToJsonString().Replace(account.ToString(), "{id}", StringComparison.Ordinal);
    }

    private async Task<IReadOnlyList<ApiOperation>> OperationsAsync() =>
        BadInput.Operations(await service.Anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct));

    /// <summary>
    /// <paramref name="operation"/> as a valid request would be: its path with <paramref name="account"/> for the id (and
    /// a fresh id for any other), its body, a fresh Idempotency-Key.
    /// </summary>
    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, ApiOperation operation, Guid account)
    {
        var path = operation.Path
            .Replace("/accounts/{id}", $"/accounts/{account}", StringComparison.Ordinal)
            .Replace("{eventId}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("{id}", "1", StringComparison.Ordinal);
        using var request = new HttpRequestMessage(new HttpMethod(operation.Method), path);
        if (operation.Method is "POST" or "PUT")
        {
            request.Content = JsonContent.Create(Bodies.GetValueOrDefault(operation.ToString()) ?? new { });
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        }

        return await client.SendAsync(request, Ct);
    }

    private async Task<long> VersionAsync(Guid account) =>
        (await service.Operator.GetFromJsonAsync<AccountSnapshot>($"/accounts/{account}", ContractJson.Options, Ct))!.Version;

    private static async Task<IReadOnlyList<AccountSnapshot>> ListAsync(HttpClient client, string? name) =>
        (await client.GetFromJsonAsync<AccountPageOf>($"/accounts?pageSize=500{(name is null ? "" : $"&owner={Uri.EscapeDataString(name)}")}", ContractJson.Options, Ct))!.Items;

    private static async Task<HttpResponseMessage> OpenWithKeyAsync(HttpClient client, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/accounts") { Content = JsonContent.Create(Bodies["POST /accounts"]) };
        request.Headers.Add("Idempotency-Key", key);
        return await client.SendAsync(request, Ct);
    }

    private sealed record AccountPageOf(IReadOnlyList<AccountSnapshot> Items, long Total);
}
