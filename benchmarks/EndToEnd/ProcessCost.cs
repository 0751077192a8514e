using System.Globalization;

namespace EventDriven.Benchmarks.EndToEnd;

/// <summary>CPU time and memory of one part of the system (all of its processes), read from /proc.</summary>
public sealed record PartUsage(string Part, double CpuSeconds, long PeakMemoryBytes);

/// <summary>
/// The system's own processes, by part: the four services, the local broker, the local KurrentDB server and PostgreSQL
/// (the postmaster and its backends). The dashboard, the orchestrator and this benchmark are not counted.
/// </summary>
public sealed class ProcessCost(string dataDirectory)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly Dictionary<string, long> _peaks = [];

    /// <summary>CPU seconds used so far per part; also updates each part's peak memory.</summary>
    public IReadOnlyDictionary<string, double> Sample()
    {
        var cpu = new Dictionary<string, double>();
        var memory = new Dictionary<string, long>();
        foreach (var (pid, part) in Processes())
        {
            var (ticks, bytes) = Read(pid, part == "postgres");
            cpu[part] = cpu.GetValueOrDefault(part) + (ticks / TicksPerSecond);
            memory[part] = memory.GetValueOrDefault(part) + bytes;
        }

        lock (_peaks)
        {
            foreach (var (part, bytes) in memory)
            {
                _peaks[part] = Math.Max(_peaks.GetValueOrDefault(part), bytes);
            }
        }

        return cpu;
    }

    public IReadOnlyDictionary<string, long> PeakMemory
    {
        get
        {
            lock (_peaks)
            {
                return new Dictionary<string, long>(_peaks);
            }
        }
    }

    /// <summary>Samples every second until stopped, so that peaks are seen.</summary>
    public async Task WatchAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>CPU used by each part over <paramref name="window"/> of doing nothing, as a fraction of one core.</summary>
    public async Task<IReadOnlyDictionary<string, double>> IdleAsync(TimeSpan window)
    {
        var before = Sample();
        await Task.Delay(window);
        var after = Sample();
        return after.ToDictionary(p => p.Key, p => (p.Value - before.GetValueOrDefault(p.Key)) / window.TotalSeconds);
    }

    private IEnumerable<(int Pid, string Part)> Processes()
    {
        var postmaster = -1;
        var all = new List<(int Pid, int Parent, string CommandLine)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                all.Add((pid, parent, commandLine));
                if (commandLine.Contains("/bin/postgres", StringComparison.Ordinal) && commandLine.Contains(dataDirectory, StringComparison.Ordinal))
                {
                    postmaster = pid;
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }

        foreach (var (pid, parent, commandLine) in all)
        {
            var part = pid == postmaster || parent == postmaster ? "postgres" : PartOf(commandLine);
            if (part is not null)
            {
                yield return (pid, part);
            }
        }
    }

    private static string? PartOf(string commandLine)
    {
        if (commandLine.Contains("LocalKafka.dll", StringComparison.Ordinal))
        {
            return "kafka (local)";
        }

        if (commandLine.Contains("LocalKurrentDB.dll", StringComparison.Ordinal))
        {
            return "kurrentdb (local)";
        }

        // The services run as their apphost executables (bin/<configuration>/net10.0/<Service>), not through `dotnet run`.
        foreach (var service in LocalSystem.Services)
        {
            var name = char.ToUpperInvariant(service[0]) + service[1..];
            if (commandLine.Contains($"/net10.0/{name} ", StringComparison.Ordinal) || commandLine.EndsWith($"/net10.0/{name}", StringComparison.Ordinal))
            {
                return service;
            }
        }

        return null;
    }

    /// <summary>utime + stime in ticks, and memory: the peak resident set, or for PostgreSQL's processes (which share their buffers) the proportional set now.</summary>
    private static (long Ticks, long Bytes) Read(int pid, bool shared)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            var (file, key) = shared ? ($"/proc/{pid}/smaps_rollup", "Pss:") : ($"/proc/{pid}/status", "VmHWM:");
            var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
            var kilobytes = line is null ? 0 : long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            return (ticks, kilobytes * 1024);
        }
        catch (IOException)
        {
            return (0, 0);
        }
    }
}
