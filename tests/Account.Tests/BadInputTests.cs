using EventDriven.Tests;
using Npgsql;

namespace EventDriven.Accounts.Tests;

/// <summary>
/// Bad input by property, over every endpoint Account's OpenAPI document lists (see <see cref="BadInput"/>), as the
/// operator: every endpoint admits them, so what is refused is refused for the input, not for who sent it.
/// </summary>
[Collection(AccountServiceCollection.Name)]
public sealed class BadInputTests(AccountServiceFixture service, ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task No_request_gets_a_5xx_and_a_refused_one_writes_nothing()
    {
        var account = await service.Operator.OpenAccountAsync("EUR", Ct);
        // Valid values by name, so that a spoiled request gets past what it did not spoil: the account's id, its
        // version as an ETag, and the fields of an open.
        var known = new Dictionary<string, string>
        {
            ["id"] = account.ToString(), ["If-Match"] = "\"1\"", ["ownerName"] = "Ada Lovelace", ["email"] = "ada@example.com",
            ["phone"] = "+44 20 7946 0000", ["currency"] = "EUR", ["street"] = "1 Main Street", ["city"] = "London", ["postalCode"] = "SW1Y 4JH",
            ["country"] = "GB", ["reason"] = "checking", ["all"] = "true",
        };

        await using var database = NpgsqlDataSource.Create(service.DatabaseConnectionString);
        // An account event's outbox rows commit with the account's new version (and the relay deletes them once
        // relayed): an account row unchanged in number and version means no outbox message either.
        async Task<string> Written(CancellationToken ct)
        {
            await using var command = database.CreateCommand("SELECT count(*), (SELECT version || ' ' || status FROM accounts WHERE id = $1) FROM accounts");
            command.Parameters.Add(new() { Value = account });
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return $"{reader.GetInt64(0)} accounts, this one at {reader.GetString(1)}";
        }

        var tally = await BadInput.CheckAsync(service.Operator, known, Written, iterations: 600, Ct);

        output.WriteLine(BadInput.Format(tally));
        // Every operation was reached.
        Assert.All(tally, operation => Assert.NotEmpty(operation.Value));
    }
}
