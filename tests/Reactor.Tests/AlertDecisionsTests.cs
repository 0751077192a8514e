using EventDriven.Contracts.Reactor;
using EventDriven.Contracts.Transactions;
using EventDriven.Reactor.Alerts;

namespace EventDriven.Reactor.Tests;

/// <summary>The alert rules as specifications: given an account's movements, when a ledger event, then the alerts it raises.</summary>
public sealed class AlertDecisionsTests
{
    private static readonly Guid Id = Guid.NewGuid();
    private static readonly Guid Other = Guid.NewGuid();
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly AlertOptions Options = new() { SingleLimit = 10_000m, WindowLimit = 20_000m, Window = TimeSpan.FromMinutes(1) };

    [Fact]
    public void A_withdrawal_above_the_single_limit_raises_a_large_withdrawal_alert()
    {
        var withdrawal = Withdrawn(3, 10_001m, T0);

        var alert = Assert.Single(Decide(AlertWindow.Empty, withdrawal).Alerts);

        Assert.Equal(new AlertRaised(AlertDecisions.AlertId(withdrawal.EventId, AlertDecisions.LargeWithdrawal), Id, AlertDecisions.LargeWithdrawal,
            "10001 EUR out in one movement (limit 10000).", T0), alert);
    }

    [Fact]
    public void An_outgoing_transfer_above_the_single_limit_raises_the_same_alert()
    {
        var transfer = Debited(3, 10_001m, T0);

        var alert = Assert.Single(Decide(AlertWindow.Empty, transfer).Alerts);

        Assert.Equal((AlertDecisions.AlertId(transfer.EventId, AlertDecisions.LargeWithdrawal), AlertDecisions.LargeWithdrawal), (alert.EventId, alert.Rule));
    }

    [Fact]
    public void A_movement_of_exactly_the_single_limit_raises_nothing_and_a_cent_more_does()
    {
        Assert.Empty(Decide(AlertWindow.Empty, Withdrawn(3, 10_000m, T0)).Alerts);
        Assert.Equal(AlertDecisions.LargeWithdrawal, Assert.Single(Decide(AlertWindow.Empty, Withdrawn(3, 10_000.01m, T0)).Alerts).Rule);
    }

    [Fact]
    public void Movements_out_adding_up_above_the_window_limit_raise_one_velocity_alert_by_the_one_that_crosses()
    {
        LedgerEntryEvent[] movements = [Withdrawn(3, 8_000m, T0), Withdrawn(4, 8_000m, T0.AddSeconds(1)), Withdrawn(5, 8_000m, T0.AddSeconds(2)), Withdrawn(6, 8_000m, T0.AddSeconds(3))];

        var raised = Run(AlertWindow.Empty, movements);

        Assert.Equal([[], [], [new AlertRaised(AlertDecisions.AlertId(movements[2].EventId, AlertDecisions.Velocity), Id, AlertDecisions.Velocity,
            "24000 EUR out within 60 s (limit 20000).", T0.AddSeconds(2))], []], raised);
    }

    [Fact]
    public void Reaching_the_window_limit_exactly_raises_nothing_and_the_next_cent_does()
    {
        var window = Given(Withdrawn(3, 10_000m, T0));

        var atLimit = Decide(window, Withdrawn(4, 10_000m, T0.AddSeconds(1)));
        var cent = Withdrawn(5, 0.01m, T0.AddSeconds(2));

        Assert.Empty(atLimit.Alerts);
        Assert.Equal(AlertDecisions.AlertId(cent.EventId, AlertDecisions.Velocity), Assert.Single(Decide(atLimit.Window, cent).Alerts).EventId);
    }

    [Fact]
    public void Withdrawals_and_outgoing_transfers_count_together()
    {
        var window = Given(Withdrawn(3, 9_000m, T0), Debited(4, 9_000m, T0.AddSeconds(1)));

        var alert = Assert.Single(Decide(window, Debited(5, 3_000m, T0.AddSeconds(2))).Alerts);

        Assert.Equal(AlertDecisions.Velocity, alert.Rule);
    }

