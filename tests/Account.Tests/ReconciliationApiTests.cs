using System.Net;
using System.Net.Http.Json;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Reconciliation;
using EventDriven.Tests;

namespace EventDriven.Accounts.Tests;

/// <summary>What reconciliation reads of Account: every account, whole, in id order, a page after an id at a time.</summary>
[Collection(AccountServiceCollection.Name)]
public sealed class ReconciliationApiTests(AccountServiceFixture service)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pages_of_accounts_in_id_order_hold_every_account_once_and_whole()
    {
        var opened = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            opened.Add(await service.Client.OpenAccountAsync("EUR", Ct, ownerName: $"Reconciled Owner {i}"));
        }

        // Read as reconciliation reads it: Reactor's own token with account.read.
        using var reactor = service.ServiceClient("reactor", "account.read");
        var pages = new List<AccountSnapshotPage>();
        Guid? after = null;
        do
        {
            var page = (await reactor.GetFromJsonAsync<AccountSnapshotPage>(
                $"/reconciliation/accounts?count=2{(after is { } a ? $"&after={a}" : "")}", ContractJson.Options, Ct))!;
            Assert.InRange(page.Items.Count, 0, 2);
            // A full page names the next one's start; a short one is the last.
            Assert.Equal(page.Items.Count == 2 ? page.Items[^1].AccountId : null, page.Next);
            pages.Add(page);
            after = page.Next;
        }
        while (after is not null);

        var all = pages.SelectMany(p => p.Items).ToList();
        Assert.Equal(all.Select(a => a.AccountId).Order(), all.Select(a => a.AccountId));
        Assert.Equal(all.Count, all.Select(a => a.AccountId).Distinct().Count());
        foreach (var id in opened)
        {
            var listed = Assert.Single(all, a => a.AccountId == id);
            var read = await service.Client.GetFromJsonAsync<AccountSnapshot>($"/accounts/{id}", ContractJson.Options, Ct);
            Assert.Equal(read, listed);
        }
    }

    [Theory]
    [InlineData("count=0")]
    [InlineData("count=1001")]
    [InlineData("after=not-a-guid")]
    public async Task A_bad_page_is_a_400_problem(string query)
    {
        using var response = await service.Operator.GetAsync($"/reconciliation/accounts?{query}", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
