using System.Net;
using System.Net.Http.Json;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;

namespace EventDriven.Transactions.AccountCopy;

/// <summary>Account's HTTP API as Transactions uses it: the bulk export, and one account by id (found by service discovery).</summary>
public sealed class AccountApiClient(HttpClient http)
{
    public async Task<AccountsExport> ExportAsync(CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<AccountsExport>("/accounts/snapshot", ContractJson.Options, cancellationToken)
        ?? throw new InvalidOperationException("Account's export was empty.");

    /// <summary>The account, or null when Account does not know it.</summary>
    public async Task<AccountSnapshot?> GetAsync(Guid accountId, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri($"/accounts/{accountId}", UriKind.Relative), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<AccountSnapshot>(ContractJson.Options, cancellationToken);
    }
}
