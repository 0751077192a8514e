using System.Net.Http.Json;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Transactions;
using EventDriven.Reactor.Alerts;
using EventDriven.Reactor.ReadModels;
using EventDriven.Reactor.Styles;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.Tests;

namespace EventDriven.Reactor.Tests;

/// <summary>Alerts that freeze accounts in Account, the three event styles side by side, and the push channel.</summary>
[Collection(ReactorCollection.Name)]
public sealed class ChoreographyAndStyleTests(ReactorFixture service)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_large_withdrawal_raises_an_alert_and_Account_freezes_the_account()
    {
        var account = await service.OpenAccountAsync();
        var now = DateTimeOffset.UtcNow;
        var withdrawal = new MoneyWithdrawn(Guid.NewGuid(), account, 3, now, Guid.NewGuid(), 15_000m, "EUR", 5_000m);
        await service.PublishAsync(new LedgerOpened(Guid.NewGuid(), account, 1, now, "EUR"));
        await service.PublishAsync(new MoneyDeposited(Guid.NewGuid(), account, 2, now, Guid.NewGuid(), 20_000m, "EUR", 20_000m));
        await service.PublishAsync(withdrawal);

        await Poll.UntilAsync(async () => (await service.Account.GetFromJsonAsync<AccountSnapshot>($"/accounts/{account}", ContractJson.Options, Ct))!.Status == AccountStatus.Frozen,
            Patience, "Account to freeze the account");
        var alert = Assert.Single(await service.Kafka.ReadAsync(Topics.ReactorAlerts, account, 1));
        Assert.Equal(AlertRules.AlertId(withdrawal.EventId, AlertRules.LargeWithdrawal).ToString(), CloudEventHeaders.Read(alert.Headers, "ce_id"));
        // Reactor's overview learns of the freeze the way it learns everything: from accounts.state.
        await Poll.UntilAsync(async () => (await service.Client.GetFromJsonAsync<AccountOverview>($"/overview/{account}", ContractJson.Options, Ct))!.Status == AccountStatus.Frozen,
            Patience, "the overview to show the freeze");
    }

    [Fact]
    public async Task Withdrawals_adding_up_within_a_minute_raise_one_velocity_alert()
    {
        var account = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        await service.PublishAsync(new LedgerOpened(Guid.NewGuid(), account, 1, now, "EUR"));
        await service.PublishAsync(new MoneyDeposited(Guid.NewGuid(), account, 2, now, Guid.NewGuid(), 50_000m, "EUR", 50_000m));
        var balance = 50_000m;
        for (var i = 0; i < 5; i++)
        {
            balance -= 8_000m;
            await service.PublishAsync(new MoneyWithdrawn(Guid.NewGuid(), account, 3 + i, now.AddSeconds(i), Guid.NewGuid(), 8_000m, "EUR", balance));
        }

        // Every withdrawal has been evaluated once the overview shows the last one (alerts are raised before the commit).
        await Poll.UntilAsync(async () => await service.Client.GetFromJsonAsync<AccountOverview>($"/overview/{account}", ContractJson.Options, Ct) is { LedgerVersion: 7 },
            Patience, "all five withdrawals to be applied");
        var alerts = await service.Kafka.ReadExactlyAsync(Topics.ReactorAlerts, account, 1);
        var velocity = Assert.Single(alerts);
        Assert.Contains(AlertRules.Velocity, velocity.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_three_styles_reach_the_same_account_state_at_different_costs()
    {
        var before = await StylesAsync();
        var account = await service.OpenAccountAsync();
        using (await service.SendAccountAsync(HttpMethod.Put, $"/accounts/{account}/address", new { street = "12 Hanover Square", city = "London", postalCode = "W1S 1JJ", country = "GB" }))
        {
        }

        var after = await Poll.UntilAsync(async () =>
        {
            var figures = await StylesAsync();
            return figures.All(f => f.Changes - before.Single(b => b.Style == f.Style).Changes >= 2) ? figures : null;
        }, Patience, "both changes in all three styles");

        var delta = Diff(before, after);
        // Only notifications need calls to Account; each call moves the whole account again.
        Assert.Equal(0, delta[EventStyle.State].Calls);
        Assert.Equal(0, delta[EventStyle.Delta].Calls);
        Assert.InRange(delta[EventStyle.Notification].Calls, 1, 2);
        Assert.True(delta[EventStyle.State].Bytes > delta[EventStyle.Delta].Bytes, "Fat events carry more than deltas.");
        var fetched = await service.Client.GetFromJsonAsync<AccountOverview>($"/overview/{account}", ContractJson.Options, Ct);
        Assert.Equal("London", fetched!.City);
    }

    [Fact]
    public async Task The_push_channel_says_when_an_accounts_read_models_changed()
    {
        var account = Guid.NewGuid();
        using var stream = await service.Client.GetStreamAsync($"/changes?accountId={account}", Ct);
        using var reader = new StreamReader(stream);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(Patience);
        Assert.Equal("event: subscribed", await reader.ReadLineAsync(timeout.Token));

        await service.PublishAsync(new LedgerOpened(Guid.NewGuid(), account, 1, DateTimeOffset.UtcNow, "EUR"));

        var lines = new List<string>();
        while (!lines.Contains("event: account-changed") || !lines[^1].StartsWith("data:", StringComparison.Ordinal))
        {
            lines.Add(await reader.ReadLineAsync(timeout.Token) ?? "");
        }

        Assert.Contains(account.ToString(), lines[^1], StringComparison.Ordinal);
        Assert.Contains(LedgerEventTypes.Opened, lines[^1], StringComparison.Ordinal);
    }

    private async Task<IReadOnlyList<StyleFigures>> StylesAsync() =>
        (await service.Client.GetFromJsonAsync<IReadOnlyList<StyleFigures>>("/styles", ContractJson.Options, Ct))!;

    private static Dictionary<EventStyle, (long Calls, long Bytes)> Diff(IReadOnlyList<StyleFigures> before, IReadOnlyList<StyleFigures> after) =>
        after.ToDictionary(a => a.Style, a => (a.Calls - before.Single(b => b.Style == a.Style).Calls, a.Bytes - before.Single(b => b.Style == a.Style).Bytes));
}
