using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EventDriven.Accounts.Domain;
using EventDriven.Accounts.Storage;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EventDriven.Accounts.Features;

/// <summary>
/// The Account HTTP API. Every command needs an <c>Idempotency-Key</c> and may send <c>If-Match: "version"</c>;
/// every refusal is a problem details response and writes nothing.
/// </summary>
public static class AccountsApi
{
    private const string IdempotencyKeyHeader = "Idempotency-Key";

    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var accounts = app.MapGroup("/accounts").WithTags("Accounts");

        accounts.MapPost("/", (OpenAccountRequest request, HttpContext http, AccountCommandHandler handler, CancellationToken ct) =>
        {
            var id = Guid.CreateVersion7();
            return Command(http, handler, AccountValidation.Validate(request), id, request,
                _ => AccountDecisions.Open(id, request.OwnerName!.Trim(), new ContactDetails(request.Email!, request.Phone),
                    AccountValidation.ToAddress(request.Address!), request.Currency!), ct, creates: true);
        });

        accounts.MapPut("/{id:guid}/address", (Guid id, AddressRequest request, HttpContext http, AccountCommandHandler handler, CancellationToken ct) =>
            Command(http, handler, AccountValidation.Validate(request), id, request,
                account => AccountDecisions.ChangeAddress(account!, AccountValidation.ToAddress(request)), ct));

        accounts.MapPut("/{id:guid}/contact", (Guid id, ChangeContactDetailsRequest request, HttpContext http, AccountCommandHandler handler, CancellationToken ct) =>
            Command(http, handler, AccountValidation.Validate(request), id, request,
                account => AccountDecisions.ChangeContactDetails(account!, new ContactDetails(request.Email!, request.Phone)), ct));

        accounts.MapPost("/{id:guid}/freeze", (Guid id, ReasonRequest request, HttpContext http, AccountCommandHandler handler, CancellationToken ct) =>
            Command(http, handler, AccountValidation.Validate(request), id, request, account => AccountDecisions.Freeze(account!, request.Reason!.Trim()), ct));

        accounts.MapPost("/{id:guid}/unfreeze", (Guid id, ReasonRequest request, HttpContext http, AccountCommandHandler handler, CancellationToken ct) =>
            Command(http, handler, AccountValidation.Validate(request), id, request, account => AccountDecisions.Unfreeze(account!, request.Reason!.Trim()), ct));

        accounts.MapPost("/{id:guid}/closure", (Guid id, HttpContext http, AccountCommandHandler handler, CancellationToken ct) =>
            Command(http, handler, [], id, new { }, account => AccountDecisions.RequestClosure(account!), ct));

        accounts.MapGet("/{id:guid}", async Task<Results<Ok<AccountSnapshot>, ProblemHttpResult>> (Guid id, HttpContext http, AccountStore store, CancellationToken ct) =>
        {
            if (await store.GetAsync(id, ct) is not { } account)
            {
                return NoSuchAccount(id);
            }

            http.Response.Headers.ETag = ETag(account);
            return TypedResults.Ok(account.ToSnapshot());
        });

        accounts.MapGet("/", async Task<Results<Ok<AccountPage>, ValidationProblem>> (AccountStore store, CancellationToken ct, AccountStatus? status, string? owner, string? currency, int page = 1, int pageSize = 50) =>
        {
            if (page is < 1 or > 1_000_000 || pageSize is < 1 or > 500)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["page"] = ["page 1-1,000,000, pageSize 1-500."] });
            }

            var (items, total) = await store.ListAsync(status, owner, currency, page, pageSize, ct);
            return TypedResults.Ok(new AccountPage([.. items.Select(a => a.ToSnapshot())], page, pageSize, total));
        });

        accounts.MapGet("/snapshot", async (AccountStore store, CancellationToken ct) => TypedResults.Ok(await store.ExportAsync(ct)));

        return app;
    }

    private static async Task<IResult> Command<TRequest>(
        HttpContext http, AccountCommandHandler handler, Dictionary<string, string[]> errors, Guid accountId, TRequest request,
        Func<Account?, Decision> decide, CancellationToken cancellationToken, bool creates = false)
    {
        var key = http.Request.Headers[IdempotencyKeyHeader].ToString();
        if (key.Length is 0 or > 200)
        {
            errors[IdempotencyKeyHeader] = ["Every command needs an Idempotency-Key header (1-200 characters), the same on every retry."];
        }

        long? expectedVersion = null;
        if (http.Request.Headers.IfMatch.ToString() is { Length: > 0 } ifMatch)
        {
            if (long.TryParse(ifMatch.Replace("W/", "", StringComparison.Ordinal).Trim('"'), out var version))
            {
                expectedVersion = version;
            }
            else
            {
                errors["If-Match"] = ["The ETag of the account version the change is based on, such as \"3\"."];
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var command = new AccountCommand(accountId, creates, key, RequestHash(http, request), expectedVersion);
        return await handler.ExecuteAsync(command, decide, cancellationToken) switch
        {
            CommandOutcome.Done { Created: true } done => WithETag(http, done.Account, TypedResults.Created($"/accounts/{done.Account.Id}", done.Account.ToSnapshot())),
            CommandOutcome.Done done => WithETag(http, done.Account, TypedResults.Ok(done.Account.ToSnapshot())),
            CommandOutcome.NotFound => NoSuchAccount(accountId),
            CommandOutcome.PreconditionFailed failed => Problem(412, "The account has changed",
                $"If-Match named version {expectedVersion}; the account is at version {failed.CurrentVersion}. Read it again and retry."),
            CommandOutcome.Refused refused => Problem(409, "Not allowed in the account's state", refused.Reason),
            CommandOutcome.KeyReused => Problem(422, "Idempotency key reused",
                "This Idempotency-Key was used for a different request; use a new key for a new request."),
            var other => throw new InvalidOperationException($"Unexpected outcome {other}."),
        };
    }

    private static IResult WithETag(HttpContext http, Account account, IResult result)
    {
        http.Response.Headers.ETag = ETag(account);
        return result;
    }

    private static string ETag(Account account) => $"\"{account.Version}\"";

    /// <summary>What makes two requests "the same" for an idempotency key: method, path and body.</summary>
    private static string RequestHash<TRequest>(HttpContext http, TRequest request) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{http.Request.Method} {http.Request.Path}\n{JsonSerializer.Serialize(request, ContractJson.Options)}")));

    private static ProblemHttpResult NoSuchAccount(Guid id) => Problem(404, "No such account", $"There is no account {id}.");

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title);
}

public sealed record AccountPage(IReadOnlyList<AccountSnapshot> Items, int Page, int PageSize, long Total);
