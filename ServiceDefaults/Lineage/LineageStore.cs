using System.Text.Json;
using EventDriven.Contracts;
using EventDriven.Contracts.Lineage;
using EventDriven.ServiceDefaults.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace EventDriven.ServiceDefaults.Lineage;

/// <summary>
/// Where an event went, as far as this service saw it, in the service's own database: each publication (after Kafka
/// acknowledged it) and each consumer group's application of it (after the handler applied it). A few rows per event,
/// keyed so that a republish or a redelivery writes no second row. Written in batches (<see cref="LineageRecorder"/>)
/// or inside a consumer's own transaction (<see cref="AddApplications"/>); read by <c>GET /lineage/{eventId}</c>.
/// </summary>
public sealed class LineageStore(NpgsqlDataSource dataSource, string service)
{
    /// <summary>The advisory lock of the lineage tables' migration (distinct from every service's own and the dead letters').</summary>
    private const long MigrationLock = 0x11e6a9e5;

    private const string Script = """
        CREATE TABLE IF NOT EXISTS lineage_publications (
            event_id uuid NOT NULL,
            topic text NOT NULL,
            store text NOT NULL,
            outbox_id bigint,
            stream text,
            stream_revision bigint,
            partition int NOT NULL,
            "offset" bigint NOT NULL,
            published_at timestamptz NOT NULL,
            trace_id text,
            times int NOT NULL DEFAULT 1,
            PRIMARY KEY (event_id, topic));
        CREATE TABLE IF NOT EXISTS lineage_applications (
            event_id uuid NOT NULL,
            consumer_group text NOT NULL,
            topic text NOT NULL,
            partition int NOT NULL,
            "offset" bigint NOT NULL,
            applied_at timestamptz NOT NULL,
            produced jsonb NOT NULL,
            trace_id text,
            PRIMARY KEY (event_id, consumer_group, topic));
        """;

    // A republish lands elsewhere: the row says where it landed last and how often it was published.
    private const string InsertPublications = """
        INSERT INTO lineage_publications AS p (event_id, topic, store, outbox_id, stream, stream_revision, partition, "offset", published_at, trace_id, times)
        SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::bigint[], $7::int[], $8::bigint[], $9::timestamptz[], $10::text[], $11::int[])
        ON CONFLICT (event_id, topic) DO UPDATE SET partition = excluded.partition, "offset" = excluded."offset",
            published_at = excluded.published_at, trace_id = coalesce(excluded.trace_id, p.trace_id), times = p.times + excluded.times
        """;

    // The first application is the one that produced something; a redelivery the handler deduplicated changes nothing.
    private const string InsertApplications = """
        INSERT INTO lineage_applications (event_id, consumer_group, topic, partition, "offset", applied_at, produced, trace_id)
        SELECT e, g, t, p, o, a, r::jsonb, tr FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::bigint[], $6::timestamptz[], $7::text[], $8::text[])
            AS u(e, g, t, p, o, a, r, tr)
        ON CONFLICT (event_id, consumer_group, topic) DO NOTHING
        """;

    private readonly string _service = service;

