using EventDriven.Contracts.Reconciliation;
using EventDriven.ServiceDefaults.Authentication;
using EventDriven.Transactions.AccountCopy;
using Microsoft.AspNetCore.Http.HttpResults;
using EventDriven.Contracts;

namespace EventDriven.Transactions.Reconciliation;

/// <summary>
/// What reconciliation (Reactor's <c>POST /reconciliation</c>) reads of Transactions: the ledgers, the source of truth
/// for money, folded from the event store; and Transactions' copy of account state, one of the copies it checks.
/// Both only read; nothing is locked and no consumer waits.
/// </summary>
public static class ReconciliationApi
{
    public const int MaxCount = 1000;

    public static IEndpointRouteBuilder MapReconciliationApi(this IEndpointRouteBuilder app)
    {
        // Operators, and Reactor's reconciliation with its own token (scope transactions.read).
        var reconciliation = app.MapGroup("/reconciliation").WithTags("Reconciliation")
            .RequireAuthorization(ServicePolicies.OperatorOrService(ServiceScopes.TransactionsRead));
        reconciliation.MapGet("/ledgers", ListLedgersForReconciliation).WithName(nameof(ListLedgersForReconciliation))
            .WithSummary("Every ledger folded from its events in KurrentDB (balance, version, closed, entries, money deposited and withdrawn), with the $all position read up to.");
        reconciliation.MapGet("/account-copy", ListAccountCopy).WithName(nameof(ListAccountCopy))
            .WithSummary("Transactions' copy of account state in id order: a page after an id (keyset paging), and the next page's 'after'.");
        return app;
    }

    public static async Task<Ok<LedgerFactsReport>> ListLedgersForReconciliation(LedgerFactsReader reader, CancellationToken cancellationToken) =>
        TypedResults.Ok(await reader.ReadAsync(cancellationToken));

    public static async Task<Results<Ok<AccountCopyPage>, ValidationProblem>> ListAccountCopy(
        AccountCopyStore store, Guid? after, int count = 500, CancellationToken cancellationToken = default)
    {
        if (count is < 1 or > MaxCount)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["count"] = [$"count 1-{MaxCount}."] });
        }

        var entries = await store.PageAsync(after, count, cancellationToken);
        return TypedResults.Ok(new AccountCopyPage(entries, entries.Count == count ? entries[^1].AccountId : null));
    }
}
