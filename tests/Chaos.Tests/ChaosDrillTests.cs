using EventDriven.Tests;

namespace EventDriven.Chaos.Tests;

/// <summary>
/// The chaos drill over the whole AppHost in local mode, on an AppHost of its own (the system holds only the drill's
/// accounts, so its sums are the drill's). The short form by default; the long form with <c>CHAOS_DRILL_SECONDS</c>
/// (and <c>CHAOS_DRILL_SEED</c>, <c>CHAOS_DRILL_WORKERS</c>, <c>CHAOS_DRILL_COMMANDS</c>).
/// </summary>
public sealed class ChaosDrillTests(ITestOutputHelper output)
{
    private static readonly string[] Resources = ["postgres", "accountdb", "transactionsdb", "reactordb", "kafka", "kurrentdb", "account", "transactions", "reactor"];

    [Fact]
    public async Task Under_mixed_faults_every_accepted_command_applies_once_and_money_is_conserved()
    {
        var options = ChaosOptions.FromEnvironment();
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"eventdriven-chaos-{Guid.NewGuid():N}");
        output.WriteLine($"Chaos drill: seed {options.Seed}, {options.Workers} workers, {options.Traffic.TotalSeconds} s of traffic, at most {options.MaxCommands} commands, {options.Instances} instance(s) of each service.");
        await using (var app = await LocalAppHost.StartAsync(dataDirectory, Resources, arguments: [$"--Services:Replicas={options.Instances}"]))
        {
            foreach (var service in new[] { "account", "transactions", "reactor" })
            {
                await LocalAppHost.WaitForEveryInstanceHealthyAsync(app, service, options.Instances, TestContext.Current.CancellationToken);
            }

            var report = await new ChaosDrill(app, options).RunAsync(TestContext.Current.CancellationToken);
            var text = report.ToString();
            output.WriteLine(text);
            // Kept beside the other test artifacts too: a passing run's output is not shown, and its figures are the point.
            var reports = Path.Combine(AppContext.BaseDirectory, "chaos-reports");
            Directory.CreateDirectory(reports);
            await File.WriteAllTextAsync(Path.Combine(reports, $"seed-{options.Seed}-{DateTime.UtcNow:yyyyMMddHHmmss}.txt"), text, TestContext.Current.CancellationToken);

            // A drill that sent nothing or broke nothing proves nothing.
            Assert.True(report.Accepted > 0, "No command was accepted.");
            Assert.True(report.FaultsByKind.Values.Sum() > 0, "No fault was injected.");
            Assert.True(report.Findings.IsEmpty, text);
        }

        Directory.Delete(dataDirectory, recursive: true);
    }
}
