using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Transactions;
using EventDriven.Transactions.AccountCopy;
using EventDriven.Transactions.Domain;
using EventDriven.Transactions.Publishing;
using EventDriven.Transactions.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EventDriven.Transactions.Features;

/// <summary>
/// The Transactions HTTP API. Every command carries a transaction id: a repeat returns what the ledger recorded for it
/// and appends nothing. Every refusal is a problem details response and appends nothing.
/// </summary>
public static class LedgerApi
{
    public static IEndpointRouteBuilder MapLedgerApi(this IEndpointRouteBuilder app)
    {
        var ledgers = app.MapGroup("/ledgers/{accountId:guid}").WithTags("Ledgers");

        ledgers.MapPost("/deposits", (Guid accountId, MoneyRequest request, LedgerCommandHandler handler, CancellationToken ct) =>
            Command(handler, LedgerValidation.Validate(request), () => new Deposit(accountId, request.TransactionId!.Value, request.Amount!.Value, request.Currency!), ct));

        ledgers.MapPost("/withdrawals", (Guid accountId, MoneyRequest request, LedgerCommandHandler handler, CancellationToken ct) =>
            Command(handler, LedgerValidation.Validate(request), () => new Withdraw(accountId, request.TransactionId!.Value, request.Amount!.Value, request.Currency!), ct));

        ledgers.MapPost("/transfers", async (Guid accountId, TransferRequest request, LedgerCommandHandler handler, AccountDirectory accounts, CancellationToken ct) =>
        {
            var errors = LedgerValidation.Validate(accountId, request);
            if (errors.Count == 0 && await accounts.FindAsync(request.ToAccountId!.Value, ct) is null)
            {
                return NotFound($"Account {request.ToAccountId} is not known to Transactions.");
            }

            // The debit is done; the credit follows by choreography: 202, and the transaction's resource to follow it.
            return await Command(handler, errors, () => new Transfer(accountId, request.TransactionId!.Value, request.Amount!.Value, request.Currency!, request.ToAccountId!.Value), ct,
                receipt => TypedResults.Accepted($"/ledgers/{accountId}/transactions/{receipt.TransactionId}", receipt));
        });

        ledgers.MapGet("/", async Task<Results<Ok<LedgerSummary>, ProblemHttpResult>> (Guid accountId, LedgerStore store, AccountDirectory accounts, CancellationToken ct) =>
        {
            var ledger = await store.LoadAsync(accountId, ct);
            var account = await accounts.FindAsync(accountId, ct);
            return ledger.Version == 0 && account is null
                ? NotFound($"Account {accountId} is not known to Transactions.")
                : TypedResults.Ok(new LedgerSummary(accountId, ledger.Currency ?? account?.Currency, ledger.Balance, ledger.Version, ledger.Closed, ledger.TransfersUnderWay,
                    account is null ? null : new AccountCopyView(account.Status, account.Version)));
        });

        ledgers.MapGet("/history", async Task<Results<Ok<LedgerHistory>, ValidationProblem>> (Guid accountId, LedgerStore store, CancellationToken ct, long? before, int count = 50) =>
        {
            if (count is < 1 or > 500 || before < 1)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["count"] = ["count 1-500; before ≥ 1 (a version)."] });
            }

            var events = await store.HistoryAsync(accountId, before, count, ct);
            return TypedResults.Ok(new LedgerHistory(accountId, [.. events.Select(LedgerContracts.ToContract).Select(e => new LedgerHistoryItem(LedgerEventTypes.TypeOf(e), e))]));
        });

        // An incoming transfer is known by its transaction id and its source (?from=): transaction ids are unique per source.
        ledgers.MapGet("/transactions/{transactionId:guid}", async Task<Results<Ok<LedgerReceipt>, ProblemHttpResult>> (Guid accountId, Guid transactionId, LedgerStore store, CancellationToken ct, Guid? from) =>
        {
            var ledger = await store.LoadAsync(accountId, ct);
            return ledger.Entries.TryGetValue(from is { } source ? Ledger.IncomingKey(transactionId, source) : transactionId, out var entry)
                && LedgerContracts.ToContract(await store.ReadEventAsync(accountId, entry.Version, ct)) is LedgerEntryEvent recorded
                ? TypedResults.Ok(LedgerReceipt.Of(recorded))
                : NotFound($"Ledger {accountId} has no transaction {transactionId}.");
        });

        return app;
    }

    private static async Task<IResult> Command(
        LedgerCommandHandler handler, Dictionary<string, string[]> errors, Func<LedgerCommand> command, CancellationToken cancellationToken,
        Func<LedgerReceipt, IResult>? onDone = null)
    {
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return await handler.ExecuteAsync(command(), cancellationToken) switch
        {
            LedgerOutcome.Done done when LedgerContracts.ToContract(done.Recorded) is LedgerEntryEvent recorded => (onDone ?? TypedResults.Ok)(LedgerReceipt.Of(recorded)),
            LedgerOutcome.Refused { Kind: RefusalKind.NotFound } refused => NotFound(refused.Reason),
            LedgerOutcome.Refused { Kind: RefusalKind.Conflict } refused => TypedResults.Problem(refused.Reason, statusCode: 409, title: "Not allowed in the account's state"),
            LedgerOutcome.Refused refused => TypedResults.Problem(refused.Reason, statusCode: 422, title: "The request cannot apply to this account"),
            LedgerOutcome.Busy busy => TypedResults.Problem($"The ledger changed under {busy.Attempts} attempts in a row; retry with the same transaction id.",
                statusCode: 503, title: "The ledger is busy"),
            var other => throw new InvalidOperationException($"Unexpected outcome {other}."),
        };
    }

    private static ProblemHttpResult NotFound(string detail) => TypedResults.Problem(detail, statusCode: 404, title: "No such account");
}

/// <summary>A ledger's state as the API shows it, with the account as Transactions' copy knows it (and how current that is).</summary>
public sealed record LedgerSummary(Guid AccountId, string? Currency, decimal Balance, long Version, bool Closed, int TransfersUnderWay, AccountCopyView? Account);

public sealed record AccountCopyView(AccountStatus Status, long Version);

public sealed record LedgerHistory(Guid AccountId, IReadOnlyList<LedgerHistoryItem> Events);

/// <summary>One event of the ledger, with its CloudEvents type.</summary>
public sealed record LedgerHistoryItem(string Type, object Event);

/// <summary>What the ledger recorded for a transaction: the step (event type), the amount and the balance it left.</summary>
public sealed record LedgerReceipt(
    Guid TransactionId, Guid AccountId, string Type, decimal Amount, string Currency, decimal Balance, long Version, DateTimeOffset OccurredAt, Guid EventId)
{
    public static LedgerReceipt Of(LedgerEntryEvent e) =>
        new(e.TransactionId, e.AccountId, LedgerEventTypes.TypeOf(e), e.Amount, e.Currency, e.BalanceAfter, e.Version, e.OccurredAt, e.EventId);
}