    [Fact]
    public void Money_coming_in_raises_nothing_and_leaves_the_window_as_it_was()
    {
        var window = Given(Withdrawn(3, 15_000m, T0));
        LedgerEvent[] incoming =
        [
            new MoneyDeposited(Guid.NewGuid(), Id, 4, T0.AddSeconds(1), Guid.NewGuid(), 50_000m, "EUR", 50_000m),
            new TransferCredited(Guid.NewGuid(), Id, 5, T0.AddSeconds(2), Guid.NewGuid(), 50_000m, "EUR", 100_000m, Other),
            new TransferRefunded(Guid.NewGuid(), Id, 6, T0.AddSeconds(3), Guid.NewGuid(), 50_000m, "EUR", 150_000m, Other, "target closed"),
            new TransferCompleted(Guid.NewGuid(), Id, 7, T0.AddSeconds(4), Guid.NewGuid(), 50_000m, "EUR", 150_000m, Other),
            new TransferDeclined(Guid.NewGuid(), Id, 8, T0.AddSeconds(5), Guid.NewGuid(), 50_000m, "EUR", 150_000m, Other, "frozen"),
        ];

        Assert.All(incoming, e =>
        {
            var decision = Decide(window, e);
            Assert.Empty(decision.Alerts);
            Assert.Same(window, decision.Window);
        });
    }

    [Fact]
    public void Events_that_move_no_money_raise_nothing()
    {
        var window = Given(Withdrawn(3, 15_000m, T0));

        Assert.Empty(Decide(window, new LedgerOpened(Guid.NewGuid(), Id, 1, T0, "EUR")).Alerts);
        Assert.Empty(Decide(window, new ClosureRefused(Guid.NewGuid(), Id, 4, T0.AddSeconds(1), Guid.NewGuid(), "money left")).Alerts);
        Assert.Empty(Decide(window, new ClosureSettled(Guid.NewGuid(), Id, 4, T0.AddSeconds(1), Guid.NewGuid())).Alerts);
    }

    [Fact]
    public void A_large_withdrawal_raises_no_velocity_alert_but_counts_towards_the_next_movement()
    {
        var window = Given(Withdrawn(3, 8_000m, T0));
        var large = Decide(window, Withdrawn(4, 15_000m, T0.AddSeconds(1)));

        var next = Decide(large.Window, Withdrawn(5, 6_000m, T0.AddSeconds(2)));

        Assert.Equal(AlertDecisions.LargeWithdrawal, Assert.Single(large.Alerts).Rule);
        Assert.Empty(next.Alerts); // 29,000 out already: the limit was crossed before, by the large one.
        Assert.Equal(AlertDecisions.Velocity, Assert.Single(Decide(Given(Withdrawn(3, 15_000m, T0)), Withdrawn(4, 6_000m, T0.AddSeconds(1))).Alerts).Rule);
    }

    [Fact]
    public void A_movement_a_whole_window_earlier_no_longer_counts_and_one_a_tick_later_still_does()
    {
        var window = Given(Withdrawn(3, 9_000m, T0), Withdrawn(4, 9_000m, T0.AddSeconds(30)));

        Assert.Empty(Decide(window, Withdrawn(5, 9_000m, T0 + Options.Window)).Alerts);
        Assert.Equal(AlertDecisions.Velocity, Assert.Single(Decide(window, Withdrawn(5, 9_000m, T0 + Options.Window - TimeSpan.FromTicks(1))).Alerts).Rule);
    }

    [Fact]
    public void The_window_keeps_only_what_a_later_movement_can_count()
    {
        var window = Given(Withdrawn(3, 1_000m, T0), Withdrawn(4, 1_000m, T0.AddSeconds(45)), Debited(5, 1_000m, T0.AddSeconds(90)));

        Assert.Equal([new Outflow(4, T0.AddSeconds(45), 1_000m), new Outflow(5, T0.AddSeconds(90), 1_000m)], window.Outflows);
    }

    [Fact]
    public void A_redelivered_movement_raises_the_same_alert_and_is_not_counted_twice()
    {
        var crossing = Withdrawn(5, 8_000m, T0.AddSeconds(2));
        var first = Decide(Given(Withdrawn(3, 8_000m, T0), Withdrawn(4, 8_000m, T0.AddSeconds(1))), crossing);

        var again = Decide(first.Window, crossing);

        Assert.Equal(first.Alerts, again.Alerts);
        Assert.Equal(first.Window.Outflows, again.Window.Outflows);
        Assert.Equal(24_000m, again.Window.Outflows.Sum(o => o.Amount));
    }

