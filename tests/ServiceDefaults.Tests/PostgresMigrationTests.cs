using EventDriven.ServiceDefaults.Postgres;
using EventDriven.Tests;
using Npgsql;

namespace EventDriven.ServiceDefaults.Tests;

/// <summary>
/// A migration that PostgreSQL ends to break a deadlock with the traffic of an instance already running is run again,
/// so the instance starts (the chaos drill's two-instance run lost an Account instance this way).
/// </summary>
public sealed class PostgresMigrationTests(LocalPostgresServer postgres) : IClassFixture<LocalPostgresServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_migration_that_loses_a_deadlock_is_run_again()
    {
        var connectionString = await postgres.CreateDatabaseAsync("migrationdb");
        // The migration looks for a deadlock 5 s into a wait, the traffic only after a minute: the migration is the one
        // that finds it (and is ended), however slowly the traffic comes to wait.
        await using var dataSource = NpgsqlDataSource.Create(connectionString + ";Options=-c deadlock_timeout=5s");
        await using (var setup = dataSource.CreateCommand("CREATE TABLE IF NOT EXISTS first (id int); CREATE TABLE IF NOT EXISTS second (id int)"))
        {
            await setup.ExecuteNonQueryAsync(Ct);
        }

        // Traffic holds 'second' and will want 'first'; the migration takes 'first' and then waits for 'second'.
        await using var traffic = await dataSource.OpenConnectionAsync(Ct);
        await Execute(traffic, "SET deadlock_timeout = '60s'");
        await using var trafficTransaction = await traffic.BeginTransactionAsync(Ct);
        await Execute(traffic, "LOCK TABLE second IN ACCESS EXCLUSIVE MODE");
        var migration = PostgresMigration.MigrateAsync(dataSource, lockKey: 4242, """
            LOCK TABLE first IN ACCESS EXCLUSIVE MODE;
            LOCK TABLE second IN ACCESS EXCLUSIVE MODE;
            ALTER TABLE first ADD COLUMN IF NOT EXISTS added text;
            """, Ct);
        await Poll.UntilAsync(() => WaitingForLockAsync(dataSource), TimeSpan.FromSeconds(30), "the migration to wait for 'second'");

        await Execute(traffic, "LOCK TABLE first IN ACCESS EXCLUSIVE MODE");
        await trafficTransaction.CommitAsync(Ct);

        await migration.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await using var column = dataSource.CreateCommand("SELECT count(*) FROM information_schema.columns WHERE table_name = 'first' AND column_name = 'added'");
        Assert.Equal(1L, await column.ExecuteScalarAsync(Ct));
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<bool> WaitingForLockAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'LOCK TABLE second%'");
        return (long)(await command.ExecuteScalarAsync(Ct))! > 0;
    }
}
