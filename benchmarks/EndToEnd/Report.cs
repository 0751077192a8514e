using System.Globalization;
using System.Text;
using ScottPlot;

namespace EventDriven.Benchmarks.EndToEnd;

/// <summary>Everything one benchmark run measured.</summary>
public sealed class Results
{
    public IReadOnlyDictionary<string, double> IdleBefore { get; set; } = new Dictionary<string, double>();
    public IReadOnlyDictionary<string, double> IdleAfter { get; set; } = new Dictionary<string, double>();
    public IReadOnlyDictionary<string, long> PeakMemory { get; set; } = new Dictionary<string, long>();
    public double PostgresCeiling { get; set; }
    public double KurrentDBCeiling { get; set; }
    public double BrokerCeiling { get; set; }
    public double AccountCommandRate { get; set; }
    public List<(int Workers, double Rate, double P50)> ClosedLoop { get; } = [];
    public double MaximumRate { get; set; }
    public List<LoadRun> Runs { get; } = [];
}

/// <summary>One open-loop run: its samples, their hops (null where a span was missing), and the CPU each part used per second.</summary>
public sealed record LoadRun(string Relay, double Fraction, double Rate, IReadOnlyList<Sample> Samples, int NoAccount,
    IReadOnlyList<(Sample Sample, double[]? Hops)> Traced, IReadOnlyDictionary<string, double> CpuPerSecond)
{
    public IEnumerable<double> OneHop => Samples.Where(s => !s.Failed && s.Operation is not (Operation.Transfer or Operation.Open)).Select(s => s.VisibleMs);

    public IEnumerable<double> AccountCommands => Samples.Where(s => !s.Failed && s.Operation is Operation.ChangeAddress or Operation.ChangeContact or Operation.FreezeOrUnfreeze).Select(s => s.VisibleMs);

    public IEnumerable<double> Transfers => Samples.Where(s => !s.Failed && s.Operation == Operation.Transfer).Select(s => s.VisibleMs);

    public IEnumerable<double> Commands => Samples.Where(s => !s.Failed).Select(s => s.CommandMs);

    public double[] HopPercentile(int hop, double p, bool accountOnly = false) =>
        [Report.Percentile(Traced.Where(t => t.Hops is not null && (!accountOnly || t.Sample.Operation is not (Operation.Deposit or Operation.Withdrawal))).Select(t => t.Hops![hop]), p)];

    public string Describe() =>
        $"{Samples.Count} commands ({Samples.Count(s => s.Failed)} failed, {NoAccount} without a free account); " +
        $"visible p50 {Report.Percentile(OneHop, 0.5):F1} / p99 {Report.Percentile(OneHop, 0.99):F1} ms; transfer completed p50 {Report.Percentile(Transfers, 0.5):F1} ms";
}

