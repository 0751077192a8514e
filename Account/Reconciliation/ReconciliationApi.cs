using EventDriven.Accounts.Features;
using EventDriven.Accounts.Storage;
using EventDriven.ServiceDefaults.Authentication;
using EventDriven.Contracts.Reconciliation;
using Microsoft.AspNetCore.Http.HttpResults;
using EventDriven.Contracts;

namespace EventDriven.Accounts.Reconciliation;

/// <summary>
/// What reconciliation (Reactor's <c>POST /reconciliation</c>) reads of Account, the source of truth for accounts:
/// every account, whole, in id order a page at a time. It only reads; nothing is locked. Operators, and services with
/// <c>account.read</c> (Reactor's reconciliation).
/// </summary>
public static class ReconciliationApi
{
    public const int MaxCount = 1000;

    public static IEndpointRouteBuilder MapReconciliationApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/reconciliation").WithTags("Reconciliation")
            .RequireAuthorization(ServicePolicies.OperatorOrService(ServiceScopes.AccountRead))
            .MapGet("/accounts", ListAccountsForReconciliation).WithName(nameof(ListAccountsForReconciliation))
            .WithSummary("Every account, whole, in id order: a page after an id (keyset paging), and the next page's 'after'.");
        return app;
    }

    public static async Task<Results<Ok<AccountSnapshotPage>, ValidationProblem>> ListAccountsForReconciliation(
        AccountStore store, Guid? after, int count = 500, CancellationToken cancellationToken = default)
    {
        if (count is < 1 or > MaxCount)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["count"] = [$"count 1-{MaxCount}."] });
        }

        var accounts = await store.PageAsync(after, count, cancellationToken);
        return TypedResults.Ok(new AccountSnapshotPage([.. accounts.Select(a => a.ToSnapshot())], accounts.Count == count ? accounts[^1].Id : null));
    }
}
