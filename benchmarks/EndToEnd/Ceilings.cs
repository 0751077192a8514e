using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using EventDriven.KurrentDB.Client;
using Npgsql;

namespace EventDriven.Benchmarks.EndToEnd;

/// <summary>
/// What the infrastructure alone can do on this machine, measured in the same run as everything else, so that every
/// other figure can be given as a fraction of one of these.
/// </summary>
public static class Ceilings
{
    private const int Writers = 16;
    private static readonly string[] AccountTopics = ["accounts.notifications", "accounts.deltas", "accounts.state"];

    /// <summary>
    /// PostgreSQL's commit rate for exactly the statements of an Account command (an address change): look up the
    /// idempotency key, then in one transaction lock the row, update it, insert its three outbox rows (one batch) and
    /// the idempotency record — through raw Npgsql, in a database of its own (same server, same tables).
    /// </summary>
    public static async Task<double> AccountTransactionsPerSecondAsync(string accountDbConnectionString, TimeSpan duration)
    {
        var builder = new NpgsqlConnectionStringBuilder(accountDbConnectionString);
        var database = $"ceiling_{Guid.NewGuid():N}";
        await using (var admin = NpgsqlDataSource.Create(accountDbConnectionString))
        {
            await using var create = admin.CreateCommand($"CREATE DATABASE {database}");
            await create.ExecuteNonQueryAsync();
        }

        builder.Database = database;
        await using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        await using (var schema = dataSource.CreateCommand("""
            CREATE TABLE accounts (id uuid PRIMARY KEY, owner_name text NOT NULL, status text NOT NULL, currency char(3) NOT NULL,
                state jsonb NOT NULL, version bigint NOT NULL, updated_at timestamptz NOT NULL);
            CREATE INDEX accounts_status ON accounts (status);
            CREATE INDEX accounts_owner_name ON accounts (lower(owner_name));
            CREATE TABLE outbox (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, event_id uuid NOT NULL, topic text NOT NULL,
                message_key text NOT NULL, ce_type text NOT NULL, payload text NOT NULL, occurred_at timestamptz NOT NULL, traceparent text, tracestate text);
            CREATE TABLE idempotency_keys (key_space text NOT NULL, key text NOT NULL, request_hash text NOT NULL, status_code int NOT NULL,
                response text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (key_space, key));
            """))
        {
            await schema.ExecuteNonQueryAsync();
        }

        var state = """{"id":"00000000-0000-0000-0000-000000000000","ownerName":"Owner","email":"owner@example.com","address":{"street":"1 High Street","city":"London","postalCode":"SW1A 1AA","country":"GB"},"currency":"EUR","status":"Open","version":1}""";
        var payload = new string('x', 600);
        var accounts = Enumerable.Range(0, Writers * 4).Select(_ => Guid.NewGuid()).ToArray();
        foreach (var id in accounts)
        {
            await using var insert = dataSource.CreateCommand("INSERT INTO accounts VALUES ($1, 'Owner', 'Open', 'EUR', $2::jsonb, 1, now())");
            insert.Parameters.Add(new() { Value = id });
            insert.Parameters.Add(new() { Value = state });
            await insert.ExecuteNonQueryAsync();
        }

        return await Drive.RateAsync(Writers, duration, async (worker, n) =>
        {
            var id = accounts[(worker * 4) + (n % 4)];
            var key = Guid.NewGuid().ToString();
            await using (var find = dataSource.CreateCommand("SELECT request_hash, status_code, response FROM idempotency_keys WHERE key_space = 'client' AND key = $1"))
            {
                find.Parameters.Add(new() { Value = key });
                await using var reader = await find.ExecuteReaderAsync();
                await reader.ReadAsync();
            }

            await using var connection = await dataSource.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var load = new NpgsqlCommand("SELECT state FROM accounts WHERE id = $1 FOR UPDATE", connection, transaction))
            {
                load.Parameters.Add(new() { Value = id });
                await load.ExecuteScalarAsync();
            }

            await using (var save = new NpgsqlCommand(
                "UPDATE accounts SET owner_name = $2, status = $3, currency = $4, state = $5::jsonb, version = version + 1, updated_at = $6 WHERE id = $1", connection, transaction))
            {
                save.Parameters.AddRange(new NpgsqlParameter[] { new() { Value = id }, new() { Value = "Owner" }, new() { Value = "Open" }, new() { Value = "EUR" }, new() { Value = state }, new() { Value = DateTimeOffset.UtcNow } });
                await save.ExecuteNonQueryAsync();
            }

            await using (var outbox = new NpgsqlBatch(connection, transaction))
            {
                foreach (var topic in AccountTopics)
                {
                    outbox.BatchCommands.Add(new NpgsqlBatchCommand(
                        "INSERT INTO outbox (event_id, topic, message_key, ce_type, payload, occurred_at, traceparent, tracestate) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)")
                    {
                        Parameters =
                        {
                            new() { Value = Guid.NewGuid() }, new() { Value = topic }, new() { Value = id.ToString() }, new() { Value = "account.address-changed.v1" },
                            new() { Value = payload }, new() { Value = DateTimeOffset.UtcNow }, new() { Value = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
                        },
                    });
                }

                await outbox.ExecuteNonQueryAsync();
            }

            await using (var remember = new NpgsqlCommand("INSERT INTO idempotency_keys (key_space, key, request_hash, status_code, response) VALUES ('client', $1, $2, 200, $3)", connection, transaction))
            {
                remember.Parameters.AddRange(new NpgsqlParameter[] { new() { Value = key }, new() { Value = "hash" }, new() { Value = state } });
                await remember.ExecuteNonQueryAsync();
            }

            await transaction.CommitAsync();
        });
    }

