using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Transactions;
using EventDriven.Reactor.Alerts;
using EventDriven.Reactor.Api;
using EventDriven.Reactor.Pipeline;
using EventDriven.Reactor.ReadModels;
using EventDriven.Reactor.Styles;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.Tests;
using Npgsql;

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
        // A Reactor of its own, so that its figures count this account's changes and nothing earlier tests left behind.
        await using var reactor = await service.StartReactorFromNowAsync();
        var account = await service.OpenAccountAsync();
        await service.ChangeAccountAsync(HttpMethod.Put, $"/accounts/{account}/address", new { street = "12 Hanover Square", city = "London", postalCode = "W1S 1JJ", country = "GB" });
        await service.ChangeAccountAsync(HttpMethod.Post, $"/accounts/{account}/freeze", new { reason = "Lost card" });
        await service.ChangeAccountAsync(HttpMethod.Post, $"/accounts/{account}/unfreeze", new { reason = "Card found" });

        var copies = await CopiesAsync(reactor.Client, account, version: 4);
        // Every style ends with the same fields: the address patched in by a delta, the freeze reason gone again.
        Assert.All(copies, copy => Assert.Equal(copies[0].Fields, copy.Fields));
        Assert.Equal(("Ada Lovelace", "London", "open"), (copies[0].Fields["ownerName"], copies[0].Fields["address.city"], copies[0].Fields["status"]));
        Assert.DoesNotContain("freezeReason", copies[0].Fields.Keys);

        // A copy can show a change a moment before the change is counted.
        var figures = (await Poll.UntilAsync(async () => await StylesAsync(reactor.Client) is var all && all.All(f => f.Changes >= 4) ? all : null,
            Patience, "every style to count four changes")).ToDictionary(f => f.Style);
        Assert.All(figures.Values, f => Assert.Equal(4, f.Changes));
        // Only notifications need calls to Account (at most one per change); each call moves the whole account again.
        Assert.Equal(0, figures[EventStyle.State].Calls);
        Assert.Equal(0, figures[EventStyle.Delta].Calls);
        Assert.InRange(figures[EventStyle.Notification].Calls, 1, 4);
        Assert.True(figures[EventStyle.State].Bytes > figures[EventStyle.Delta].Bytes, "Fat events carry more than deltas.");
        var fetched = await reactor.Client.GetFromJsonAsync<AccountOverview>($"/overview/{account}", ContractJson.Options, Ct);
        Assert.Equal("London", fetched!.City);
    }

    [Fact]
    public async Task A_delta_after_a_gap_is_not_patched_in_the_account_is_fetched_whole()
    {
        var account = await service.OpenAccountAsync();
        await service.ChangeAccountAsync(HttpMethod.Put, $"/accounts/{account}/address", new { street = "12 Hanover Square", city = "London", postalCode = "W1S 1JJ", country = "GB" });
        await CopiesAsync(service.Client, account, version: 2);

        // A second Reactor that starts reading after versions 1 and 2 (as if the topics had lost them): the first delta
        // it sees, version 3, names only the contact details, and patching it in would leave the address out.
        await using var late = await service.StartReactorFromNowAsync();
        await service.ChangeAccountAsync(HttpMethod.Put, $"/accounts/{account}/contact", new { email = "ada@example.org", phone = "+442079460000" });

        var copies = await CopiesAsync(late.Client, account, version: 3);
        Assert.All(copies, copy => Assert.Equal(copies.Single(c => c.Style == EventStyle.State).Fields, copy.Fields));
        Assert.Equal(("London", "+442079460000"), (copies[0].Fields["address.city"], copies[0].Fields["phone"]));
        Assert.True(Assert.Single(await StylesAsync(late.Client), s => s.Style == EventStyle.Delta).Calls >= 1, "The delta consumer fetched the account.");
    }

    /// <summary>
    /// PostgreSQL may hand a committed change to the relay (and so to Kafka and Reactor) a moment before Account's API
    /// shows it. Imitated here: a notification of version 2 while Account still answers version 1, then version 2
    /// made visible with no message of its own. The notification style must wait for it, not keep version 1 for good.
    /// </summary>
    [Fact]
    public async Task A_notification_is_applied_only_once_Account_shows_the_change_it_announces()
    {
        var account = await service.OpenAccountAsync();
        await CopiesAsync(service.Client, account, version: 1);
        var fetched = new TaskCompletionSource();
        using var listener = OnAccountRead(account, fetched);

        await PublishNotificationAsync(account, version: 2, DateTimeOffset.UtcNow);
        await fetched.Task.WaitAsync(Patience, Ct);
        await using (var connection = new NpgsqlConnection(service.AccountDatabase))
        {
            await connection.OpenAsync(Ct);
            await using var change = new NpgsqlCommand("""
                UPDATE accounts SET version = 2, state = jsonb_set(jsonb_set(state, '{version}', '2'), '{ownerName}', '"Ada King"') WHERE id = $1
                """, connection) { Parameters = { new() { Value = account } } };
            Assert.Equal(1, await change.ExecuteNonQueryAsync(Ct));
        }

        var copy = await Poll.UntilAsync(async () => (await service.Client.GetFromJsonAsync<IReadOnlyList<AccountCopy>>($"/styles/{account}", ContractJson.Options, Ct))!
            .SingleOrDefault(c => c.Style == EventStyle.Notification && c.Version == 2), Patience, "the notification style's copy at version 2");
        Assert.Equal("Ada King", copy.Fields["ownerName"]);
    }

    /// <summary>A notification of an account Account never shows, long after it was written, can never apply: parked, not skipped.</summary>
    [Fact]
    public async Task A_notification_of_an_account_Account_does_not_know_is_parked()
    {
        var account = Guid.NewGuid();
        await PublishNotificationAsync(account, version: 1, DateTimeOffset.UtcNow - StyleHandlers.UnreadableFor - TimeSpan.FromMinutes(1));

        var letter = await Poll.UntilAsync(async () => (await service.Client.GetFromJsonAsync<IReadOnlyList<DeadLetter>>("/dead-letters", ContractJson.Options, Ct))!
            .SingleOrDefault(d => d.Key == account.ToString()), Patience, "the notification parked");
        Assert.Equal(Topics.AccountNotifications, letter.SourceTopic);
        Assert.Contains("Account answered 404", letter.Error, StringComparison.Ordinal);
    }

    private Task PublishNotificationAsync(Guid account, long version, DateTimeOffset at)
    {
        var notification = new AccountNotification(Guid.NewGuid(), account, version, at, AccountEventTypes.AddressChanged);
        return service.PublishRawAsync(Topics.AccountNotifications, account, notification.Type,
            JsonSerializer.SerializeToUtf8Bytes(notification, ContractJson.Options), notification.EventId);
    }

    /// <summary>Completes <paramref name="read"/> once a call in this process has read the account from Account's API.</summary>
    private static ActivityListener OnAccountRead(Guid account, TaskCompletionSource read)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("url.full") is string url && url.EndsWith($"/accounts/{account}", StringComparison.Ordinal)
                    && activity.GetTagItem("http.response.status_code") is 200)
                {
                    read.TrySetResult();
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    [Fact]
    public async Task The_push_channel_says_what_was_applied_where_Kafka_delivered_it_and_how_late()
    {
        var account = Guid.NewGuid();
        await using var changes = await ChangeStream.OpenAsync(service.Client, account, Patience);

        var before = DateTimeOffset.UtcNow;
        var opened = new LedgerOpened(Guid.NewGuid(), account, 1, DateTimeOffset.UtcNow, "EUR");
        await service.PublishAsync(opened);

        var change = await changes.NextAsync();
        Assert.Equal((account, LedgerEventTypes.Opened, LedgerEventTypes.Opened, opened.EventId, 1L), (change.AccountId, change.Cause, change.EventType, change.EventId, change.LedgerVersion));
        Assert.Equal(Topics.TransactionEvents, change.Topic);
        Assert.True(change.Partition >= 0 && change.Offset >= 0, $"partition {change.Partition}, offset {change.Offset}");
        // Kafka's timestamp is the producer's create time: after this test started publishing, before the change was applied.
        Assert.InRange(change.PublishedAt!.Value, before.AddMilliseconds(-1), change.At);
        Assert.Equal(Math.Round((change.At - change.PublishedAt.Value).TotalMilliseconds), change.LagMilliseconds);
    }

    [Fact]
    public async Task Each_styles_copy_that_changes_is_pushed_with_its_style_as_the_cause()
    {
        var account = await service.OpenAccountAsync();
        await CopiesAsync(service.Client, account, version: 1);
        await using var changes = await ChangeStream.OpenAsync(service.Client, account, Patience);

        await service.ChangeAccountAsync(HttpMethod.Put, $"/accounts/{account}/address", new { street = "12 Hanover Square", city = "London", postalCode = "W1S 1JJ", country = "GB" });

        var styles = new Dictionary<string, AccountChanged>();
        while (styles.Count < 3)
        {
            var change = await changes.NextAsync();
            if (change.Cause.StartsWith("style:", StringComparison.Ordinal))
            {
                styles[change.Cause] = change;
            }
        }

        Assert.Equal(["style:delta", "style:notification", "style:state"], styles.Keys.Order(StringComparer.Ordinal));
        Assert.All(styles.Values, change => Assert.Equal((2L, AccountEventTypes.AddressChanged), (change.AccountVersion, change.EventType)));
        Assert.Equal(Topics.AccountNotifications, styles["style:notification"].Topic);
        Assert.Equal(Topics.AccountDeltas, styles["style:delta"].Topic);
        Assert.Equal(Topics.AccountState, styles["style:state"].Topic);
        // One account event, three copies of it on three topics: the same event id in each.
        Assert.Single(styles.Values.Select(change => change.EventId).Distinct());
    }

    private static async Task<IReadOnlyList<StyleFigures>> StylesAsync(HttpClient reactor) =>
        (await reactor.GetFromJsonAsync<IReadOnlyList<StyleFigures>>("/styles", ContractJson.Options, Ct))!;

    /// <summary>The three styles' copies of the account, once each reflects <paramref name="version"/>.</summary>
    private static Task<IReadOnlyList<AccountCopy>> CopiesAsync(HttpClient reactor, Guid account, long version) =>
        Poll.UntilAsync(async () =>
        {
            using var response = await reactor.GetAsync(new Uri($"/styles/{account}", UriKind.Relative), Ct);
            var copies = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<IReadOnlyList<AccountCopy>>(ContractJson.Options, Ct) : null;
            return copies is { Count: 3 } && copies.All(c => c.Version == version) ? copies : null;
        }, Patience, $"all three copies of the account at version {version}");
}
