using System.Security.Claims;
using EventDriven.Contracts.Accounts;
using EventDriven.Reactor.Pipeline;
using EventDriven.Reactor.ReadModels;
using EventDriven.Reactor.Rebuild;
using EventDriven.Reactor.Styles;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EventDriven.Reactor.Api;

/// <summary>
/// The read side for the web app (CQRS): the read models, each row with the versions it reflects; a push channel
/// (server-sent events) that says when an account's read models changed; the event-style comparison; and read-model
/// rebuilds (dead letters: the shared <c>/dead-letters</c> API). It asks <see cref="ReadModelQueries"/> and holds no SQL.
/// Every endpoint needs a token; who may ask what is <see cref="ReactorPolicies"/>.
/// </summary>
public static class ReactorApi
{
    public static IEndpointRouteBuilder MapReactorApi(this IEndpointRouteBuilder app)
    {
        // A person's: a customer sees their own accounts (another's answers 404, as an unknown one does); an operator all.
        var readModels = app.MapGroup("").WithTags("Read models").RequireAuthorization(ReactorPolicies.Person);
        readModels.MapGet("/overview", ListOverviews).WithName(nameof(ListOverviews))
            .WithSummary("Accounts by most recent activity, a page at a time, optionally with one status (a customer's own; an operator's all).");
        readModels.MapGet("/overview/{accountId:guid}", GetOverview).WithName(nameof(GetOverview))
            .WithSummary("One account's overview: its fields, balance and counts, and the versions they reflect.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        readModels.MapGet("/overview/{accountId:guid}/history", GetHistory).WithName(nameof(GetHistory))
            .WithSummary("An account's ledger movements, newest first.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        // Everyone's money: operations.
        app.MapGet("/totals", GetTotals).WithTags("Read models").WithName(nameof(GetTotals))
            .WithSummary("Totals per day and currency, newest first.")
            .RequireAuthorization(ReactorPolicies.Operations);
        app.MapGet("/changes", SubscribeToChanges).WithTags("Read models").WithName(nameof(SubscribeToChanges))
            .WithSummary("Server-sent events: which account's read models changed (all accounts, or ?accountId=); a customer hears only of their own.")
            .RequireAuthorization(ReactorPolicies.ChangesReader);

        var styles = app.MapGroup("/styles").WithTags("Event styles");
        styles.MapGet("/", GetStyleStats).WithName(nameof(GetStyleStats))
            .WithSummary("Notification, delta and fat events compared: messages, bytes and calls back to Account.")
            .RequireAuthorization(ReactorPolicies.Operations);
        styles.MapGet("/{accountId:guid}", GetAccountCopies).WithName(nameof(GetAccountCopies))
            .WithSummary("Each event style's copy of an account.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(ReactorPolicies.Person);

        var rebuilds = app.MapGroup("/read-models").WithTags("Rebuilds").RequireAuthorization(ReactorPolicies.Operations);
        rebuilds.MapGet("/", ListReadModels).WithName(nameof(ListReadModels))
            .WithSummary("The read models' live generations and the last rebuild.");
        rebuilds.MapPost("/{name}/rebuild", RebuildReadModel).WithName(nameof(RebuildReadModel))
            .WithSummary("Replays Kafka into a new generation of a read model and swaps it in when caught up; one at a time.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        return app;
    }

    public static async Task<Results<Ok<IReadOnlyList<AccountOverview>>, ValidationProblem>> ListOverviews(
        ReadModelQueries queries, ClaimsPrincipal user, AccountStatus? status, int page = 1, int pageSize = 50, CancellationToken cancellationToken = default)
    {
        if (page is < 1 or > 1_000_000 || pageSize is < 1 or > 500)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["page"] = ["page 1-1,000,000, pageSize 1-500."] });
        }

        return TypedResults.Ok(await queries.OverviewsAsync(status, ReactorPolicies.OwnerFilter(user), page, pageSize, cancellationToken));
    }

    public static async Task<Results<Ok<AccountOverview>, ProblemHttpResult>> GetOverview(
        Guid accountId, ReadModelQueries queries, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await queries.OverviewAsync(accountId, cancellationToken) is { } overview && ReactorPolicies.MaySee(user, overview.Owner)
            ? TypedResults.Ok(overview)
            : NoSuchAccount(accountId);

    /// <summary>The newest <paramref name="count"/> lines, or those before ledger version <paramref name="before"/> (the next page).</summary>
    public static async Task<Results<Ok<IReadOnlyList<HistoryLine>>, ValidationProblem, ProblemHttpResult>> GetHistory(
        Guid accountId, ReadModelQueries queries, ClaimsPrincipal user, int count = 50, long? before = null, CancellationToken cancellationToken = default)
    {
        // An operator may page through any account's history (none yet is an empty page); a customer only their own.
        if (ReactorPolicies.OwnerFilter(user) is { } caller && await queries.OwnerAsync(accountId, cancellationToken) != caller)
        {
            return NoSuchAccount(accountId);
        }

        var errors = new Dictionary<string, string[]>();
        if (count is < 1 or > 500)
        {
            errors["count"] = ["count 1-500."];
        }

        if (before is < 1)
        {
            errors["before"] = ["before is a ledger version, 1 or more."];
        }

        return errors.Count > 0
            ? TypedResults.ValidationProblem(errors)
            : TypedResults.Ok(await queries.HistoryAsync(accountId, count, before, cancellationToken));
    }

    public static async Task<Ok<IReadOnlyList<DailyTotal>>> GetTotals(ReadModelQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.TotalsAsync(cancellationToken));

    public static ServerSentEventsResult<AccountChanged?> SubscribeToChanges(
        ReadModelChanges changes, IHostApplicationLifetime lifetime, ClaimsPrincipal user, Guid? accountId, CancellationToken cancellationToken)
    {
        // Decided once, when the channel opens: the token's claims do not change while it is open.
        var owner = ReactorPolicies.OwnerFilter(user);
        return TypedResults.ServerSentEvents(changes.SubscribeAsync(
            accountId, change => owner is null || change.Owner == owner, lifetime.ApplicationStopping, cancellationToken));
    }

    public static Ok<IReadOnlyList<StyleFigures>> GetStyleStats(StyleStats stats) => TypedResults.Ok(stats.Snapshot());

    /// <summary>A customer's own account only, by the owner the overview learnt from accounts.state.</summary>
    public static async Task<Results<Ok<IReadOnlyList<AccountCopy>>, ProblemHttpResult>> GetAccountCopies(
        Guid accountId, ReadModelQueries queries, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (ReactorPolicies.OwnerFilter(user) is { } caller && await queries.OwnerAsync(accountId, cancellationToken) != caller)
        {
            return NoSuchAccount(accountId);
        }

        return await queries.CopiesAsync(accountId, cancellationToken) is { Count: > 0 } copies
            ? TypedResults.Ok(copies)
            : NoSuchAccount(accountId);
    }

    /// <summary>The one answer for an account that is unknown here or someone else's: the caller cannot tell which.</summary>
    private static ProblemHttpResult NoSuchAccount(Guid accountId) =>
        TypedResults.Problem($"Reactor has nothing of account {accountId} for you.", statusCode: StatusCodes.Status404NotFound, title: "No such account");

    public static async Task<Ok<ReadModelsView>> ListReadModels(ReadModelQueries queries, ReadModelRebuilder rebuilder, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ReadModelsView(await queries.ReadModelsAsync(cancellationToken), await rebuilder.LastOfAnyAsync(cancellationToken)));

    public static async Task<Results<Accepted<RebuildStatus>, ProblemHttpResult>> RebuildReadModel(string name, ReadModelRebuilder rebuilder, CancellationToken cancellationToken)
    {
        if (ReadModelSchema.All.FirstOrDefault(m => ReadModelSchema.Name(m) == name) is var model && ReadModelSchema.Name(model) != name)
        {
            return TypedResults.Problem($"Read models: {string.Join(", ", ReadModelSchema.All.Select(ReadModelSchema.Name))}.",
                statusCode: StatusCodes.Status404NotFound, title: "No such read model");
        }

        // One at a time across Reactor's instances: the same answer on whichever instance the request reaches.
        return await rebuilder.TryStartAsync(model, cancellationToken) is { } started
            ? TypedResults.Accepted("/read-models", started)
            : TypedResults.Problem("A rebuild is running; one at a time.", statusCode: StatusCodes.Status409Conflict, title: "Rebuild in progress");
    }
}

public sealed record ReadModelsView(IReadOnlyList<ReadModelInfo> Models, RebuildStatus? LastRebuild);