    /// <summary>Creates or updates the tables (what <see cref="AddTo"/> does on start), for code that runs without a host.</summary>
    public static Task MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken) =>
        PostgresMigration.MigrateAsync(dataSource, MigrationLock, Script, cancellationToken);

    /// <summary>The store, its tables (created on start, before the hosted services registered after this) and its batch writer; once per service.</summary>
    public static IServiceCollection AddTo(IServiceCollection services)
    {
        if (services.Any(service => service.ServiceType == typeof(LineageStore)))
        {
            return services;
        }

        services.AddSingleton(provider => new LineageStore(
            provider.GetRequiredService<NpgsqlDataSource>(), provider.GetRequiredService<IHostEnvironment>().ApplicationName.ToLowerInvariant()));
        services.AddSingleton<LineageRecorder>();
        services.AddPostgresMigration(MigrationLock, Script);
        return services.AddHostedService(provider => provider.GetRequiredService<LineageRecorder>());
    }

    /// <summary>Adds the insert of <paramref name="applications"/> to a batch the caller runs in its own transaction.</summary>
    public static void AddApplications(NpgsqlBatch batch, IReadOnlyCollection<AppliedEvent> applications)
    {
        if (applications.Count > 0)
        {
            batch.BatchCommands.Add(ApplicationsCommand(applications));
        }
    }

    /// <summary>Writes publications and applications in one round trip.</summary>
    public async Task WriteAsync(IReadOnlyCollection<PublishedEvent> publications, IReadOnlyCollection<AppliedEvent> applications, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        if (publications.Count > 0)
        {
            batch.BatchCommands.Add(PublicationsCommand(publications));
        }

        AddApplications(batch, applications);
        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>What this service knows of the event; null when nothing.</summary>
    public async Task<LineageFacts?> FindAsync(Guid eventId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new("""
                    SELECT topic, store, outbox_id, stream, stream_revision, partition, "offset", published_at, trace_id, times
                    FROM lineage_publications WHERE event_id = $1 ORDER BY published_at, topic
                    """) { Parameters = { new() { Value = eventId } } },
                new("""
                    SELECT consumer_group, topic, partition, "offset", applied_at, produced::text, trace_id
                    FROM lineage_applications WHERE event_id = $1 ORDER BY applied_at, consumer_group, topic
                    """) { Parameters = { new() { Value = eventId } } },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var publications = new List<EventPublication>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var storedIn = new EventStorage(reader.GetString(1), NullableInt64(reader, 2), reader.IsDBNull(3) ? null : reader.GetString(3), NullableInt64(reader, 4));
            publications.Add(new EventPublication(_service, storedIn, reader.GetString(0), reader.GetInt32(5), reader.GetInt64(6),
                reader.GetFieldValue<DateTimeOffset>(7), reader.IsDBNull(8) ? null : reader.GetString(8), reader.GetInt32(9)));
        }

        await reader.NextResultAsync(cancellationToken);
        var applications = new List<EventApplication>();
        while (await reader.ReadAsync(cancellationToken))
        {
            applications.Add(new EventApplication(_service, reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3),
                reader.GetFieldValue<DateTimeOffset>(4), JsonSerializer.Deserialize<List<AppliedProduct>>(reader.GetString(5), ContractJson.Options) ?? [],
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return publications.Count + applications.Count == 0 ? null : new LineageFacts(eventId, _service, publications, applications);
    }

    private static long? NullableInt64(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    private static NpgsqlBatchCommand PublicationsCommand(IReadOnlyCollection<PublishedEvent> publications)
    {
        // One row per key in a statement (ON CONFLICT DO UPDATE refuses two): the last publication stands, all are counted.
        var rows = publications.GroupBy(p => (p.EventId, p.Topic)).Select(g => (Last: g.Last(), Times: g.Count())).ToList();
        return new NpgsqlBatchCommand(InsertPublications)
        {
            Parameters =
            {
                new() { Value = rows.Select(r => r.Last.EventId).ToArray() },
                new() { Value = rows.Select(r => r.Last.Topic).ToArray() },
                new() { Value = rows.Select(r => r.Last.StoredIn.Store).ToArray() },
                new() { Value = rows.Select(r => r.Last.StoredIn.OutboxId).ToArray() },
                new() { Value = rows.Select(r => r.Last.StoredIn.Stream).ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text },
                new() { Value = rows.Select(r => r.Last.StoredIn.StreamRevision).ToArray() },
                new() { Value = rows.Select(r => r.Last.Partition).ToArray() },
                new() { Value = rows.Select(r => r.Last.Offset).ToArray() },
                new() { Value = rows.Select(r => r.Last.PublishedAt).ToArray() },
                new() { Value = rows.Select(r => r.Last.TraceId).ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text },
                new() { Value = rows.Select(r => r.Times).ToArray() },
            },
        };
    }

    private static NpgsqlBatchCommand ApplicationsCommand(IReadOnlyCollection<AppliedEvent> applications) => new(InsertApplications)
    {
        Parameters =
        {
            new() { Value = applications.Select(a => a.EventId).ToArray() },
            new() { Value = applications.Select(a => a.ConsumerGroup).ToArray() },
            new() { Value = applications.Select(a => a.Topic).ToArray() },
            new() { Value = applications.Select(a => a.Partition).ToArray() },
            new() { Value = applications.Select(a => a.Offset).ToArray() },
            new() { Value = applications.Select(a => a.AppliedAt).ToArray() },
            new() { Value = applications.Select(a => JsonSerializer.Serialize(a.Produced, ContractJson.Options)).ToArray() },
            new() { Value = applications.Select(a => a.TraceId).ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text },
        },
    };
}

/// <summary>An event Kafka acknowledged: its id (the CloudEvents id), where it was stored and where it landed.</summary>
public sealed record PublishedEvent(Guid EventId, EventStorage StoredIn, string Topic, int Partition, long Offset, DateTimeOffset PublishedAt, string? TraceId);

/// <summary>An event a consumer group applied: where it was delivered from, and what applying it produced.</summary>
public sealed record AppliedEvent(
    Guid EventId, string ConsumerGroup, string Topic, int Partition, long Offset, DateTimeOffset AppliedAt, IReadOnlyList<AppliedProduct> Produced, string? TraceId);
