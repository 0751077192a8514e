using EventDriven.Contracts.Reactor;
using EventDriven.Reactor.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EventDriven.Reactor.Reconciliation;

/// <summary>
/// <c>POST /reconciliation</c>: compares the sources of truth (Account's accounts, Transactions' ledgers) with every
/// copy and answers the report (also a dashboard command on the <c>reactor</c> resource). A POST because it is a
/// command an operator runs, with its own trace and metrics, not a cacheable read; it changes nothing. An operator's, or
/// the dashboard's (scope <c>operations</c>).
/// </summary>
public static class ReconciliationApi
{
    public static IEndpointRouteBuilder MapReconciliationApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/reconciliation", Reconcile).WithTags("Reconciliation").WithName(nameof(Reconcile))
            .WithSummary("Compares Account's accounts and Transactions' ledgers with every copy (the state topic, Transactions' account copy, the read models, the three style copies) and reports each difference.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireAuthorization(ReactorPolicies.Operations);
        return app;
    }

    public static async Task<Results<Ok<ReconciliationReport>, ProblemHttpResult>> Reconcile(Reconciler reconciler, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(await reconciler.RunAsync(cancellationToken));
        }
        catch (ReconciliationUnavailableException exception)
        {
            return TypedResults.Problem(exception.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Reconciliation could not read a source or a copy");
        }
    }
}