    [Fact]
    public void A_movement_redelivered_after_later_ones_is_judged_as_it_was_the_first_time()
    {
        var second = Withdrawn(4, 8_000m, T0.AddSeconds(1));
        var third = Withdrawn(5, 8_000m, T0.AddSeconds(2));
        var window = Given(Withdrawn(3, 8_000m, T0), second, third, Withdrawn(6, 8_000m, T0.AddSeconds(3)));

        Assert.Empty(Decide(window, second).Alerts); // 16,000 by then; counting the later ones (or itself) would make it 32,000 or more.
        Assert.Equal(AlertDecisions.AlertId(third.EventId, AlertDecisions.Velocity), Assert.Single(Decide(window, third).Alerts).EventId);
    }

    [Fact]
    public void An_earlier_version_stamped_later_than_the_movement_does_not_count_before_it()
    {
        var window = new AlertWindow([new Outflow(3, T0.AddSeconds(10), 15_000m)]);

        Assert.Empty(Decide(window, Withdrawn(4, 9_000m, T0)).Alerts);
        Assert.Single(Decide(window, Withdrawn(4, 9_000m, T0.AddSeconds(10))).Alerts);
    }

    [Fact]
    public void The_thresholds_and_the_window_come_from_the_options()
    {
        var options = new AlertOptions { SingleLimit = 500m, WindowLimit = 1_000m, Window = TimeSpan.FromMinutes(5) };
        var first = AlertDecisions.Decide(AlertWindow.Empty, options, Withdrawn(3, 500m, T0));
        var second = AlertDecisions.Decide(first.Window, options, Withdrawn(4, 400m, T0.AddMinutes(2)));

        var third = AlertDecisions.Decide(second.Window, options, Withdrawn(5, 101m, T0.AddMinutes(4)));

        Assert.Empty(first.Alerts.Concat(second.Alerts));
        Assert.Equal((AlertDecisions.Velocity, "1001 EUR out within 300 s (limit 1000)."), (Assert.Single(third.Alerts).Rule, third.Alerts[0].Reason));
        Assert.Equal(AlertDecisions.LargeWithdrawal, Assert.Single(AlertDecisions.Decide(AlertWindow.Empty, options, Withdrawn(3, 501m, T0)).Alerts).Rule);
    }

    [Fact]
    public void Alert_ids_derive_from_the_event_and_the_rule()
    {
        var e = Guid.NewGuid();

        Assert.Equal(AlertDecisions.AlertId(e, AlertDecisions.Velocity), AlertDecisions.AlertId(e, AlertDecisions.Velocity));
        Assert.NotEqual(AlertDecisions.AlertId(e, AlertDecisions.Velocity), AlertDecisions.AlertId(e, AlertDecisions.LargeWithdrawal));
        Assert.NotEqual(AlertDecisions.AlertId(e, AlertDecisions.Velocity), AlertDecisions.AlertId(Guid.NewGuid(), AlertDecisions.Velocity));
    }

    private static AlertDecision Decide(AlertWindow window, LedgerEvent @event) => AlertDecisions.Decide(window, Options, @event);

    /// <summary>The window after <paramref name="events"/>, whatever alerts they raised.</summary>
    private static AlertWindow Given(params LedgerEvent[] events) => events.Aggregate(AlertWindow.Empty, (window, e) => Decide(window, e).Window);

    /// <summary>The alerts each of <paramref name="events"/> raised, in turn.</summary>
    private static List<IReadOnlyList<AlertRaised>> Run(AlertWindow window, IEnumerable<LedgerEvent> events)
    {
        var raised = new List<IReadOnlyList<AlertRaised>>();
        foreach (var e in events)
        {
            var decision = Decide(window, e);
            raised.Add(decision.Alerts);
            window = decision.Window;
        }

        return raised;
    }

    private static MoneyWithdrawn Withdrawn(long version, decimal amount, DateTimeOffset at) =>
        new(Guid.NewGuid(), Id, version, at, Guid.NewGuid(), amount, "EUR", 100_000m - amount);

    private static TransferDebited Debited(long version, decimal amount, DateTimeOffset at) =>
        new(Guid.NewGuid(), Id, version, at, Guid.NewGuid(), amount, "EUR", 100_000m - amount, Other);
}
