using System.Net;
using System.Text;
using EventDriven.Web.Services;

namespace EventDriven.Web.Tests;

/// <summary>How a service's answer (or its silence) reaches the pages: the three outcomes they show differently.</summary>
public sealed class ServiceClientTests
{
    private static readonly Guid AccountId = Guid.Parse("7d1f0c52-5a52-4e0c-9d0e-2f3a8a3a1b10");

    [Fact]
    public async Task A_service_that_does_not_answer_is_unavailable_not_an_error()
    {
        var ledger = new LedgerClient(Client(_ => throw new HttpRequestException("Connection refused")));

        var result = await ledger.GetAsync(AccountId, TestContext.Current.CancellationToken);

        Assert.Equal(new ApiResult<LedgerSummary>.Unavailable("Transactions"), result);
    }

    [Fact]
    public async Task A_server_error_is_unavailable_too()
    {
        var reactor = new ReactorClient(Client(_ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)));

        var result = await reactor.GetOverviewAsync(AccountId, TestContext.Current.CancellationToken);

        Assert.IsType<ApiResult<AccountOverview>.Unavailable>(result);
    }

    [Fact]
    public async Task Validation_problem_details_keep_the_field_each_error_names()
    {
        var ledger = new LedgerClient(Client(_ => Problem(HttpStatusCode.BadRequest,
            """{"title":"One or more validation errors occurred.","status":400,"errors":{"amount":["The amount must be positive."]}}""")));

        var result = await ledger.MoveAsync(AccountId, MoneyMovement.Deposit, new MoneyRequest(Guid.NewGuid(), -5m, "EUR"), TestContext.Current.CancellationToken);

        var refused = Assert.IsType<ApiResult<LedgerReceipt>.Refused>(result);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(["The amount must be positive."], refused.Errors["amount"]);
    }

    [Fact]
    public async Task A_refusal_without_fields_reads_as_its_detail()
    {
        var ledger = new LedgerClient(Client(_ => Problem(HttpStatusCode.UnprocessableEntity,
            """{"title":"Refused","status":422,"detail":"The balance is 10.00 EUR; 25.00 EUR cannot be withdrawn."}""")));

        var result = await ledger.MoveAsync(AccountId, MoneyMovement.Withdrawal, new MoneyRequest(Guid.NewGuid(), 25m, "EUR"), TestContext.Current.CancellationToken);

        var refused = Assert.IsType<ApiResult<LedgerReceipt>.Refused>(result);
        Assert.Empty(refused.Errors);
        Assert.Equal("The balance is 10.00 EUR; 25.00 EUR cannot be withdrawn.", refused.Sentence);
    }

    [Fact]
    public async Task Opening_an_account_sends_the_intents_idempotency_key()
    {
        var key = Guid.NewGuid();
        string? sent = null;
        var accounts = new AccountClient(Client(request =>
        {
            sent = request.Headers.GetValues("Idempotency-Key").Single();
            return Problem(HttpStatusCode.BadRequest, """{"errors":{"ownerName":["Required."]}}""");
        }));

        await accounts.OpenAsync(new OpenAccountRequest(null, null, null, null, "EUR"), key, TestContext.Current.CancellationToken);

        Assert.Equal(key.ToString(), sent);
    }

    private static HttpResponseMessage Problem(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/problem+json") };

    private static HttpClient Client(Func<HttpRequestMessage, HttpResponseMessage> answer) =>
        new(new Handler(answer)) { BaseAddress = new Uri("http://service") };

    private sealed class Handler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer(request));
    }
}
