using EventDriven.Identity.Clients;
using EventDriven.Identity.Keys;
using EventDriven.Identity.Users;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace EventDriven.Identity.Storage;

/// <summary>
/// On start, before the server takes requests: the schema, the keys, the clients and the demo users, all under one
/// advisory lock so that instances starting together take turns. The schema is the one EF derives from Identity's and
/// OpenIddict's models, created by <c>EnsureCreated</c> when the database has no table yet (decision 12 says why not
/// migrations); the key table is made after it, because <c>EnsureCreated</c> does nothing in a database that has any.
/// </summary>
internal sealed class IdentityStartup(IServiceProvider services, NpgsqlDataSource dataSource, IdentityKeys keys) : IHostedService
{
    /// <summary>The advisory lock of Identity's start-up (any constant unique within identitydb).</summary>
    private const long StartupLock = 0x1d_e7_17_5e;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock($1)", connection) { Parameters = { new() { Value = StartupLock } } })
        {
            await take.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await using var scope = services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IdentityDb>().Database.EnsureCreatedAsync(cancellationToken);
            await keys.LoadAsync(connection, cancellationToken);
            await scope.ServiceProvider.GetRequiredService<ClientRegistrations>().EnsureAsync(cancellationToken);
            await scope.ServiceProvider.GetRequiredService<DemoUsers>().EnsureAsync();
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection) { Parameters = { new() { Value = StartupLock } } };
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
