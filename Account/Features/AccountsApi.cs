using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EventDriven.Accounts.Domain;
using EventDriven.Accounts.Storage;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.ServiceDefaults.Authentication;
using EventDriven.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EventDriven.Accounts.Features;

/// <summary>
/// The Account HTTP API. Every command needs an <c>Idempotency-Key</c>; a change to an account may send
/// <c>If-Match: "version"</c>. The body and the headers are checked together before a handler runs (one 400 names
/// every problem); every refusal is a problem details response and writes nothing. Who may do what is
/// <see cref="AccountAccess"/>'s: a customer reaches their own accounts only (another's is "no such account"), an
/// operator every account and alone freezes and unfreezes; other services read with <c>account.read</c>.
/// </summary>
public static class AccountsApi
{
    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var accounts = app.MapGroup("/accounts").WithTags("Accounts");

        accounts.MapGet("/", ListAccounts).WithName(nameof(ListAccounts)).RequireAuthorization(ServicePolicies.Person)
            .WithSummary("Lists accounts a page at a time, optionally by status, owner and currency: a customer's own, or every account for an operator.");
        accounts.MapGet("/snapshot", ExportAccounts).WithName(nameof(ExportAccounts))
            .RequireAuthorization(ServicePolicies.OperatorOrService(ServiceScopes.AccountRead))
            .WithSummary("Exports every account with the WAL position it reflects: how a copy of account state is bootstrapped.");
        accounts.MapGet("/{id:guid}", GetAccount).WithName(nameof(GetAccount)).RequireAuthorization(AccountAccess.ReadOne)
            .WithSummary("Reads an account; its ETag is the version to send as If-Match.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        // Commands are people's: a customer on their own accounts, an operator on any; services only read.
        var commands = accounts.MapGroup("").RequireAuthorization(ServicePolicies.Person).RequireIdempotencyKey()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        commands.MapPost("/", OpenAccount).Validate<OpenAccountRequest>(AccountValidation.Validate).WithName(nameof(OpenAccount))
            .WithSummary("Opens an account.");

        var changes = commands.MapGroup("/{id:guid}")
            .AcceptIfMatch("The ETag of the account version the change is based on, such as \"3\".")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        changes.MapPut("/address", ChangeAddress).Validate<AddressRequest>(AccountValidation.Validate).WithName(nameof(ChangeAddress))
            .WithSummary("Moves the account to a new address.");
        changes.MapPut("/contact", ChangeContactDetails).Validate<ChangeContactDetailsRequest>(AccountValidation.Validate).WithName(nameof(ChangeContactDetails))
            .WithSummary("Changes the account's e-mail address and phone number.");
        changes.MapPost("/freeze", Freeze).Validate<ReasonRequest>(AccountValidation.Validate).WithName(nameof(Freeze))
            .RequireAuthorization(ServicePolicies.Operator)
            .WithSummary("Freezes the account: no money moves until it is unfrozen. Operators only.");
        changes.MapPost("/unfreeze", Unfreeze).Validate<ReasonRequest>(AccountValidation.Validate).WithName(nameof(Unfreeze))
            .RequireAuthorization(ServicePolicies.Operator)
            .WithSummary("Unfreezes a frozen account. Operators only.");
        changes.MapPost("/closure", RequestClosure).WithName(nameof(RequestClosure))
            .WithSummary("Asks to close the account; it closes once Transactions has settled its balance.");

        return app;
    }

