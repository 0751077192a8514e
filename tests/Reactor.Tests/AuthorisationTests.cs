using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventDriven.Contracts;
using EventDriven.Reactor.Pipeline;
using EventDriven.Reactor.ReadModels;
using EventDriven.Tests;

namespace EventDriven.Reactor.Tests;

/// <summary>
/// Who may ask Reactor what (issue 14), over every endpoint its OpenAPI document lists, so that an endpoint added later
/// is covered by itself: nobody without a token but health; a customer only their own accounts (another's answers as an
/// unknown one does), never operations; an operator everything; a token for another service, or a service's token
/// without Reactor's scopes, refused.
/// </summary>
[Collection(ReactorCollection.Name)]
public sealed class AuthorisationTests(ReactorFixture service)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Endpoints of a person's own accounts: a customer may ask them (about their own accounts).</summary>
    private static readonly string[] PersonPaths = ["/overview", "/overview/{accountId}", "/overview/{accountId}/history", "/styles/{accountId}", "/changes"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_endpoint_but_health_refuses_a_caller_without_a_token_or_with_a_token_for_another_service()
    {
        using var anonymous = new HttpClient { BaseAddress = service.Reactor.Address };
        // An operator's token for Account only, and Transactions' own token for Account: valid, but not for Reactor.
        using var accountOnly = service.ReactorAs(TestUser.Operator, scope: "account");
        using var transactionsService = BearerTokenHandler.Client(service.Reactor.Address, () => service.Identity.ServiceTokenAsync("transactions", "account.read"));

        var operations = await OperationsAsync();
        foreach (var (client, who) in new[] { (anonymous, "no token"), (accountOnly, "an operator's token for Account"), (transactionsService, "Transactions' token for Account") })
        {
            foreach (var operation in operations)
            {
                Assert.Equal((operation.ToString(), who, HttpStatusCode.Unauthorized), (operation.ToString(), who, await StatusAsync(client, operation, Guid.NewGuid())));
            }
        }

        using var health = await anonymous.GetAsync(new Uri("/health", UriKind.Relative), Ct);
        using var alive = await anonymous.GetAsync(new Uri("/alive", UriKind.Relative), Ct);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (health.StatusCode, alive.StatusCode));
    }

    [Fact]
    public async Task A_customer_sees_only_their_own_accounts_and_another_customers_answers_as_an_unknown_one()
    {
        var (mine, theirs) = await OpenOwnedAccountsAsync();
        using var customer = service.ReactorAs(TestUser.Customer);
        using var other = service.ReactorAs(TestUser.OtherCustomer);

        var listed = (await customer.GetFromJsonAsync<IReadOnlyList<AccountOverview>>("/overview?pageSize=500", ContractJson.Options, Ct))!;
        Assert.Contains(listed, overview => overview.AccountId == mine);
        Assert.All(listed, overview => Assert.Equal(TestUser.Customer.Id, overview.Owner));
        var otherListed = (await other.GetFromJsonAsync<IReadOnlyList<AccountOverview>>("/overview?pageSize=500", ContractJson.Options, Ct))!;
        Assert.Contains(otherListed, overview => overview.AccountId == theirs);
        Assert.All(otherListed, overview => Assert.Equal(TestUser.OtherCustomer.Id, overview.Owner));
        var everyone = (await service.Client.GetFromJsonAsync<IReadOnlyList<AccountOverview>>("/overview?pageSize=500", ContractJson.Options, Ct))!;
        Assert.Contains(everyone, overview => overview.AccountId == mine);
        Assert.Contains(everyone, overview => overview.AccountId == theirs);

        foreach (var path in new[] { "/overview/{0}", "/overview/{0}/history", "/styles/{0}" })
        {
            // The owner and an operator are answered; the other customer is told exactly what an unknown id is told.
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(customer, string.Format(null, path, mine)));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(service.Client, string.Format(null, path, mine)));
            var refused = await ProblemAsync(other, string.Format(null, path, mine));
            var unknownId = Guid.NewGuid();
            var unknown = await ProblemAsync(other, string.Format(null, path, unknownId));
            Assert.Equal(HttpStatusCode.NotFound, refused.Status);
            Assert.Equal(unknown with { Detail = unknown.Detail?.Replace(unknownId.ToString(), mine.ToString(), StringComparison.Ordinal) }, refused);
        }
    }

    [Fact]
    public async Task A_customer_is_forbidden_every_operation_and_an_operator_or_an_operations_token_is_admitted()
    {
        using var customer = service.ReactorAs(TestUser.Customer);
        using var operationsService = service.ReactorAsService("web", "operations");
        using var changesService = service.ReactorAsService("web", "reactor.read");
        var operations = await OperationsAsync();
        var operatorOnly = operations.Where(operation => !PersonPaths.Contains(operation.Path)).ToList();
        Assert.Contains(operatorOnly, operation => operation.Path == "/read-models/{name}/rebuild");

        foreach (var operation in operatorOnly)
        {
            Assert.Equal((operation.ToString(), HttpStatusCode.Forbidden), (operation.ToString(), await StatusAsync(customer, operation, Guid.NewGuid())));
            // The web app's subscription token is for the push channel only.
            Assert.Equal((operation.ToString(), HttpStatusCode.Forbidden), (operation.ToString(), await StatusAsync(changesService, operation, Guid.NewGuid())));
        }

        // Reads only: the commands' effects (rebuild, re-drive, reconcile) are the other tests', with an operator's token.
        foreach (var operation in operatorOnly.Where(operation => operation.Method == "GET"))
        {
            foreach (var (client, who) in new[] { (service.Client, "operator"), (operationsService, "operations token") })
            {
                var status = await StatusAsync(client, operation, Guid.NewGuid());
                Assert.True(status is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{operation} as {who}: {status}");
            }
        }

        // A person's endpoints are a person's: a service acting in no one's name has no accounts of its own to read.
        foreach (var operation in operations.Where(operation => PersonPaths.Contains(operation.Path) && operation.Path != "/changes"))
        {
            Assert.Equal((operation.ToString(), HttpStatusCode.Forbidden), (operation.ToString(), await StatusAsync(operationsService, operation, Guid.NewGuid())));
        }
    }

    [Fact]
    public async Task The_push_channel_tells_a_customer_only_of_their_own_accounts_and_an_operator_and_the_web_app_of_every_one()
    {
        using var customer = service.ReactorAs(TestUser.Customer);
        using var other = service.ReactorAs(TestUser.OtherCustomer);
        using var webApp = service.ReactorAsService("web", "reactor.read");
        await using var customers = await ChangeStream.OpenAsync(customer, null, Patience);
        await using var others = await ChangeStream.OpenAsync(other, null, Patience);
        await using var operators = await ChangeStream.OpenAsync(service.Client, null, Patience);
        await using var web = await ChangeStream.OpenAsync(webApp, null, Patience);

        using var customerAccount = service.As(service.AccountAddress, TestUser.Customer);
        using var otherAccount = service.As(service.AccountAddress, TestUser.OtherCustomer);
        var mine = await customerAccount.OpenAccountAsync("EUR", Ct);
        // Every change is written to every open channel at once (in one lock), so once the operator's and the web app's
        // channels have one of this account's changes, the other customer's channel has it too if it were to be sent.
        var seen = await UntilOwnedChangeAsync(operators, mine);
        Assert.Equal(TestUser.Customer.Id, seen.Owner);
        Assert.Equal(TestUser.Customer.Id, (await UntilOwnedChangeAsync(web, mine)).Owner);
        Assert.Equal(TestUser.Customer.Id, (await UntilOwnedChangeAsync(customers, mine)).Owner);

        // The other customer's own account next: their channel carries its change after anything sent before it.
        var theirs = await otherAccount.OpenAccountAsync("EUR", Ct);
        var heard = new List<AccountChanged>();
        while (heard.LastOrDefault() is not { } last || last.AccountId != theirs)
        {
            heard.Add(await others.NextAsync());
        }

        Assert.DoesNotContain(heard, change => change.AccountId == mine);
        Assert.All(heard, change => Assert.Equal(TestUser.OtherCustomer.Id, change.Owner));
    }

    /// <summary>
    /// Opens an account as the customer and one as the other customer, and waits until Reactor's overview and the fat
    /// event style's copy of each know it (and its owner).
    /// </summary>
    private async Task<(Guid Mine, Guid Theirs)> OpenOwnedAccountsAsync()
    {
        using var customerAccount = service.As(service.AccountAddress, TestUser.Customer);
        using var otherAccount = service.As(service.AccountAddress, TestUser.OtherCustomer);
        var mine = await customerAccount.OpenAccountAsync("EUR", Ct);
        var theirs = await otherAccount.OpenAccountAsync("EUR", Ct);
        foreach (var account in new[] { mine, theirs })
        {
            await Poll.UntilAsync(async () => await TryAsync<AccountOverview>(service.Client, $"/overview/{account}") is { Owner: not null }, Patience, $"the overview of {account} with its owner");
            await Poll.UntilAsync(async () => await TryAsync<JsonElement>(service.Client, $"/styles/{account}") is { ValueKind: JsonValueKind.Array }, Patience, $"a style's copy of {account}");
        }

        return (mine, theirs);
    }

    private static async Task<AccountChanged> UntilOwnedChangeAsync(ChangeStream stream, Guid account)
    {
        while (true)
        {
            if (await stream.NextAsync() is { } change && change.AccountId == account && change.Owner is not null)
            {
                return change;
            }
        }
    }

    /// <summary>Every operation of the document Reactor serves, asked for without a token: the document is public.</summary>
    private async Task<IReadOnlyList<ApiOperation>> OperationsAsync()
    {
        using var anonymous = new HttpClient { BaseAddress = service.Reactor.Address };
        return BadInput.Operations(await anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct));
    }

    /// <summary>The status <paramref name="operation"/> answers, its path filled with ids of nothing (headers only: <c>/changes</c> never ends).</summary>
    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, ApiOperation operation, Guid id)
    {
        var path = operation.Path
            .Replace("{accountId}", id.ToString(), StringComparison.Ordinal)
            .Replace("{eventId}", id.ToString(), StringComparison.Ordinal)
            .Replace("{id}", "1", StringComparison.Ordinal)
            .Replace("{name}", ReadModelSchema.Name(ReadModel.DailyTotals), StringComparison.Ordinal);
        Assert.DoesNotContain("{", path, StringComparison.Ordinal);
        using var request = new HttpRequestMessage(new HttpMethod(operation.Method), path);
        if (operation.Method == "POST")
        {
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), Ct);
        return response.StatusCode;
    }

    private sealed record Problem(HttpStatusCode Status, string? Title, string? Detail);

    private static async Task<Problem> ProblemAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), Ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return new Problem(response.StatusCode, problem.GetProperty("title").GetString(), problem.TryGetProperty("detail", out var detail) ? detail.GetString() : null);
    }

    private static async Task<T?> TryAsync<T>(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), Ct);
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<T>(ContractJson.Options, Ct) : default;
    }
}
