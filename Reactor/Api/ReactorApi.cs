using EventDriven.Contracts.Accounts;
using EventDriven.Reactor.Pipeline;
using EventDriven.Reactor.ReadModels;
using EventDriven.Reactor.Rebuild;
using EventDriven.Reactor.Styles;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using static EventDriven.Reactor.ReadModels.ReadModelRowsSql;

namespace EventDriven.Reactor.Api;

/// <summary>
/// The read side for the web app (CQRS): the read models, each row with the versions it reflects; a push channel
/// (server-sent events) that says when an account's read models changed; the event-style comparison; and read-model
/// rebuilds. (Dead letters: the shared <c>/dead-letters</c> API.)
/// </summary>
public static class ReactorApi
{
    public static IEndpointRouteBuilder MapReactorApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/overview", async Task<Results<Ok<IReadOnlyList<AccountOverview>>, ValidationProblem>> (NpgsqlDataSource db, CancellationToken ct, AccountStatus? status, int page = 1, int pageSize = 50) =>
        {
            if (page is < 1 or > 1_000_000 || pageSize is < 1 or > 500)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["page"] = ["page 1-1,000,000, pageSize 1-500."] });
            }

            await using var command = db.CreateCommand($"""
                SELECT {OverviewColumns} FROM account_overview WHERE ($1::text IS NULL OR status = $1)
                ORDER BY last_activity DESC NULLS LAST, account_id LIMIT $2 OFFSET $3
                """);
            command.Parameters.Add(new() { Value = (object?)status?.ToString() ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new() { Value = pageSize });
            command.Parameters.Add(new() { Value = (page - 1) * pageSize });
            return TypedResults.Ok(await ReadAllAsync(command, ReadOverview, ct));
        });

        app.MapGet("/overview/{accountId:guid}", async Task<Results<Ok<AccountOverview>, ProblemHttpResult>> (Guid accountId, NpgsqlDataSource db, CancellationToken ct) =>
        {
            await using var command = db.CreateCommand($"SELECT {OverviewColumns} FROM account_overview WHERE account_id = $1");
            command.Parameters.Add(new() { Value = accountId });
            return (await ReadAllAsync(command, ReadOverview, ct)) is [var overview]
                ? TypedResults.Ok(overview)
                : TypedResults.Problem($"Reactor has seen nothing of account {accountId}.", statusCode: 404, title: "No such account");
        });

        app.MapGet("/overview/{accountId:guid}/history", async Task<Results<Ok<IReadOnlyList<HistoryLine>>, ValidationProblem>> (Guid accountId, NpgsqlDataSource db, CancellationToken ct, int count = 50) =>
        {
            if (count is < 1 or > 500)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["count"] = ["count 1-500."] });
            }

            await using var command = db.CreateCommand($"SELECT {HistoryColumns} FROM transaction_history WHERE account_id = $1 ORDER BY version DESC LIMIT $2");
            command.Parameters.Add(new() { Value = accountId });
            command.Parameters.Add(new() { Value = count });
            return TypedResults.Ok(await ReadAllAsync(command, ReadHistory, ct));
        });

        app.MapGet("/totals", async (NpgsqlDataSource db, CancellationToken ct) =>
        {
            await using var command = db.CreateCommand($"SELECT {TotalsColumns} FROM daily_totals ORDER BY day DESC, currency LIMIT 366");
            return TypedResults.Ok(await ReadAllAsync(command, ReadTotal, ct));
        });

        app.MapGet("/changes", (ReadModelChanges changes, Guid? accountId, CancellationToken ct) =>
            TypedResults.ServerSentEvents(changes.SubscribeAsync(accountId, ct)));

        app.MapGet("/styles", (StyleStats stats) => TypedResults.Ok(stats.Snapshot()));

        app.MapGet("/styles/{accountId:guid}", async Task<Results<Ok<IReadOnlyList<AccountCopy>>, ProblemHttpResult>> (Guid accountId, NpgsqlDataSource db, CancellationToken ct) =>
        {
            await using var command = db.CreateCommand("SELECT style, version, state::text FROM account_copies WHERE account_id = $1 ORDER BY style");
            command.Parameters.Add(new() { Value = accountId });
            var copies = await ReadAllAsync(command, r => new AccountCopy(Enum.Parse<EventStyle>(r.GetString(0), ignoreCase: true), r.GetInt64(1), StyleHandlers.ReadFields(r.GetString(2))), ct);
            return copies.Count > 0
                ? TypedResults.Ok(copies)
                : TypedResults.Problem($"No style has a copy of account {accountId}.", statusCode: 404, title: "No such account");
        });

        app.MapGet("/read-models", async (NpgsqlDataSource db, ReadModelRebuilder rebuilder, CancellationToken ct) =>
        {
            await using var command = db.CreateCommand("SELECT name, generation, rebuilt_at, rebuild_events, rebuild_events_per_second FROM read_models ORDER BY name");
            var models = await ReadAllAsync(command, r => new ReadModelInfo(r.GetString(0), r.GetInt32(1),
                r.IsDBNull(2) ? null : r.GetFieldValue<DateTimeOffset>(2), r.IsDBNull(3) ? null : r.GetInt64(3), r.IsDBNull(4) ? null : r.GetDouble(4)), ct);
            return TypedResults.Ok(new ReadModelsView(models, rebuilder.Last));
        });

        app.MapPost("/read-models/{name}/rebuild", Results<Accepted<RebuildStatus>, ProblemHttpResult> (string name, ReadModelRebuilder rebuilder) =>
        {
            if (ReadModelSchema.All.FirstOrDefault(m => ReadModelSchema.Name(m) == name) is var model && ReadModelSchema.Name(model) != name)
            {
                return TypedResults.Problem($"Read models: {string.Join(", ", ReadModelSchema.All.Select(ReadModelSchema.Name))}.", statusCode: 404, title: "No such read model");
            }

            return rebuilder.TryStart(model)
                ? TypedResults.Accepted("/read-models", rebuilder.Last!)
                : TypedResults.Problem("A rebuild is running; one at a time.", statusCode: 409, title: "Rebuild in progress");
        });

        return app;
    }

    private static async Task<IReadOnlyList<T>> ReadAllAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}

/// <summary>One style's copy of an account: the version it reflects and the account's fields by dotted path.</summary>
public sealed record AccountCopy(EventStyle Style, long Version, IReadOnlyDictionary<string, string> Fields);

public sealed record ReadModelInfo(string Name, int Generation, DateTimeOffset? RebuiltAt, long? RebuildEvents, double? RebuildEventsPerSecond);

public sealed record ReadModelsView(IReadOnlyList<ReadModelInfo> Models, RebuildStatus? LastRebuild);
