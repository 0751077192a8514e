using EventDriven.Contracts.Lineage;
using EventDriven.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace EventDriven.ServiceDefaults.Lineage;

/// <summary>Every service's <c>GET /lineage/{eventId}</c>: what it knows itself of where an event went.</summary>
public static class LineageApi
{
    /// <summary>
    /// Maps the lineage endpoint for operators and for services granted <paramref name="readScope"/> (the service's
    /// read scope, e.g. <c>account.read</c>: another service assembling an event's whole lineage reads it).
    /// </summary>
    public static IEndpointRouteBuilder MapLineageApi(this IEndpointRouteBuilder app, string readScope)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(readScope);
        app.MapGet("/lineage/{eventId}", GetLineage).WithTags("Lineage").WithName(nameof(GetLineage))
            .RequireAuthorization(ServicePolicies.OperatorOrService(readScope))
            .WithSummary("Where this service stored and published the event (CloudEvents id), and which of its consumer groups applied it.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Ok<LineageFacts>, ValidationProblem, ProblemHttpResult>> GetLineage(string eventId, LineageStore store, CancellationToken cancellationToken)
    {
        if (ParseEventId(eventId) is not { } id)
        {
            return InvalidEventId();
        }

        return await store.FindAsync(id, cancellationToken) is { } facts
            ? TypedResults.Ok(facts)
            : TypedResults.Problem($"This service has no lineage of event {id}.", statusCode: StatusCodes.Status404NotFound, title: "No such event");
    }

    /// <summary>An event id as a route gives it: a GUID, or null.</summary>
    public static Guid? ParseEventId(string eventId) => Guid.TryParse(eventId, out var id) && id != Guid.Empty ? id : null;

    public static ValidationProblem InvalidEventId() =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["eventId"] = ["An event id is a GUID (the event's CloudEvents id)."] });
}
