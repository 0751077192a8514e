using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using EventDriven.Tests;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EventDriven.Chaos.Tests;

/// <summary>
/// The chaos drill on a running AppHost: a few clients send mixed commands over HTTP, each retried with its own key
/// until it gets a definite answer, while faults are injected through the resources' commands at seeded random
/// moments; then the drill waits for quiet and checks every effect against what the clients were told
/// (<see cref="ChaosChecks"/>). Bounded by time and by count; loopback only.
/// </summary>
public sealed class ChaosDrill(DistributedApplication app, ChaosOptions options)
{
    /// <summary>Never kafka itself: the local broker keeps its topics in memory, so it is only taken down and up.</summary>
    private static readonly string[] Restartable = ["account", "transactions", "reactor", "kurrentdb", "postgres"];

    private static readonly string[] Cities = ["London", "Leeds", "York", "Bath", "Derby"];

    private readonly ClientModel _model = new();
    private int _started;

    public async Task<ChaosReport> RunAsync(CancellationToken cancellationToken)
    {
        var report = new ChaosReport { Seed = options.Seed, Options = options };
        var total = Stopwatch.StartNew();
        // The clients are the demo customer, who opens accounts and moves money, and the operator, who freezes and
        // unfreezes and, for the checks, reads everything.
        using var tokens = app.CreateIdentityTokens();
        using var account = ChaosClient.For(app.GetEndpoint("account", "http"), tokens, TestUser.Customer);
        using var transactions = ChaosClient.For(app.GetEndpoint("transactions", "http"), tokens, TestUser.Customer);
        using var accountOperator = ChaosClient.For(app.GetEndpoint("account", "http"), tokens, TestUser.Operator);
        using var transactionsOperator = ChaosClient.For(app.GetEndpoint("transactions", "http"), tokens, TestUser.Operator);
        using var reactorOperator = ChaosClient.For(app.GetEndpoint("reactor", "http"), tokens, TestUser.Operator);

        using var trafficEnd = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        trafficEnd.CancelAfter(options.Traffic);
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        giveUp.CancelAfter(options.Traffic + options.Resolve);

        var workers = Enumerable.Range(0, options.Workers)
            .Select(w => Task.Run(() => WorkAsync(new Random(HashCode.Combine(options.Seed, w)), account, accountOperator, transactions, report, trafficEnd.Token, giveUp.Token), CancellationToken.None))
            .ToList();
        var faults = Task.Run(() => InjectFaultsAsync(new Random(options.Seed), report, trafficEnd.Token, cancellationToken), CancellationToken.None);
        await Task.WhenAll([.. workers, faults]);
        report.TrafficTime = total.Elapsed;

        var quiet = Stopwatch.StartNew();
        var checks = new ChaosChecks(app, accountOperator, transactionsOperator, reactorOperator, _model, report);
        if (await checks.WaitForQuietAsync(options.Quiet, cancellationToken))
        {
            report.QuietAfter = quiet.Elapsed;
            await checks.CheckAsync(cancellationToken);
        }

        report.Total = total.Elapsed;
        return report;
    }

