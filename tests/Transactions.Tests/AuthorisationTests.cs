using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using EventDriven.Contracts;
using EventDriven.Contracts.Transactions;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.Tests;
using EventDriven.Transactions.Features;
using EventDriven.Transactions.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace EventDriven.Transactions.Tests;

/// <summary>
/// Who may call Transactions: no one anonymously but for health and the OpenAPI document; a customer only on ledgers of
/// accounts they own (others' are unknown to them, 404), and on none of the operations endpoints (403); an operator on
/// everything; another service only where its scope fits; a token for another service not at all. Each command's
/// events say who asked.
/// </summary>
[Collection(TransactionsCollection.Name)]
public sealed partial class AuthorisationTests(TransactionsFixture service)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Customer => service.Client;

    private HttpClient OtherCustomer => service.ClientFor(service.Transactions, TestUser.OtherCustomer);

    [Fact]
    public async Task Every_endpoint_but_health_and_the_document_refuses_an_anonymous_caller()
    {
        using var anonymous = new HttpClient { BaseAddress = service.Transactions.Address };
        var operations = await OperationsAsync(anonymous);

        foreach (var operation in operations)
        {
            using var response = await anonymous.SendAsync(Request(operation), Ct);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{operation}: {(int)response.StatusCode}, not 401");
        }

        Assert.Contains(operations, operation => operation.Path.StartsWith("/ledgers/", StringComparison.Ordinal));
        foreach (var open in new[] { "/health", "/alive" })
        {
            using var response = await anonymous.GetAsync(open, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_token_for_another_service_only_is_refused()
    {
        var account = await service.OpenAccountAsync();
        var forAccount = await service.Identity.TokenAsync(TestUser.Customer, scope: "account");
        var reactorForAccount = await service.Identity.ServiceTokenAsync("reactor", "account.read");
        using var client = new HttpClient { BaseAddress = service.Transactions.Address };

        foreach (var token in new[] { forAccount, reactorForAccount })
        {
            foreach (var path in new[] { $"/ledgers/{account}", "/reconciliation/ledgers" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
                using var response = await client.SendAsync(request, Ct);
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
        }
    }

    [Fact]
    public async Task Another_customer_s_ledger_answers_as_an_unknown_account_and_nothing_moves()
    {
        var account = await service.OpenAccountAsync();
        var own = await service.OpenAccountAsync(owner: TestUser.OtherCustomer);
        var deposit = await ExpectAsync<LedgerReceipt>(Customer, HttpMethod.Post, $"/ledgers/{account}/deposits", Money(50m), HttpStatusCode.OK);
        var unknown = Guid.NewGuid();
        var before = await LedgerAsync(service.Operator, account);

        // Every ledger endpoint (the document's, so that a new one must be added here), on the other's account and on
        // one that does not exist: the same answer but for the id.
        var requests = new Dictionary<string, Func<Guid, (HttpMethod, string, object?)>>
        {
            ["POST /ledgers/{accountId}/deposits"] = id => (HttpMethod.Post, $"/ledgers/{id}/deposits", Money(1m)),
            ["POST /ledgers/{accountId}/withdrawals"] = id => (HttpMethod.Post, $"/ledgers/{id}/withdrawals", Money(1m)),
            ["POST /ledgers/{accountId}/transfers"] = id => (HttpMethod.Post, $"/ledgers/{id}/transfers", Transfer(own, 1m)),
            ["GET /ledgers/{accountId}"] = id => (HttpMethod.Get, $"/ledgers/{id}", null),
            ["GET /ledgers/{accountId}/history"] = id => (HttpMethod.Get, $"/ledgers/{id}/history", null),
            ["GET /ledgers/{accountId}/transactions/{transactionId}"] = id => (HttpMethod.Get, $"/ledgers/{id}/transactions/{deposit.TransactionId}", null),
        };
        var ledgerOperations = (await OperationsAsync(service.Operator)).Where(o => o.Path.StartsWith("/ledgers/", StringComparison.Ordinal)).Select(o => o.ToString());
        Assert.Equal(ledgerOperations.Order(), requests.Keys.Order());

        foreach (var (operation, request) in requests)
        {
            var (method, path, body) = request(account);
            var refused = await ExpectAsync<JsonElement>(OtherCustomer, method, path, body, HttpStatusCode.NotFound);
            var (unknownMethod, unknownPath, unknownBody) = request(unknown);
            var absent = await ExpectAsync<JsonElement>(OtherCustomer, unknownMethod, unknownPath, unknownBody, HttpStatusCode.NotFound);
            Assert.True(Problem(refused, account) == Problem(absent, unknown), $"{operation}: {refused} is not {absent}");
        }

        Assert.Equal(before, await LedgerAsync(service.Operator, account));
        Assert.Equal((0L, 0m), await LedgerAsync(service.Operator, own));
    }

    [Fact]
    public async Task A_customer_transfers_into_another_customer_s_account_but_not_out_of_it()
    {
        var theirs = await service.OpenAccountAsync();
        var mine = await service.OpenAccountAsync(owner: TestUser.OtherCustomer);
        await ExpectAsync<LedgerReceipt>(Customer, HttpMethod.Post, $"/ledgers/{theirs}/deposits", Money(30m), HttpStatusCode.OK);
        await ExpectAsync<LedgerReceipt>(OtherCustomer, HttpMethod.Post, $"/ledgers/{mine}/deposits", Money(20m), HttpStatusCode.OK);

        await ExpectAsync<JsonElement>(OtherCustomer, HttpMethod.Post, $"/ledgers/{theirs}/transfers", Transfer(mine, 5m), HttpStatusCode.NotFound);
        var debit = await ExpectAsync<LedgerReceipt>(OtherCustomer, HttpMethod.Post, $"/ledgers/{mine}/transfers", Transfer(theirs, 8m), HttpStatusCode.Accepted);

        await Poll.UntilAsync(async () => (await Customer.GetFromJsonAsync<LedgerSummary>($"/ledgers/{theirs}", ContractJson.Options, Ct))!.Balance == 38m,
            TimeSpan.FromSeconds(30), "the transfer to reach the other customer's account");
        await Poll.UntilAsync(async () => (await OtherCustomer.GetFromJsonAsync<LedgerReceipt>($"/ledgers/{mine}/transactions/{debit.TransactionId}", ContractJson.Options, Ct))!.Type
            == LedgerEventTypes.TransferCompleted, TimeSpan.FromSeconds(30), "the transfer to complete");
        Assert.Equal(12m, (await OtherCustomer.GetFromJsonAsync<LedgerSummary>($"/ledgers/{mine}", ContractJson.Options, Ct))!.Balance);
    }

    [Fact]
    public async Task An_operator_may_use_every_customer_s_ledger()
    {
        var account = await service.OpenAccountAsync(owner: TestUser.OtherCustomer);
        var target = await service.OpenAccountAsync();

        var deposit = await ExpectAsync<LedgerReceipt>(service.Operator, HttpMethod.Post, $"/ledgers/{account}/deposits", Money(10m), HttpStatusCode.OK);
        await ExpectAsync<LedgerReceipt>(service.Operator, HttpMethod.Post, $"/ledgers/{account}/withdrawals", Money(2m), HttpStatusCode.OK);
        await ExpectAsync<LedgerReceipt>(service.Operator, HttpMethod.Post, $"/ledgers/{account}/transfers", Transfer(target, 3m), HttpStatusCode.Accepted);

        Assert.Equal(deposit, await ExpectAsync<LedgerReceipt>(service.Operator, HttpMethod.Get, $"/ledgers/{account}/transactions/{deposit.TransactionId}", null, HttpStatusCode.OK));
        var history = await ExpectAsync<LedgerHistory>(service.Operator, HttpMethod.Get, $"/ledgers/{account}/history", null, HttpStatusCode.OK);
        Assert.Subset(history.Events.Select(e => e.Type).ToHashSet(),
            new HashSet<string> { LedgerEventTypes.MoneyDeposited, LedgerEventTypes.MoneyWithdrawn, LedgerEventTypes.TransferDebited });
        Assert.Equal(5m, (await ExpectAsync<LedgerSummary>(service.Operator, HttpMethod.Get, $"/ledgers/{account}", null, HttpStatusCode.OK)).Balance);
    }

    [Fact]
    public async Task A_customer_is_forbidden_every_operations_endpoint_and_an_operator_reads_them()
    {
        var operations = (await OperationsAsync(service.Operator)).Where(o => !o.Path.StartsWith("/ledgers/", StringComparison.Ordinal)).ToList();
        var deadLettersBefore = await service.Operator.GetStringAsync("/dead-letters?all=true", Ct);

        foreach (var operation in operations)
        {
            using var response = await Customer.SendAsync(Request(operation), Ct);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{operation}: {(int)response.StatusCode}, not 403");
        }

        Assert.Equal(deadLettersBefore, await service.Operator.GetStringAsync("/dead-letters?all=true", Ct));
        // Reads only: an operator's re-drive would change what other tests see.
        foreach (var operation in operations.Where(o => o.Method == "GET" && !o.Path.Contains('{', StringComparison.Ordinal)))
        {
            using var response = await service.Operator.SendAsync(Request(operation), Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{operation} as the operator: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task A_service_is_admitted_only_where_its_scope_fits_and_moves_no_money()
    {
        var account = await service.OpenAccountAsync();
        var reader = await ServiceClientAsync("reactor", "transactions.read");
        var operations = await ServiceClientAsync("dashboard", "operations");

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(reader, HttpMethod.Get, "/reconciliation/ledgers"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(reader, HttpMethod.Get, "/reconciliation/account-copy"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(reader, HttpMethod.Get, "/dead-letters"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(reader, HttpMethod.Post, $"/ledgers/{account}/deposits", Money(1m)));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(reader, HttpMethod.Get, $"/ledgers/{account}"));

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(operations, HttpMethod.Get, "/dead-letters"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(operations, HttpMethod.Get, "/status/publisher"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(operations, HttpMethod.Get, "/reconciliation/ledgers"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(operations, HttpMethod.Post, $"/ledgers/{account}/withdrawals", Money(1m)));

        Assert.Equal((0L, 0m), await LedgerAsync(service.Operator, account));
    }

    [Fact]
    public async Task A_command_s_events_record_who_asked_and_the_choreography_s_steps_no_one()
    {
        var (source, target) = (await service.OpenAccountAsync(), await service.OpenAccountAsync());
        var deposit = await ExpectAsync<LedgerReceipt>(Customer, HttpMethod.Post, $"/ledgers/{source}/deposits", Money(20m), HttpStatusCode.OK);
        var byOperator = await ExpectAsync<LedgerReceipt>(service.Operator, HttpMethod.Post, $"/ledgers/{source}/withdrawals", Money(1m), HttpStatusCode.OK);
        var debit = await ExpectAsync<LedgerReceipt>(Customer, HttpMethod.Post, $"/ledgers/{source}/transfers", Transfer(target, 4m), HttpStatusCode.Accepted);

        // Opened (with the first deposit), deposited, withdrawn, debited, completed on the source; opened (with the
        // credit) and credited on the target.
        var (fromSource, toTarget) = (await PublishedAsync(source, 5), await PublishedAsync(target, 2));

        Assert.Equal(TestUser.Customer.Id, fromSource[deposit.EventId.ToString()].Actor);
        Assert.Equal(TestUser.Operator.Id, fromSource[byOperator.EventId.ToString()].Actor);
        Assert.Equal(TestUser.Customer.Id, fromSource[debit.EventId.ToString()].Actor);
        Assert.Equal(TestUser.Customer.Id, Assert.Single(fromSource.Values, m => m.Type == LedgerEventTypes.Opened).Actor);
        Assert.Equal("", Assert.Single(fromSource.Values, m => m.Type == LedgerEventTypes.TransferCompleted).Actor);
        Assert.Equal(["", ""], toTarget.Values.Select(m => m.Actor));

        // The same in the event store, where the publisher read it.
        var store = service.Transactions.Services.GetRequiredService<LedgerStore>();
        Assert.Equal(TestUser.Customer.Id, (await store.ReadEventAsync(source, deposit.Version, Ct)).Actor);
        Assert.Equal(TestUser.Operator.Id, (await store.ReadEventAsync(source, byOperator.Version, Ct)).Actor);
        Assert.Null((await store.ReadEventAsync(target, 2, Ct)).Actor);
    }

    /// <summary>The first <paramref name="count"/> events published for <paramref name="account"/>, by CloudEvents id: their type and actor ("" for none).</summary>
    private async Task<Dictionary<string, (string Type, string Actor)>> PublishedAsync(Guid account, int count) =>
        (await service.Kafka.ReadAsync(Topics.TransactionEvents, account, count))
            .DistinctBy(m => CloudEventHeaders.Read(m.Headers, "ce_id"))
            .ToDictionary(m => CloudEventHeaders.Read(m.Headers, "ce_id"), m => (CloudEventHeaders.Read(m.Headers, "ce_type"), CloudEventHeaders.Read(m.Headers, CloudEventHeaders.Actor)));

    private static object Money(decimal amount) => new { transactionId = Guid.NewGuid(), amount, currency = "EUR" };

    private static object Transfer(Guid to, decimal amount) => new { transactionId = Guid.NewGuid(), toAccountId = to, amount, currency = "EUR" };

    private async Task<HttpClient> ServiceClientAsync(string clientId, string scope)
    {
        var client = new HttpClient { BaseAddress = service.Transactions.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await service.Identity.ServiceTokenAsync(clientId, scope));
        return client;
    }

    private static async Task<IReadOnlyList<ApiOperation>> OperationsAsync(HttpClient client) =>
        BadInput.Operations(await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct));

    /// <summary>A request for <paramref name="operation"/> with every path parameter filled (ids that name nothing) and an empty JSON body.</summary>
    private static HttpRequestMessage Request(ApiOperation operation) =>
        new(new HttpMethod(operation.Method), PathParameter().Replace(operation.Path, match => match.Groups[1].Value == "id" ? "1" : Guid.NewGuid().ToString()))
        {
            Content = operation.Method == "POST" ? JsonContent.Create(new { }) : null,
        };

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, HttpMethod method, string path, object? body = null)
    {
        using var response = await client.SendAsync(new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) }, Ct);
        return response.StatusCode;
    }

    private static async Task<T> ExpectAsync<T>(HttpClient client, HttpMethod method, string path, object? body, HttpStatusCode expected)
    {
        using var response = await client.SendAsync(new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) }, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonSerializer.Deserialize<T>(text, ContractJson.Options)!;
    }

    private static async Task<(long Version, decimal Balance)> LedgerAsync(HttpClient client, Guid account)
    {
        var summary = (await client.GetFromJsonAsync<LedgerSummary>($"/ledgers/{account}", ContractJson.Options, Ct))!;
        return (summary.Version, summary.Balance);
    }

    /// <summary>A problem's status, title and detail, the account's id taken out (the trace id differs by nature).</summary>
    private static string Problem(JsonElement problem, Guid account) =>
        $"{problem.GetProperty("status")} {problem.GetProperty("title")} {problem.GetProperty("detail").GetString()!.Replace(account.ToString(), "{id}", StringComparison.Ordinal)}";

    [GeneratedRegex("{([^}]+)}")]
    private static partial Regex PathParameter();
}