    /// <summary>The local KurrentDB server's rate of single-event appends (each fsync'd before it is acknowledged), from <see cref="Writers"/> writers.</summary>
    public static async Task<double> KurrentDBAppendsPerSecondAsync(string connectionString, TimeSpan duration)
    {
        await using var client = new KurrentDBClient(KurrentDBClientSettings.Create(connectionString));
        var payload = Encoding.UTF8.GetBytes("""{"amount":1.25,"currency":"EUR","balanceAfter":100.00}""");
        var streams = Enumerable.Range(0, Writers).Select(_ => $"ceiling-{Guid.NewGuid():N}").ToArray();
        return await Drive.RateAsync(Writers, duration, (worker, _) =>
            client.AppendToStreamAsync(streams[worker], StreamState.Any, [new EventData(EventDriven.KurrentDB.Client.Uuid.NewUuid(), "ceiling.appended.v1", payload)]));
    }

    /// <summary>
    /// The local broker's produce → consume rate: messages of an account event's size produced to a topic of its own
    /// while one consumer reads them; the rate at which the consumer receives them.
    /// </summary>
    public static async Task<double> BrokerMessagesPerSecondAsync(string bootstrap, Uri control, TimeSpan duration)
    {
        var topic = $"ceiling-{Guid.NewGuid():N}";
        using (var http = new HttpClient { BaseAddress = control })
        {
            using var created = await http.PutAsync(new Uri($"/topics/{topic}?partitions=3", UriKind.Relative), content: null);
            created.EnsureSuccessStatusCode();
        }

        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap, EnableIdempotence = true, Acks = Acks.All, LingerMs = 1,
        }).Build();
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap, GroupId = topic, AutoOffsetReset = AutoOffsetReset.Earliest, EnableAutoCommit = false,
        }).Build();
        consumer.Assign(Enumerable.Range(0, 3).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));

        // The producer stays at most Ahead messages ahead of the consumer: the local broker keeps only about 5 MB per
        // partition, and a consumer that fell behind that would keep restarting from the low watermark.
        const int Ahead = 5_000;
        var value = new byte[800];
        var received = 0L;
        using var stop = new CancellationTokenSource();
        var producing = Task.Run(async () =>
        {
            for (var n = 0L; !stop.IsCancellationRequested; n++)
            {
                while (n - Interlocked.Read(ref received) > Ahead && !stop.IsCancellationRequested)
                {
                    await Task.Delay(1);
                }

                producer.Produce(topic, new Message<string, byte[]> { Key = (n % 1_000).ToString(System.Globalization.CultureInfo.InvariantCulture), Value = value });
            }
        });

        // A warm-up second, then count what arrives in the window.
        var warmUp = TimeSpan.FromSeconds(1);
        var clock = Stopwatch.StartNew();
        var counted = 0L;
        while (clock.Elapsed < warmUp + duration)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is not null)
            {
                Interlocked.Increment(ref received);
                counted += clock.Elapsed >= warmUp ? 1 : 0;
            }
        }

        var rate = counted / (clock.Elapsed - warmUp).TotalSeconds;
        await stop.CancelAsync();
        await producing;
        consumer.Close();
        return rate;
    }
}