    private async Task WorkAsync(Random random, HttpClient account, HttpClient accountOperator, HttpClient transactions, ChaosReport report, CancellationToken trafficEnd, CancellationToken giveUp)
    {
        List<AccountModel> mine = [];
        while (!trafficEnd.IsCancellationRequested && Interlocked.Increment(ref _started) <= options.MaxCommands)
        {
            var usable = mine.Where(a => !a.ClosureRequested).ToList();
            if (usable.Count < 3 || random.Next(40) == 0)
            {
                if (await OpenAsync(random, account, report, giveUp) is { } opened)
                {
                    mine.Add(opened);
                }

                continue;
            }

            var subject = usable[random.Next(usable.Count)];
            var roll = random.Next(100);
            if (subject.Status == "frozen" && random.Next(3) == 0)
            {
                // A frozen account is unfrozen soon, so that most of the time money can move.
                var answer = await AccountCommandAsync("unfreeze", HttpMethod.Post, $"/accounts/{subject.Id}/unfreeze", new { reason = "chaos drill" }, accountOperator, report, giveUp);
                Apply(subject, answer, report, "unfreeze", a => a.Status = "open");
            }
            else if (roll < 30)
            {
                await MoveMoneyAsync("deposit", subject, null, Amount(random, 500), transactions, report, giveUp);
            }
            else if (roll < 48)
            {
                await MoveMoneyAsync("withdrawal", subject, null, Amount(random, 200), transactions, report, giveUp);
            }
            else if (roll < 72)
            {
                await MoveMoneyAsync("transfer", subject, _model.Pick(random, subject.Id), Amount(random, 150), transactions, report, giveUp);
            }
            else if (roll < 86 || (roll >= 92 && roll < 98))
            {
                var street = $"{random.Next(1, 999)} Chaos Street";
                var answer = await AccountCommandAsync("address", HttpMethod.Put, $"/accounts/{subject.Id}/address",
                    new { street, city = Cities[random.Next(Cities.Length)], postalCode = "SW1A 1AA", country = "GB" }, account, report, giveUp);
                Apply(subject, answer, report, "address", a => a.Street = street);
            }
            else if (roll < 92)
            {
                // Freezes and unfreezes alternate on an account, so that most of the time money can move.
                var (kind, status) = subject.Status == "frozen" ? ("unfreeze", "open") : ("freeze", "frozen");
                var answer = await AccountCommandAsync(kind, HttpMethod.Post, $"/accounts/{subject.Id}/{kind}", new { reason = "chaos drill" }, accountOperator, report, giveUp);
                Apply(subject, answer, report, kind, a => a.Status = status);
            }
            else
            {
                var answer = await AccountCommandAsync("closure", HttpMethod.Post, $"/accounts/{subject.Id}/closure", null, account, report, giveUp);
                Apply(subject, answer, report, "closure", a => a.ClosureRequested = true);
            }
        }
    }

    private async Task<AccountModel?> OpenAsync(Random random, HttpClient account, ChaosReport report, CancellationToken giveUp)
    {
        var currency = random.Next(5) == 0 ? "GBP" : "EUR";
        var street = $"{random.Next(1, 999)} Drill Road";
        var answer = await AccountCommandAsync("open", HttpMethod.Post, "/accounts", new
        {
            ownerName = $"Chaos Client {random.Next(10_000)}",
            email = "chaos@example.com",
            address = new { street, city = "London", postalCode = "SW1Y 4JH", country = "GB" },
            currency,
        }, account, report, giveUp);
        if (answer.Outcome == Outcome.Accepted)
        {
            var opened = new AccountModel(answer.Body.GetProperty("accountId").GetGuid(), currency, street);
            _model.Add(opened);
            return opened;
        }

        if (answer.Outcome == Outcome.Refused)
        {
            report.Find($"Opening a valid account was refused: {answer.Status} {answer.Body}");
        }

        return null;
    }

    private static async Task<Answer> AccountCommandAsync(string kind, HttpMethod method, string path, object? body, HttpClient account, ChaosReport report, CancellationToken giveUp)
    {
        var answer = await ChaosClient.SendAsync(account, method, path, body, Guid.NewGuid().ToString(), giveUp);
        report.Count(kind, answer.Outcome, answer.Attempts, answer.Status);
        return answer;
    }

    private static void Apply(AccountModel subject, Answer answer, ChaosReport report, string kind, Action<AccountModel> change)
    {
        switch (answer.Outcome)
        {
            case Outcome.Accepted:
                change(subject);
                break;
            case Outcome.Unresolved:
                // The client cannot know the account any more (its owner leaves it, and its fields are not compared
                // as if known); that the system never answered is the finding.
                subject.ClosureRequested = true;
                report.Find($"{kind} on {subject.Id} got no definite answer after {answer.Attempts} attempts (last status {answer.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}).");
                break;
        }
    }

