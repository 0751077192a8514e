using System.Diagnostics;
using System.Globalization;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using EventDriven.Benchmarks.EndToEnd;

// The whole system in local mode: ceilings, the maximum sustained rate of the mix, latency at 25/50/75% of it (end to
// end and per hop), CDC against polling at the same loads, and what each process costs. Writes report.md and PNG plots.
// Options: --seconds N (each measured run, default 10), --out DIR (default docs/benchmarks/end-to-end).
var seconds = TimeSpan.FromSeconds(Option("--seconds", 10));
var output = Path.GetFullPath(OptionText("--out", Path.Combine(FindRepository(), "docs", "benchmarks", "end-to-end")));
Directory.CreateDirectory(output);
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var report = new StringBuilder();
var fractions = new[] { 0.25, 0.50, 0.75 };

await using var spans = await SpanCollector.StartAsync();
Say($"Starting the system in local mode (CDC relay); spans go to {spans.Endpoint}");
var result = new Results();
await using (var system = await LocalSystem.StartAsync(spans, new Dictionary<string, string>()))
{
    var app = system.App;
    var cost = new ProcessCost(system.DataDirectory);
    using var watching = new CancellationTokenSource();
    var watch = cost.WatchAsync(watching.Token);

    Say("Idle CPU (20 s after start, 10 s window)");
    await Task.Delay(TimeSpan.FromSeconds(20));
    result.IdleBefore = await cost.IdleAsync(TimeSpan.FromSeconds(10));

    var ceilingWindow = TimeSpan.FromSeconds(5);
    Say("Ceiling: PostgreSQL, the Account transaction's statements through raw Npgsql");
    result.PostgresCeiling = await Ceilings.AccountTransactionsPerSecondAsync((await app.GetConnectionStringAsync("accountdb"))!, ceilingWindow);
    Say("Ceiling: KurrentDB, single-event appends");
    result.KurrentDBCeiling = await Ceilings.KurrentDBAppendsPerSecondAsync((await app.GetConnectionStringAsync("kurrentdb"))!, ceilingWindow);
    Say("Ceiling: broker, produce → consume");
    result.BrokerCeiling = await Ceilings.BrokerMessagesPerSecondAsync((await app.GetConnectionStringAsync("kafka"))!, app.GetEndpoint("kafka", "control"), ceilingWindow);

    Say("Opening 400 accounts with money and 40 to freeze and unfreeze");
    var workload = await system.StartUsersAsync(moneyAccounts: 400, freezeAccounts: 40);
    var changes = workload.Changes;

    Say("Account commands over HTTP (address changes, 16 at a time, not waiting for Reactor)");
    result.AccountCommandRate = await workload.AccountCommandsPerSecondAsync(senders: 16, ceilingWindow);

    foreach (var workers in new[] { 2, 4, 8, 16, 32 })
    {
        var samples = await Drive.ClosedLoopAsync(workload, workers, TimeSpan.FromSeconds(2), seconds);
        var rate = samples.Count(s => !s.Failed) / seconds.TotalSeconds;
        result.ClosedLoop.Add((workers, rate, Report.Percentile(samples.Where(s => !s.Failed).Select(s => s.VisibleMs), 0.5)));
        Say($"Closed loop, {workers} workers: {rate:F0} commands/s visible, p50 {result.ClosedLoop[^1].P50:F1} ms");
        changes.Trim();
    }

    result.MaximumRate = result.ClosedLoop.Max(c => c.Rate);
    foreach (var fraction in fractions)
    {
        var rate = result.MaximumRate * fraction;
        spans.Clear();
        var cpuBefore = cost.Sample();
        var driverBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var (samples, noAccount) = await Drive.OpenLoopAsync(workload, rate, seconds);
        var cpuAfter = cost.Sample().ToDictionary();
        cpuAfter[Report.Driver] = (Process.GetCurrentProcess().TotalProcessorTime - driverBefore).TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(3)); // the services export spans every second
        var run = new LoadRun("CDC", fraction, rate, samples, noAccount, [.. samples.Select(s => (s, Hops.Of(s, spans.SpansOf(s.TraceId))))],
            cpuAfter.ToDictionary(p => p.Key, p => (p.Value - cpuBefore.GetValueOrDefault(p.Key)) / seconds.TotalSeconds));
        result.Runs.Add(run);
        Say($"Open loop at {fraction:P0} ({rate:F0}/s): {run.Describe()}");
        changes.Trim();
    }

    result.IdleAfter = await cost.IdleAsync(TimeSpan.FromSeconds(10));
    await watching.CancelAsync();
    await watch;
    result.PeakMemory = cost.PeakMemory;
}

Say("Restarting with the polling relay, for the same loads");
await using (var system = await LocalSystem.StartAsync(spans, new Dictionary<string, string> { ["Account__Relay__Mode"] = "Polling" }))
{
    var workload = await system.StartUsersAsync(moneyAccounts: 400, freezeAccounts: 40);
    var changes = workload.Changes;
    foreach (var fraction in fractions)
    {
        var rate = result.MaximumRate * fraction;
        spans.Clear();
        var (samples, noAccount) = await Drive.OpenLoopAsync(workload, rate, seconds);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var run = new LoadRun("Polling", fraction, rate, samples, noAccount, [.. samples.Select(s => (s, Hops.Of(s, spans.SpansOf(s.TraceId))))], new Dictionary<string, double>());
        result.Runs.Add(run);
        Say($"Polling relay, open loop at {fraction:P0} ({rate:F0}/s): {run.Describe()}");
        changes.Trim();
    }
}

var markdown = Report.Write(result, output, seconds, Workload.Describe());
Console.WriteLine();
Console.WriteLine(markdown);
Say($"Report and plots written to {output}");

static void Say(string line) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");

static string FindRepository()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "EventDriven.sln")))
        {
            return directory.FullName;
        }
    }

    return Directory.GetCurrentDirectory();
}

int Option(string name, int fallback) => int.TryParse(OptionText(name, ""), out var value) ? value : fallback;

string OptionText(string name, string fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}
