using System.Net.Http.Json;
using EventDriven.Contracts;
using EventDriven.Reactor.ReadModels;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.Tests;
using Npgsql;

namespace EventDriven.Reactor.Tests;

/// <summary>A Reactor database made before accounts had owners is given the owner column when Reactor starts, and fills it.</summary>
[Collection(ReactorCollection.Name)]
public sealed class OwnerColumnTests(ReactorFixture service)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_overview_made_before_owners_gets_the_owner_column_at_the_next_start_and_learns_owners()
    {
        var database = await service.Postgres.CreateDatabaseAsync($"reactor_{Guid.NewGuid():N}");
        var group = $"owners-{Guid.NewGuid():N}";
        service.Kafka.CommitEndOffsets(group, [Topics.AccountNotifications, Topics.AccountDeltas, Topics.AccountState, Topics.TransactionEvents]);
        var settings = new Dictionary<string, string> { ["Aspire:Confluent:Kafka:Consumer:kafka:Config:GroupId"] = group };
        await using var dataSource = NpgsqlDataSource.Create(database);
        await using (service.StartReactor(database, settings))
        {
            await Poll.UntilAsync(async () => await OwnerColumnsAsync(dataSource) == 1, TimeSpan.FromSeconds(30), "Reactor's schema");
        }

        // The overview as it was before owners: the live generation without the column, and the view over it.
        await using (var before = dataSource.CreateCommand(
            "DROP VIEW account_overview; ALTER TABLE account_overview_g1 DROP COLUMN owner; CREATE VIEW account_overview AS SELECT * FROM account_overview_g1"))
        {
            await before.ExecuteNonQueryAsync(Ct);
        }

        Assert.Equal(0, await OwnerColumnsAsync(dataSource));
        await using var reactor = service.StartReactor(database, settings);
        Assert.Equal(1, await OwnerColumnsAsync(dataSource));
        var account = await service.OpenAccountAsync();
        await Poll.UntilAsync(async () => await TryOverviewAsync(reactor.Client, account) is { Owner: { } owner } && owner == TestUser.Operator.Id,
            TimeSpan.FromSeconds(30), $"the overview of {account} with its owner");
    }

    /// <summary>How many owner columns the view shows (0 or 1).</summary>
    private static async Task<long> OwnerColumnsAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'account_overview' AND column_name = 'owner'");
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    private static async Task<AccountOverview?> TryOverviewAsync(HttpClient client, Guid account)
    {
        using var response = await client.GetAsync(new Uri($"/overview/{account}", UriKind.Relative), Ct);
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<AccountOverview>(ContractJson.Options, Ct) : null;
    }
}
