using System.Net.Http.Json;
using System.Text.Json;
using EventDriven.Tests;

namespace EventDriven.Transactions.Tests;

/// <summary>Bad input by property, over every endpoint Transactions' OpenAPI document lists (see <see cref="BadInput"/>).</summary>
[Collection(TransactionsCollection.Name)]
public sealed class BadInputTests(TransactionsFixture service, ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task No_request_gets_a_5xx_and_a_refused_one_appends_nothing()
    {
        var account = await service.OpenAccountAsync();
        var target = await service.OpenAccountAsync();
        await TransactionsFixture.WaitUntilKnownAsync(account, service.Client);
        await TransactionsFixture.WaitUntilKnownAsync(target, service.Client);
        // Valid values by name, so that a spoiled request gets past what it did not spoil.
        var known = new Dictionary<string, string>
        {
            ["accountId"] = account.ToString(), ["toAccountId"] = target.ToString(), ["amount"] = "1.00", ["currency"] = "EUR", ["all"] = "true",
        };

        // What a request appends itself, in both ledgers: deposits, withdrawals, transfers' debits. (A transfer
        // accepted earlier goes on by choreography meanwhile — credit, completion — so versions alone would move.)
        async Task<string> Written(CancellationToken ct) => $"{await AppendedAsync(account, ct)}; {await AppendedAsync(target, ct)}";

        // As the operator, who may use every ledger: each refusal is then the input's fault, not the caller's.
        var tally = await BadInput.CheckAsync(service.Operator, known, Written, iterations: 600, Ct);

        output.WriteLine(BadInput.Format(tally));
        Assert.All(tally, operation => Assert.NotEmpty(operation.Value));
    }

    private static readonly string[] RequestedTypes = ["ledger.money-deposited.v1", "ledger.money-withdrawn.v1", "ledger.transfer-debited.v1"];

    private async Task<string> AppendedAsync(Guid account, CancellationToken ct)
    {
        var history = await service.Operator.GetFromJsonAsync<JsonElement>($"/ledgers/{account}/history?count=500", ct);
        var types = history.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        return string.Join(", ", RequestedTypes.Select(type => $"{types.Count(t => t == type)} {type}"));
    }
}