public static class Report
{
    /// <summary>This benchmark's own process (the users, the span receiver): on the same cores, but not part of the system.</summary>
    public const string Driver = "benchmark driver (not in all)";

    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1))];
    }

    public static string Write(Results r, string directory, TimeSpan seconds, string mix)
    {
        var md = new StringBuilder();
        var cdc = r.Runs.Where(run => run.Relay == "CDC").ToList();
        var polling = r.Runs.Where(run => run.Relay == "Polling").ToList();
        md.AppendLine(CultureInfo.InvariantCulture, $"# End-to-end benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1 << 30)} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}. Local mode (PostgreSQL from the machine's binaries, librdkafka's mock broker, the local KurrentDB server); everything on the same cores. Each measured run lasts {seconds.TotalSeconds:F0} s. Mix: {mix}.");
        md.AppendLine();
        md.AppendLine("## Ceilings (measured in this run)");
        md.AppendLine();
        md.AppendLine("| ceiling | per second |");
        md.AppendLine("|---|---:|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| PostgreSQL: the Account command's statements, raw Npgsql, 16 connections | {r.PostgresCeiling:N0} transactions |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| KurrentDB (local server): single-event appends, fsync'd, 16 writers | {r.KurrentDBCeiling:N0} appends |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| broker (local): produce → consume, 800-byte messages | {r.BrokerCeiling:N0} messages |");
        md.AppendLine();
        md.AppendLine("## Throughput");
        md.AppendLine();
        md.AppendLine("| run | commands/s | of its ceiling |");
        md.AppendLine("|---|---:|---:|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| Account commands over HTTP (address changes, 16 at a time; the relay and every consumer work meanwhile) | {r.AccountCommandRate:N0} | {r.AccountCommandRate / r.PostgresCeiling:P0} of PostgreSQL's |");
        foreach (var (workers, rate, p50) in r.ClosedLoop)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| mix, closed loop, {workers} users (each waits until Reactor shows its command; p50 {p50:F1} ms) | {rate:N0} | {rate / r.PostgresCeiling:P0} of PostgreSQL's |");
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"**Maximum sustained rate of the mix: {r.MaximumRate:N0} commands/s = {r.MaximumRate / r.PostgresCeiling:P0} of the Account transaction's raw SQL ceiling.**");
        md.AppendLine();
        md.AppendLine("## Latency at fractions of that maximum (open loop, Poisson arrivals)");
        md.AppendLine();
        md.AppendLine("End to end = from the HTTP request to Reactor's push of the change (`GET /changes`), for one-hop commands (address, contact, freeze/unfreeze, deposit, withdrawal); a transfer counts from its request to the source's `transfer-completed` (debit → credit → completed, three Kafka hops).");
        md.AppendLine();
        md.AppendLine("| relay | load | commands/s | commands | HTTP p50 ms | end to end p50 / p95 / p99 ms | transfer completed p50 / p99 ms |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var run in r.Runs)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {run.Relay} | {run.Fraction:P0} | {run.Rate:N0} | {run.Samples.Count} ({run.Samples.Count(s => s.Failed)} failed) | {Percentile(run.Commands, 0.5):F1} | {Percentile(run.OneHop, 0.5):F1} / {Percentile(run.OneHop, 0.95):F1} / {Percentile(run.OneHop, 0.99):F1} | {Percentile(run.Transfers, 0.5):F1} / {Percentile(run.Transfers, 0.99):F1} |");
        }

        md.AppendLine();
        md.AppendLine("### Per hop (from the services' spans), p50 / p99 ms");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"| relay | load | traced | {string.Join(" | ", Hops.Names)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"|---|---:|---:|{string.Concat(Hops.Names.Select(_ => "---:|"))}");
        foreach (var run in r.Runs)
        {
            var hops = Enumerable.Range(0, Hops.Names.Length).Select(h => $"{run.HopPercentile(h, 0.5)[0]:F1} / {run.HopPercentile(h, 0.99)[0]:F1}");
            md.AppendLine(CultureInfo.InvariantCulture, $"| {run.Relay} | {run.Fraction:P0} | {run.Traced.Count(t => t.Hops is not null)} | {string.Join(" | ", hops)} |");
        }

        md.AppendLine();
        md.AppendLine("### CDC against polling, Account commands only (address, contact, freeze), same loads");
        md.AppendLine();
        md.AppendLine("| load | CDC relay hop p50 / p99 ms | polling relay hop p50 / p99 ms | CDC end to end p50 | polling end to end p50 | polling p50 ÷ CDC p50 (relay hop) |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var (c, p) in cdc.Zip(polling))
        {
            var cdcHop = c.HopPercentile(1, 0.5, accountOnly: true)[0];
            var pollingHop = p.HopPercentile(1, 0.5, accountOnly: true)[0];
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {c.Fraction:P0} | {cdcHop:F1} / {c.HopPercentile(1, 0.99, true)[0]:F1} | {pollingHop:F1} / {p.HopPercentile(1, 0.99, true)[0]:F1} | {Percentile(c.AccountCommands, 0.5):F1} | {Percentile(p.AccountCommands, 0.5):F1} | {pollingHop / cdcHop:F1}× |");
        }

        md.AppendLine();
        md.AppendLine("## Cost");
        md.AppendLine();
        var parts = r.PeakMemory.Keys.Union(r.IdleBefore.Keys).Order().Append(Driver).ToList();
        md.AppendLine(CultureInfo.InvariantCulture, $"| process | peak memory MiB | CPU idle (start) | CPU idle (end) | {string.Join(" | ", cdc.Select(c => $"CPU at {c.Fraction:P0}"))} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"|---|---:|---:|---:|{string.Concat(cdc.Select(_ => "---:|"))}");
        foreach (var part in parts)
        {
            var (memory, idleBefore, idleAfter) = part == Driver
                ? ("", "", "")
                : ($"{r.PeakMemory.GetValueOrDefault(part) / 1048576.0:F0}", $"{r.IdleBefore.GetValueOrDefault(part):P1}", $"{r.IdleAfter.GetValueOrDefault(part):P1}");
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {part} | {memory} | {idleBefore} | {idleAfter} | {string.Join(" | ", cdc.Select(c => c.CpuPerSecond.GetValueOrDefault(part).ToString("P0", CultureInfo.InvariantCulture)))} |");
        }

        md.AppendLine(CultureInfo.InvariantCulture,
            $"| **all** | {r.PeakMemory.Values.Sum() / 1048576.0:F0} | {r.IdleBefore.Values.Sum():P1} | {r.IdleAfter.Values.Sum():P1} | {string.Join(" | ", cdc.Select(c => c.CpuPerSecond.Where(p => p.Key != Driver).Sum(p => p.Value).ToString("P0", CultureInfo.InvariantCulture)))} |");
        md.AppendLine();
        md.AppendLine("CPU as a fraction of one core (100% = one core busy). PostgreSQL's memory is the proportional set of its processes (they share their buffers); the others' is their peak resident set.");
        md.AppendLine();
        md.AppendLine("![Latency by load](latency.png)");
        md.AppendLine();
        md.AppendLine("![Per hop at each load](hops.png)");
        md.AppendLine();
        md.AppendLine("![Throughput against users](throughput.png)");

        PlotLatency(r, Path.Combine(directory, "latency.png"));
        PlotHops(cdc, Path.Combine(directory, "hops.png"));
        PlotThroughput(r, Path.Combine(directory, "throughput.png"));
        var text = md.ToString();
        File.WriteAllText(Path.Combine(directory, "report.md"), text);
        return text;
    }

    private static void PlotLatency(Results r, string file)
    {
        var plot = new Plot();
        var position = 0.0;
        var ticks = new List<Tick>();
        var palette = new ScottPlot.Palettes.Category10();
        string[] labels = ["p50", "p95", "p99"];
        double[] ps = [0.5, 0.95, 0.99];
        foreach (var run in r.Runs)
        {
            for (var i = 0; i < ps.Length; i++)
            {
                var bar = plot.Add.Bar(position + i, Percentile(run.OneHop, ps[i]));
                bar.Color = palette.GetColor(i);
            }

            ticks.Add(new Tick(position + 1, $"{run.Relay} {run.Fraction:P0}"));
            position += ps.Length + 1;
        }

        for (var i = 0; i < labels.Length; i++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = labels[i], FillColor = palette.GetColor(i) });
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
        plot.Axes.Margins(bottom: 0);
        plot.Title("Command → visible in Reactor (one-hop commands)");
        plot.YLabel("ms");
        plot.SavePng(file, 900, 450);
    }

    private static void PlotHops(List<LoadRun> runs, string file)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var ticks = new List<Tick>();
        for (var r = 0; r < runs.Count; r++)
        {
            var bottom = 0.0;
            for (var h = 0; h < Hops.Names.Length; h++)
            {
                var value = Math.Max(0, runs[r].HopPercentile(h, 0.5)[0]);
                plot.Add.Bars(new[] { new Bar { Position = r, ValueBase = bottom, Value = bottom + value, FillColor = palette.GetColor(h) } });
                bottom += value;
            }

            ticks.Add(new Tick(r, $"CDC {runs[r].Fraction:P0} ({runs[r].Rate:F0}/s)"));
        }

        for (var h = 0; h < Hops.Names.Length; h++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = Hops.Names[h], FillColor = palette.GetColor(h) });
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
        plot.Axes.Margins(bottom: 0);
        plot.Title("Where the time goes: median of each hop, one-hop commands");
        plot.YLabel("ms");
        plot.SavePng(file, 900, 450);
    }

    private static void PlotThroughput(Results r, string file)
    {
        var plot = new Plot();
        var line = plot.Add.Scatter(r.ClosedLoop.Select(c => (double)c.Workers).ToArray(), r.ClosedLoop.Select(c => c.Rate).ToArray());
        line.LegendText = "mix, commands/s visible in Reactor";
        var ceiling = plot.Add.HorizontalLine(r.PostgresCeiling);
        ceiling.LegendText = "PostgreSQL ceiling of the Account transaction";
        ceiling.LinePattern = LinePattern.Dashed;
        plot.Axes.SetLimitsY(0, Math.Max(r.PostgresCeiling, r.MaximumRate) * 1.1);
        plot.Title("Closed loop: users against sustained rate");
        plot.XLabel("users (each waits until its command shows)");
        plot.YLabel("commands/s");
        plot.ShowLegend();
        plot.SavePng(file, 900, 450);
    }
}