    public static async Task<Results<Ok<AccountPage>, ValidationProblem>> ListAccounts(
        ClaimsPrincipal user, AccountStore store, AccountStatus? status, string? owner, string? currency, int page = 1, int pageSize = 50, CancellationToken cancellationToken = default)
    {
        if (page is < 1 or > 1_000_000 || pageSize is < 1 or > 500)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["page"] = ["page 1-1,000,000, pageSize 1-500."] });
        }

        var (items, total) = await store.ListAsync(status, owner, currency, AccountAccess.ConfinedTo(user), page, pageSize, cancellationToken);
        return TypedResults.Ok(new AccountPage([.. items.Select(a => a.ToSnapshot())], page, pageSize, total));
    }

    public static async Task<Ok<AccountsExport>> ExportAccounts(AccountStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ExportAsync(cancellationToken));

    public static async Task<Results<Ok<AccountSnapshot>, ProblemHttpResult>> GetAccount(Guid id, HttpContext http, AccountStore store, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(id, cancellationToken) is not { } account || !AccountAccess.MayRead(http.User, account))
        {
            return NoSuchAccount(id);
        }

        http.Response.Headers.ETag = ETag(account);
        return TypedResults.Ok(account.ToSnapshot());
    }

    public static async Task<Results<Created<AccountSnapshot>, ProblemHttpResult>> OpenAccount(
        OpenAccountRequest request, IdempotencyKey key, HttpContext http, AccountCommandHandler handler, CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7();
        // The opener owns the account, operator or not.
        var opener = ServicePolicies.SubjectOf(http.User);
        var command = new AccountCommand(id, Creates: true, key.Value, RequestHash(http, request), ExpectedVersion: null, Actor: opener);
        var outcome = await handler.ExecuteAsync(command, _ => AccountDecisions.Open(id, request.OwnerName!.Trim(),
            new ContactDetails(request.Email!, request.Phone), AccountValidation.ToAddress(request.Address!), request.Currency!, opener), cancellationToken);
        return outcome is CommandOutcome.Done done
            ? WithETag(http, done.Account, TypedResults.Created($"/accounts/{done.Account.Id}", done.Account.ToSnapshot()))
            : Refusal(outcome, command);
    }

    public static Task<Results<Ok<AccountSnapshot>, ProblemHttpResult>> ChangeAddress(Guid id, AddressRequest request,
        IdempotencyKey key, ExpectedVersion expected, HttpContext http, AccountCommandHandler handler, CancellationToken cancellationToken) =>
        ChangeAsync(http, handler, Command(http, id, key, expected, request), account => AccountDecisions.ChangeAddress(account, AccountValidation.ToAddress(request)), cancellationToken);

    public static Task<Results<Ok<AccountSnapshot>, ProblemHttpResult>> ChangeContactDetails(Guid id, ChangeContactDetailsRequest request,
        IdempotencyKey key, ExpectedVersion expected, HttpContext http, AccountCommandHandler handler, CancellationToken cancellationToken) =>
        ChangeAsync(http, handler, Command(http, id, key, expected, request),
            account => AccountDecisions.ChangeContactDetails(account, new ContactDetails(request.Email!, request.Phone)), cancellationToken);

    public static Task<Results<Ok<AccountSnapshot>, ProblemHttpResult>> Freeze(Guid id, ReasonRequest request,
        IdempotencyKey key, ExpectedVersion expected, HttpContext http, AccountCommandHandler handler, CancellationToken cancellationToken) =>
        ChangeAsync(http, handler, Command(http, id, key, expected, request), account => AccountDecisions.Freeze(account, request.Reason!.Trim()), cancellationToken);

    public static Task<Results<Ok<AccountSnapshot>, ProblemHttpResult>> Unfreeze(Guid id, ReasonRequest request,
        IdempotencyKey key, ExpectedVersion expected, HttpContext http, AccountCommandHandler handler, CancellationToken cancellationToken) =>
        ChangeAsync(http, handler, Command(http, id, key, expected, request), account => AccountDecisions.Unfreeze(account, request.Reason!.Trim()), cancellationToken);

    public static Task<Results<Ok<AccountSnapshot>, ProblemHttpResult>> RequestClosure(Guid id,
        IdempotencyKey key, ExpectedVersion expected, HttpContext http, AccountCommandHandler handler, CancellationToken cancellationToken) =>
        ChangeAsync(http, handler, Command(http, id, key, expected, new { }), AccountDecisions.RequestClosure, cancellationToken);

    /// <summary>A change to an existing account: 200 with the account as it is now, or the refusal.</summary>
    private static async Task<Results<Ok<AccountSnapshot>, ProblemHttpResult>> ChangeAsync(
        HttpContext http, AccountCommandHandler handler, AccountCommand command, Func<Account, Decision> decide, CancellationToken cancellationToken)
    {
        var outcome = await handler.ExecuteAsync(command, account => decide(account!), cancellationToken);
        return outcome is CommandOutcome.Done done
            ? WithETag(http, done.Account, TypedResults.Ok(done.Account.ToSnapshot()))
            : Refusal(outcome, command);
    }

    private static AccountCommand Command<TRequest>(HttpContext http, Guid accountId, IdempotencyKey key, ExpectedVersion expected, TRequest request) =>
        new(accountId, Creates: false, key.Value, RequestHash(http, request), expected.Version,
            Actor: ServicePolicies.SubjectOf(http.User), RequiredOwner: AccountAccess.ConfinedTo(http.User));

    private static ProblemHttpResult Refusal(CommandOutcome outcome, AccountCommand command) => outcome switch
    {
        CommandOutcome.NotFound => NoSuchAccount(command.AccountId),
        CommandOutcome.PreconditionFailed failed => Problem(StatusCodes.Status412PreconditionFailed, "The account has changed",
            $"If-Match named version {command.ExpectedVersion}; the account is at version {failed.CurrentVersion}. Read it again and retry."),
        CommandOutcome.Refused refused => Problem(StatusCodes.Status409Conflict, "Not allowed in the account's state", refused.Reason),
        CommandOutcome.KeyReused => Problem(StatusCodes.Status422UnprocessableEntity, "Idempotency key reused",
            "This Idempotency-Key was used for a different request; use a new key for a new request."),
        _ => throw new InvalidOperationException($"Unexpected outcome {outcome}."),
    };

    private static TResult WithETag<TResult>(HttpContext http, Account account, TResult result)
    {
        http.Response.Headers.ETag = ETag(account);
        return result;
    }

    private static string ETag(Account account) => $"\"{account.Version}\"";

    /// <summary>
    /// What makes two requests "the same" for an idempotency key: caller, method, path and body. The caller is part
    /// of it so that nobody replays another's key into their stored answer (an account they may not see).
    /// </summary>
    private static string RequestHash<TRequest>(HttpContext http, TRequest request) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{ServicePolicies.SubjectOf(http.User)} {http.Request.Method} {http.Request.Path}\n{JsonSerializer.Serialize(request, ContractJson.Options)}")));

    private static ProblemHttpResult NoSuchAccount(Guid id) => Problem(StatusCodes.Status404NotFound, "No such account", $"There is no account {id}.");

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title);
}

public sealed record AccountPage(IReadOnlyList<AccountSnapshot> Items, int Page, int PageSize, long Total);
