using System.Security.Claims;
using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Transactions;
using EventDriven.ServiceDefaults.Authentication;
using EventDriven.Transactions.AccountCopy;
using EventDriven.Transactions.Domain;
using EventDriven.Transactions.Publishing;
using EventDriven.Transactions.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EventDriven.Transactions.Features;

/// <summary>
/// The Transactions HTTP API. Every command carries a transaction id: a repeat returns what the ledger recorded for it
/// and appends nothing. Every refusal is a problem details response and appends nothing. Only a signed-in person calls
/// it, and uses only ledgers <see cref="LedgerAccess"/> allows them (an operator every one); each command's events
/// record the caller's subject as their actor.
/// </summary>
public static class LedgerApi
{
    public static IEndpointRouteBuilder MapLedgerApi(this IEndpointRouteBuilder app)
    {
        var ledgers = app.MapGroup("/ledgers/{accountId:guid}").WithTags("Ledgers").RequireAuthorization(ServicePolicies.Person);

        var commands = ledgers.MapGroup("")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        commands.MapPost("/deposits", DepositMoney).WithName(nameof(DepositMoney))
            .WithSummary("Deposits money; a repeat with the same transaction id returns the first receipt.");
        commands.MapPost("/withdrawals", WithdrawMoney).WithName(nameof(WithdrawMoney))
            .WithSummary("Withdraws money, never beyond the balance; a repeat with the same transaction id returns the first receipt.");
        commands.MapPost("/transfers", TransferMoney).WithName(nameof(TransferMoney))
            .WithSummary("Debits this account now; the other account is credited (or this one refunded) by choreography.");

        ledgers.MapGet("/", GetLedger).WithName(nameof(GetLedger))
            .WithSummary("The ledger's balance and version, with the account as Transactions' copy knows it.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        ledgers.MapGet("/history", GetHistory).WithName(nameof(GetHistory))
            .WithSummary("The ledger's events, newest first, a page at a time (before a version).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        ledgers.MapGet("/transactions/{transactionId:guid}", GetTransaction).WithName(nameof(GetTransaction))
            .WithSummary("What the ledger recorded for a transaction; an incoming transfer is named by its source too (?from=).")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    public static Task<Results<Ok<LedgerReceipt>, ValidationProblem, ProblemHttpResult>> DepositMoney(
        Guid accountId, MoneyRequest request, ClaimsPrincipal user, LedgerCommandHandler handler, AccountDirectory accounts, CancellationToken cancellationToken) =>
        MoveMoneyAsync(accountId, request, () => new Deposit(accountId, request.TransactionId!.Value, request.Amount!.Value, request.Currency!),
            user, handler, accounts, cancellationToken);

    public static Task<Results<Ok<LedgerReceipt>, ValidationProblem, ProblemHttpResult>> WithdrawMoney(
        Guid accountId, MoneyRequest request, ClaimsPrincipal user, LedgerCommandHandler handler, AccountDirectory accounts, CancellationToken cancellationToken) =>
        MoveMoneyAsync(accountId, request, () => new Withdraw(accountId, request.TransactionId!.Value, request.Amount!.Value, request.Currency!),
            user, handler, accounts, cancellationToken);

    /// <summary>
    /// A deposit or a withdrawal: the request checked, the caller's right to the ledger, then the command, which is
    /// built only from a valid request.
    /// </summary>
    private static async Task<Results<Ok<LedgerReceipt>, ValidationProblem, ProblemHttpResult>> MoveMoneyAsync(
        Guid accountId, MoneyRequest request, Func<LedgerCommand> command, ClaimsPrincipal user, LedgerCommandHandler handler, AccountDirectory accounts,
        CancellationToken cancellationToken)
    {
        if (LedgerValidation.Validate(request) is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (!await LedgerAccess.MayUseAsync(user, accountId, accounts, cancellationToken))
        {
            return UnknownAccount(accountId);
        }

        var outcome = await handler.ExecuteAsync(command(), ServicePolicies.SubjectOf(user), cancellationToken);
        return Recorded(outcome) is { } receipt ? TypedResults.Ok(receipt) : Refusal(outcome);
    }

    /// <summary>
    /// The debit is done; the credit follows by choreography: 202, and the transaction's resource to follow it. The
    /// source must be the caller's (or the caller an operator); the target may be anyone's, and is only said to exist.
    /// </summary>
    public static async Task<Results<Accepted<LedgerReceipt>, ValidationProblem, ProblemHttpResult>> TransferMoney(
        Guid accountId, TransferRequest request, ClaimsPrincipal user, LedgerCommandHandler handler, AccountDirectory accounts, CancellationToken cancellationToken)
    {
        if (LedgerValidation.Validate(accountId, request) is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (!await LedgerAccess.MayUseAsync(user, accountId, accounts, cancellationToken))
        {
            return UnknownAccount(accountId);
        }

        if (await accounts.FindAsync(request.ToAccountId!.Value, cancellationToken) is null)
        {
            return UnknownAccount(request.ToAccountId.Value);
        }

        var outcome = await handler.ExecuteAsync(
            new Transfer(accountId, request.TransactionId!.Value, request.Amount!.Value, request.Currency!, request.ToAccountId!.Value),
            ServicePolicies.SubjectOf(user), cancellationToken);
        return Recorded(outcome) is { } receipt
            ? TypedResults.Accepted($"/ledgers/{accountId}/transactions/{receipt.TransactionId}", receipt)
            : Refusal(outcome);
    }

    public static async Task<Results<Ok<LedgerSummary>, ProblemHttpResult>> GetLedger(
        Guid accountId, ClaimsPrincipal user, LedgerStore store, AccountDirectory accounts, CancellationToken cancellationToken)
    {
        if (!await LedgerAccess.MayUseAsync(user, accountId, accounts, cancellationToken))
        {
            return UnknownAccount(accountId);
        }

        var ledger = await store.LoadAsync(accountId, cancellationToken);
        var account = await accounts.FindAsync(accountId, cancellationToken);
        return ledger.Version == 0 && account is null
            ? UnknownAccount(accountId)
            : TypedResults.Ok(new LedgerSummary(accountId, ledger.Currency ?? account?.Currency, ledger.Balance, ledger.Version, ledger.Closed, ledger.TransfersUnderWay,
                account is null ? null : new AccountCopyView(account.Status, account.Version)));
    }

    public static async Task<Results<Ok<LedgerHistory>, ValidationProblem, ProblemHttpResult>> GetHistory(
        Guid accountId, ClaimsPrincipal user, LedgerStore store, AccountDirectory accounts, long? before, int count = 50, CancellationToken cancellationToken = default)
    {
        if (count is < 1 or > 500 || before < 1)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["count"] = ["count 1-500; before ≥ 1 (a version)."] });
        }

        if (!await LedgerAccess.MayUseAsync(user, accountId, accounts, cancellationToken))
        {
            return UnknownAccount(accountId);
        }

        var events = await store.HistoryAsync(accountId, before, count, cancellationToken);
        return TypedResults.Ok(new LedgerHistory(accountId, [.. events.Select(LedgerContracts.ToContract).Select(e => new LedgerHistoryItem(LedgerEventTypes.TypeOf(e), e))]));
    }

    /// <summary>An incoming transfer is known by its transaction id and its source (?from=): transaction ids are unique per source.</summary>
    public static async Task<Results<Ok<LedgerReceipt>, ProblemHttpResult>> GetTransaction(
        Guid accountId, Guid transactionId, ClaimsPrincipal user, LedgerStore store, AccountDirectory accounts, Guid? from, CancellationToken cancellationToken)
    {
        if (!await LedgerAccess.MayUseAsync(user, accountId, accounts, cancellationToken))
        {
            return UnknownAccount(accountId);
        }

        var ledger = await store.LoadAsync(accountId, cancellationToken);
        return ledger.Entries.TryGetValue(from is { } source ? Ledger.IncomingKey(transactionId, source) : transactionId, out var entry)
            && LedgerContracts.ToContract(await store.ReadEventAsync(accountId, entry.Version, cancellationToken)) is LedgerEntryEvent recorded
            ? TypedResults.Ok(LedgerReceipt.Of(recorded))
            : NotFound($"Ledger {accountId} has no transaction {transactionId}.");
    }

    /// <summary>The receipt for what the ledger recorded (now or under the same transaction id before), or null if it refused.</summary>
    private static LedgerReceipt? Recorded(LedgerOutcome outcome) =>
        outcome is LedgerOutcome.Done done && LedgerContracts.ToContract(done.Recorded) is LedgerEntryEvent recorded ? LedgerReceipt.Of(recorded) : null;

    private static ProblemHttpResult Refusal(LedgerOutcome outcome) => outcome switch
    {
        LedgerOutcome.Refused { Kind: RefusalKind.NotFound } refused => NotFound(refused.Reason),
        LedgerOutcome.Refused { Kind: RefusalKind.Conflict } refused => TypedResults.Problem(refused.Reason, statusCode: StatusCodes.Status409Conflict, title: "Not allowed in the account's state"),
        LedgerOutcome.Refused refused => TypedResults.Problem(refused.Reason, statusCode: StatusCodes.Status422UnprocessableEntity, title: "The request cannot apply to this account"),
        LedgerOutcome.Busy busy => TypedResults.Problem($"The ledger changed under {busy.Attempts} attempts in a row; retry with the same transaction id.",
            statusCode: StatusCodes.Status503ServiceUnavailable, title: "The ledger is busy"),
        _ => throw new InvalidOperationException($"Unexpected outcome {outcome}."),
    };

    /// <summary>An account Transactions does not know, or one the caller may not use: the same answer, so ids cannot be probed.</summary>
    private static ProblemHttpResult UnknownAccount(Guid accountId) => NotFound($"Account {accountId} is not known to Transactions.");

    private static ProblemHttpResult NotFound(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "No such account");
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
