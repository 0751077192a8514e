using System.Net;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Confluent.Kafka;
using EventDriven.Contracts;
using EventDriven.KurrentDB.Client;
using EventDriven.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace EventDriven.AppHost.Tests;

/// <summary>The AppHost without a container runtime: every resource comes up healthy and is what it claims to be.</summary>
public sealed class LocalModeTests(LocalAppHostFixture fixture, ITestOutputHelper output) : IClassFixture<LocalAppHostFixture>
{
    [Fact]
    public void Every_resource_becomes_healthy()
    {
        output.WriteLine($"All {LocalAppHostFixture.Resources.Length} resources healthy {fixture.StartupTime.TotalSeconds:F1} s after start.");
        var model = fixture.App.Services.GetRequiredService<DistributedApplicationModel>();

        // Local mode runs processes only: nothing needs a container runtime.
        Assert.DoesNotContain(model.Resources, r => r is ContainerResource);
        Assert.Equal(LocalAppHostFixture.Resources.Order(), model.Resources.Select(r => r.Name).Where(LocalAppHostFixture.Resources.Contains).Order());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_local_data_folders_and_the_database_password_are_private()
    {
        const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Assert.Equal(Folder, File.GetUnixFileMode(Path.Combine(fixture.DataDirectory, "postgres")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(fixture.DataDirectory, "postgres", "password")));
        Assert.Equal(Folder, File.GetUnixFileMode(Path.Combine(fixture.DataDirectory, "kurrentdb")));
    }

    [Theory]
    [InlineData("accountdb")]
    [InlineData("transactionsdb")]
    [InlineData("reactordb")]
    [InlineData("identitydb")]
    public async Task Each_database_exists_with_logical_replication_enabled(string database)
    {
        await using var connection = new NpgsqlConnection(await fixture.App.GetConnectionStringAsync(database, TestContext.Current.CancellationToken));
        await connection.OpenAsync(TestContext.Current.CancellationToken);

        Assert.Equal(database, connection.Database);
        await using var walLevel = new NpgsqlCommand("SHOW wal_level", connection);
        Assert.Equal("logical", await walLevel.ExecuteScalarAsync(TestContext.Current.CancellationToken));

        // What the Account relay will do: a logical slot with the pgoutput plugin (temporary, gone with the session).
        await using var slot = new NpgsqlCommand("SELECT slot_name FROM pg_create_logical_replication_slot($1, 'pgoutput', true)", connection)
        {
            Parameters = { new() { Value = $"test_{Guid.NewGuid():N}" } },
        };
        Assert.NotNull(await slot.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Kafka_has_every_topic_of_the_system_and_round_trips_a_message()
    {
        var bootstrap = await fixture.App.GetConnectionStringAsync("kafka", TestContext.Current.CancellationToken);
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
        {
            var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
            foreach (var topic in Topics.All)
            {
                Assert.Equal(3, Assert.Single(metadata.Topics, t => t.Topic == topic).Partitions.Count);
            }
        }

        var key = Guid.NewGuid().ToString();
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap }).Build();
        var delivered = await producer.ProduceAsync(Topics.AccountNotifications, new Message<string, string> { Key = key, Value = "ping" }, TestContext.Current.CancellationToken);

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = key }).Build();
        consumer.Assign(delivered.TopicPartitionOffset);
        var consumed = consumer.Consume(TimeSpan.FromSeconds(30));
        Assert.Equal((key, "ping"), (consumed?.Message.Key, consumed?.Message.Value));
    }

    [Fact]
    public async Task KurrentDB_takes_appends_and_serves_them_back_through_the_connection_string()
    {
        var connectionString = await fixture.App.GetConnectionStringAsync("kurrentdb", TestContext.Current.CancellationToken);
        Assert.StartsWith("kurrentdb://localhost:", connectionString, StringComparison.Ordinal);
        await using var client = new KurrentDBClient(KurrentDBClientSettings.Create(connectionString!));
        var stream = $"apphost-{Guid.NewGuid():N}";

        await client.AppendToStreamAsync(stream, StreamState.NoStream, [new EventData(EventDriven.KurrentDB.Client.Uuid.NewUuid(), "Checked", "{}"u8.ToArray())], cancellationToken: TestContext.Current.CancellationToken);
        var events = await client.ReadStreamAsync(Direction.Forwards, stream, StreamPosition.Start, cancellationToken: TestContext.Current.CancellationToken)
            .ToListAsync(TestContext.Current.CancellationToken);

        Assert.Equal("Checked", Assert.Single(events).Event.EventType);
    }

    [Fact]
    public async Task The_dashboard_commands_take_the_broker_down_and_bring_it_back()
    {
        var cancellation = TestContext.Current.CancellationToken;

        var down = await fixture.App.ResourceCommands.ExecuteCommandAsync("kafka", "broker-down", cancellation);
        Assert.True(down.Success, down.Message);
        try
        {
            await fixture.App.ResourceNotifications.WaitForResourceAsync(
                "kafka", e => e.Snapshot.HealthStatus == HealthStatus.Unhealthy, cancellation).WaitAsync(TimeSpan.FromSeconds(60), cancellation);
        }
        finally
        {
            var up = await fixture.App.ResourceCommands.ExecuteCommandAsync("kafka", "broker-up", cancellation);
            Assert.True(up.Success, up.Message);
        }

        await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync("kafka", cancellation).WaitAsync(TimeSpan.FromSeconds(60), cancellation);
        // The services' own Kafka health checks reconnect with the client's back-off; they recover too.
        foreach (var service in new[] { "account", "transactions", "reactor", "web" })
        {
            using var http = fixture.App.CreateHttpClient(service);
            await Poll.UntilAsync(async () =>
            {
                using var health = await http.GetAsync(new Uri("/health", UriKind.Relative), cancellation);
                return health.IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(60), $"{service} to be healthy again");
        }
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("account")]
    [InlineData("transactions")]
    [InlineData("reactor")]
    [InlineData("web")]
    public async Task Each_service_answers_health_and_aliveness(string service)
    {
        using var http = fixture.App.CreateHttpClient(service);

        foreach (var path in new[] { "/health", "/alive" })
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }
    }

    [Theory]
    [InlineData("account")]
    [InlineData("transactions")]
    [InlineData("reactor")]
    public async Task Without_a_token_every_endpoint_but_health_answers_401(string service)
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = fixture.App.CreateHttpClient(service);

        var answers = await AnonymousRequests.SendAsync(http, service, ct);

        Assert.NotEmpty(answers);
        var open = answers.Where(a => a.Status != 401).Select(a => $"{a.Operation}: {a.Status}").ToList();
        Assert.True(open.Count == 0, $"{service} answered without a token:\n{string.Join('\n', open)}");
        foreach (var path in new[] { "/health", "/alive" })
        {
            using var health = await http.GetAsync(new Uri(path, UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
    }

    [Fact]
    public async Task Identity_gives_the_demo_customer_a_token_for_the_services_and_refuses_a_wrong_password()
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var identity = fixture.App.CreateHttpClient("identity");
        static Dictionary<string, string> Form(string password) => new()
        {
            ["grant_type"] = "password",
            ["client_id"] = "cli",
            ["username"] = "customer@eventdriven.local",
            ["password"] = password,
            ["scope"] = "account transactions reactor",
        };

        using var granted = await identity.PostAsync(new Uri("/connect/token", UriKind.Relative), new FormUrlEncodedContent(Form("customer-demo-password")), cancellation);
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        var token = (await granted.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(cancellation)).GetProperty("access_token").GetString()!;
        var payload = System.Text.Json.JsonDocument.Parse(Convert.FromBase64String(Base64(token.Split('.')[1]))).RootElement;
        Assert.Equal("0b5e4a8c-1c2d-4e6f-8a9b-c0d1e2f3a4b5", payload.GetProperty("sub").GetString());
        Assert.Equal("customer", payload.GetProperty("role").GetString());
        Assert.Equal(["account", "reactor", "transactions"], payload.GetProperty("aud").EnumerateArray().Select(a => a.GetString()).Order());

        using var refused = await identity.PostAsync(new Uri("/connect/token", UriKind.Relative), new FormUrlEncodedContent(Form("wrong-password")), cancellation);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        static string Base64(string base64Url)
        {
            var text = base64Url.Replace('-', '+').Replace('_', '/');
            return text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        }
    }

    [Theory]
    [InlineData("account_overview")]
    [InlineData("transaction_history")]
    [InlineData("daily_totals")]
    public async Task A_dashboard_command_rebuilds_a_read_model(string readModel)
    {
        var ct = TestContext.Current.CancellationToken;
        var result = await fixture.App.ResourceCommands.ExecuteCommandAsync("reactor", $"rebuild-{readModel}", ct);
        Assert.True(result.Success, result.Message);

        using var reactor = fixture.Client("reactor", TestUser.Operator);
        // Rebuilt and swapped in: the read model's live generation moved on from the first, and the rebuild is over
        // (one runs at a time).
        await Poll.UntilAsync(async () =>
        {
            var view = await reactor.GetFromJsonAsync<System.Text.Json.JsonElement>("/read-models", ct);
            return view.GetProperty("lastRebuild").GetProperty("state").GetString() == "done"
                && view.GetProperty("models").EnumerateArray().Any(m => m.GetProperty("name").GetString() == readModel && m.GetProperty("generation").GetInt32() >= 2);
        }, TimeSpan.FromSeconds(60), $"{readModel} to be rebuilt");
    }

    [Fact]
    public async Task A_dashboard_command_redrives_a_services_dead_letters()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = $"poison-{Guid.NewGuid():N}";
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = await fixture.App.GetConnectionStringAsync("kafka", ct) }).Build())
        {
            // Not a ledger event at all: Reactor's reader cannot make it one, so it is parked on the first attempt.
            await producer.ProduceAsync(Topics.TransactionEvents, new Message<string, string> { Key = key, Value = "not an event" }, ct);
        }

        using var reactor = fixture.Client("reactor", TestUser.Operator);
        var parked = await Poll.UntilAsync(async () => (await reactor.GetFromJsonAsync<List<Letter>>("/dead-letters", ct))!.SingleOrDefault(l => l.Key == key),
            TimeSpan.FromSeconds(60), $"Reactor to park {key}");

        var result = await fixture.App.ResourceCommands.ExecuteCommandAsync("reactor", "redrive-dead-letters", ct);

        Assert.True(result.Success, result.Message);
        // The dashboard shows the service's answer: how many it produced again (other tests' letters may be among them).
        Assert.True(System.Text.Json.JsonDocument.Parse(result.Data!.Value).RootElement.GetProperty("redriven").GetInt32() >= 1, result.Data.Value);
        // Produced again, still not an event: parked again, naming the letter it came from; the first one is done.
        var again = await Poll.UntilAsync(async () => (await reactor.GetFromJsonAsync<List<Letter>>("/dead-letters?all=true", ct))!
            .SingleOrDefault(l => l.Key == key && l.Headers.GetValueOrDefault("redriven_from") == parked.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            TimeSpan.FromSeconds(60), $"Reactor to park {key} again after the re-drive");
        Assert.Equal("not an event", again.Value);
        Assert.DoesNotContain(await reactor.GetFromJsonAsync<List<Letter>>("/dead-letters", ct) ?? [], l => l.Id == parked.Id);
    }

    private sealed record Letter(long Id, string? Key, string? Value, Dictionary<string, string> Headers);

    [Fact]
    public async Task Money_moves_through_every_service_as_the_AppHost_wires_them()
    {
        var ct = TestContext.Current.CancellationToken;
        // The demo customer's own money: their accounts, their deposit, their transfer, their overview.
        using var account = fixture.Client("account", TestUser.Customer);
        using var transactions = fixture.Client("transactions", TestUser.Customer);
        using var reactor = fixture.Client("reactor", TestUser.Customer);
        var (from, to) = (await account.OpenAccountAsync("EUR", ct), await account.OpenAccountAsync("EUR", ct));

        // Account → outbox → CDC → Kafka → Transactions' copy of the accounts.
        foreach (var id in new[] { from, to })
        {
            await Poll.UntilAsync(async () => (await transactions.GetAsync($"/ledgers/{id}", ct)).IsSuccessStatusCode, TimeSpan.FromSeconds(60), "Transactions to know the account");
        }

        using (var deposit = await transactions.PostAsJsonAsync($"/ledgers/{from}/deposits", new { transactionId = Guid.NewGuid(), amount = 100m, currency = "EUR" }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, deposit.StatusCode);
        }

        using (var transfer = await transactions.PostAsJsonAsync($"/ledgers/{from}/transfers", new { transactionId = Guid.NewGuid(), toAccountId = to, amount = 25m, currency = "EUR" }, ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, transfer.StatusCode);
        }

        // KurrentDB → publisher → Kafka → Transactions' choreography (credit) → Reactor's read models.
        await Poll.UntilAsync(async () => await BalanceAsync(reactor, to, ct) == 25m && await BalanceAsync(reactor, from, ct) == 75m,
            TimeSpan.FromSeconds(60), "Reactor's overview to show the transfer on both sides");
    }

    private static async Task<decimal?> BalanceAsync(HttpClient reactor, Guid accountId, CancellationToken ct)
    {
        using var response = await reactor.GetAsync($"/overview/{accountId}", ct);
        return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(ct)).GetProperty("balance").GetDecimal() : null;
    }
}
