using System.Net.Http.Json;
using EventDriven.Web.Authentication;

namespace EventDriven.Web.Services;

/// <summary>Transactions' API (https+http://transactions): a ledger's summary, deposits, withdrawals and transfers.</summary>
public sealed class LedgerClient(HttpClient http, SignedInPerson? person = null) : ConsumingServiceClient(http, Service, person)
{
    public const string Service = "Transactions";

    /// <summary>How far the publisher's checkpoint is behind the end of the event store.</summary>
    public Task<ApiResult<PublisherStatus>> GetPublisherStatusAsync(CancellationToken cancellationToken) =>
        SendAsync<PublisherStatus>(ct => Http.GetAsync("/status/publisher", ct), cancellationToken);

    public Task<ApiResult<LedgerSummary>> GetAsync(Guid accountId, CancellationToken cancellationToken) =>
        SendAsync<LedgerSummary>(ct => Http.GetAsync($"/ledgers/{accountId}", ct), cancellationToken);

    /// <summary>The request's transaction id is the intent: a retry with the same id moves the money once.</summary>
    public Task<ApiResult<LedgerReceipt>> MoveAsync(Guid accountId, MoneyMovement movement, MoneyRequest request, CancellationToken cancellationToken) =>
        SendAsync<LedgerReceipt>(ct => Http.PostAsJsonAsync(
            $"/ledgers/{accountId}/{(movement == MoneyMovement.Deposit ? "deposits" : "withdrawals")}", request, ct), cancellationToken);

    /// <summary>Starts a transfer (202): the debit is done; the credit, or the decline and refund, follow through Kafka.</summary>
    public Task<ApiResult<LedgerReceipt>> TransferAsync(Guid accountId, TransferRequest request, CancellationToken cancellationToken) =>
        SendAsync<LedgerReceipt>(ct => Http.PostAsJsonAsync($"/ledgers/{accountId}/transfers", request, ct), cancellationToken);
}

public enum MoneyMovement
{
    Deposit,
    Withdrawal,
}
