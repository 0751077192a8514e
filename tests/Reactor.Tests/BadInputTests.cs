using System.Net.Http.Json;
using System.Text.Json;
using EventDriven.Tests;
using Npgsql;

namespace EventDriven.Reactor.Tests;

/// <summary>Bad input by property, over every endpoint Reactor's OpenAPI document lists (see <see cref="BadInput"/>).</summary>
[Collection(ReactorCollection.Name)]
public sealed class BadInputTests(ReactorFixture fixture, ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task No_request_gets_a_5xx_and_a_refused_one_writes_nothing()
    {
        var account = await fixture.Account.OpenAccountAsync("EUR", Ct);
        var known = new Dictionary<string, string> { ["accountId"] = account.ToString(), ["all"] = "true" };

        await using var database = NpgsqlDataSource.Create(fixture.ReactorDatabase);
        // What an operator's request can write here: a rebuild started, a dead letter re-driven.
        async Task<string> Written(CancellationToken ct)
        {
            var models = await fixture.Client.GetFromJsonAsync<JsonElement>("/read-models", ct);
            await using var command = database.CreateCommand("SELECT count(*) FILTER (WHERE redriven_at IS NOT NULL) FROM dead_letters");
            return $"{models.GetProperty("lastRebuild")}; {await command.ExecuteScalarAsync(ct)} re-driven";
        }

        // Reconciliation takes no input at all, and reads Transactions' ledgers, which this fixture does not run: its
        // 503 here says a source cannot be read, which is right. AppHost.Tests reconcile on the whole system.
        var tally = await BadInput.CheckAsync(fixture.Client, known, Written, iterations: 400, Ct,
            include: operation => operation.ToString() != "POST /reconciliation");

        output.WriteLine(BadInput.Format(tally));
        Assert.All(tally, operation => Assert.NotEmpty(operation.Value));
    }
}