    private async Task MoveMoneyAsync(string kind, AccountModel subject, AccountModel? to, decimal amount, HttpClient transactions, ChaosReport report, CancellationToken giveUp)
    {
        var transactionId = Guid.NewGuid();
        var (path, body) = kind switch
        {
            "deposit" => ($"/ledgers/{subject.Id}/deposits", (object)new { transactionId, amount, currency = subject.Currency }),
            "withdrawal" => ($"/ledgers/{subject.Id}/withdrawals", new { transactionId, amount, currency = subject.Currency }),
            _ => ($"/ledgers/{subject.Id}/transfers", new { transactionId, toAccountId = to?.Id ?? Guid.NewGuid(), amount, currency = subject.Currency }),
        };
        var answer = await ChaosClient.SendAsync(transactions, HttpMethod.Post, path, body, null, giveUp);
        report.Count(kind, answer.Outcome, answer.Attempts, answer.Status);
        _model.Money.Enqueue(new MoneyCommand(kind, subject.Id, transactionId, amount, subject.Currency, to?.Id, answer.Outcome));
        if (answer.Outcome == Outcome.Unresolved)
        {
            report.Find($"{kind} {transactionId} on {subject.Id} got no definite answer after {answer.Attempts} attempts (last status {answer.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}).");
        }
    }

    private static decimal Amount(Random random, int max) => random.Next(100, max * 100) / 100m;

    /// <summary>
    /// At seeded random moments, one fault (each kind once per round): a restart of a service or of PostgreSQL or KurrentDB (waiting until it is
    /// healthy again before the next), or the broker taken down for a few seconds. The broker is up when this ends.
    /// </summary>
    private async Task InjectFaultsAsync(Random random, ChaosReport report, CancellationToken trafficEnd, CancellationToken cancellationToken)
    {
        string[] kinds = [.. Restartable, "broker"];
        var round = new Queue<string>();
        var span = (int)(options.FaultEveryMax - options.FaultEveryMin).TotalMilliseconds;
        while (true)
        {
            try
            {
                await Task.Delay(options.FaultEveryMin + TimeSpan.FromMilliseconds(random.Next(span)), trafficEnd);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // Every kind once per round, in a seeded order: even a short drill meets each of them.
            if (round.Count == 0)
            {
                round = new Queue<string>(kinds.OrderBy(_ => random.Next()));
            }

            var kind = round.Dequeue();
            if (kind == "broker")
            {
                var down = TimeSpan.FromMilliseconds(random.Next(1_000, 6_000));
                await CommandAsync("kafka", "broker-down", report, cancellationToken);
                report.Fault("broker down and up");
                // The outage lasts as long as it was drawn to, traffic or not; then the broker comes back.
                await Task.Delay(down, cancellationToken);
                await CommandAsync("kafka", "broker-up", report, cancellationToken);
                continue;
            }

            // With several instances of a service, one of them (drawn) restarts; Aspire names each by its own id.
            var instances = options.Instances > 1 && kind is "account" or "transactions" or "reactor"
                ? await LocalAppHost.WaitForEveryInstanceHealthyAsync(app, kind, options.Instances, cancellationToken)
                : [kind];
            var instance = instances[random.Next(instances.Count)];
            report.Fault($"restart {kind}");
            // PostgreSQL restarts in place (its process stays, the server in it stops and starts): the orchestrator's
            // restart of a process under this load delivered its stop later than its own stop timeout allows.
            await CommandAsync(instance, kind == "postgres" ? EventDriven.AppHost.Hosting.LocalPostgresBuilderExtensions.RestartServerCommand : KnownResourceCommands.RestartCommand, report, cancellationToken);
            using var healthy = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            healthy.CancelAfter(TimeSpan.FromMinutes(3));
            try
            {
                await (instances.Count > 1
                    ? app.ResourceNotifications.WaitForResourceAsync(kind, e => e.ResourceId == instance && e.Snapshot.HealthStatus == HealthStatus.Healthy, healthy.Token)
                    : app.ResourceNotifications.WaitForResourceHealthyAsync(kind, healthy.Token));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                report.Find($"{kind} was not healthy again within 3 minutes of its restart.");
                return;
            }
            catch (DistributedApplicationException exception)
            {
                report.Find($"{kind} did not come back from its restart: {exception.Message}");
                return;
            }
        }
    }

    private async Task CommandAsync(string resource, string command, ChaosReport report, CancellationToken cancellationToken)
    {
        var result = await app.ResourceCommands.ExecuteCommandAsync(resource, command, cancellationToken);
        if (!result.Success)
        {
            report.Find($"The {command} command on {resource} failed: {result.Message}");
        }
    }
}
