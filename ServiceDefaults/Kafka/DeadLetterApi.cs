using EventDriven.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using EventDriven.Contracts;

namespace EventDriven.ServiceDefaults.Kafka;

/// <summary>
/// Every consuming service's dead letters: <c>GET /dead-letters</c> lists them, <c>POST /dead-letters/{id}/redrive</c>
/// re-drives one, <c>POST /dead-letters/redrive</c> every one still waiting (the dashboard's "Re-drive dead letters").
/// Operators only, or the dashboard's token with the <c>operations</c> scope: parked messages carry other people's data.
/// </summary>
public static class DeadLetterApi
{
    public static IEndpointRouteBuilder MapDeadLetterApi(this IEndpointRouteBuilder app)
    {
        var deadLetters = app.MapGroup("/dead-letters").WithTags("Dead letters")
            .RequireAuthorization(ServicePolicies.OperatorOrService(ServiceScopes.Operations));
        deadLetters.MapGet("/", ListDeadLetters).WithName(nameof(ListDeadLetters))
            .WithSummary("Messages parked because they can never apply (?all=true: re-driven ones too).");
        deadLetters.MapPost("/{id:long}/redrive", RedriveDeadLetter).WithName(nameof(RedriveDeadLetter))
            .WithSummary("Produces a parked message again to its topic, headers as they were.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        deadLetters.MapPost("/redrive", RedriveAllDeadLetters).WithName(nameof(RedriveAllDeadLetters))
            .WithSummary("Re-drives every dead letter still waiting, oldest first, and says how many; a message that still cannot apply is parked again.");
        return app;
    }

    public static async Task<Ok<IReadOnlyList<DeadLetter>>> ListDeadLetters(DeadLetterStore store, bool all = false, CancellationToken cancellationToken = default) =>
        TypedResults.Ok(await store.ListAsync(all, cancellationToken));

    public static async Task<Results<Accepted, ProblemHttpResult>> RedriveDeadLetter(long id, DeadLetterStore store, CancellationToken cancellationToken) =>
        await store.RedriveAsync(id, cancellationToken)
            ? TypedResults.Accepted((string?)null)
            : TypedResults.Problem($"There is no dead letter {id} left to re-drive.", statusCode: StatusCodes.Status404NotFound, title: "No such dead letter");

    public static async Task<Ok<RedriveSummary>> RedriveAllDeadLetters(DeadLetterStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(new RedriveSummary(await store.RedriveAllAsync(cancellationToken)));
}

/// <summary>How many dead letters one "re-drive all" produced again.</summary>
public sealed record RedriveSummary(int Redriven);
