using System.Collections.Concurrent;
using System.Diagnostics;

namespace EventDriven.Benchmarks.EndToEnd;

/// <summary>The two ways of loading the system: closed loop (each worker waits for its command to show) and open loop (arrivals at a rate).</summary>
public static class Drive
{
    /// <summary>
    /// <paramref name="workers"/> users, each sending the next command of the mix as soon as the last one is visible in
    /// Reactor: the rate they reach is sustained by construction, since nothing queues behind them.
    /// </summary>
    public static async Task<IReadOnlyList<Sample>> ClosedLoopAsync(Workload workload, int workers, TimeSpan warmUp, TimeSpan duration)
    {
        var samples = new ConcurrentBag<Sample>();
        var measuring = false;
        using var stop = new CancellationTokenSource();
        var tasks = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (await workload.RunAsync(workload.Next()) is { } sample && Volatile.Read(ref measuring))
                {
                    samples.Add(sample);
                }
            }
        })).ToArray();
        await Task.Delay(warmUp);
        Volatile.Write(ref measuring, true);
        await Task.Delay(duration);
        Volatile.Write(ref measuring, false);
        await stop.CancelAsync();
        await Task.WhenAll(tasks);
        return [.. samples];
    }

    /// <summary>
    /// Commands arriving at <paramref name="rate"/> per second (Poisson arrivals, seeded), each on an account with no
    /// command in flight; the returned count says how many found no such account (none should).
    /// </summary>
    public static async Task<(IReadOnlyList<Sample> Samples, int NoAccount)> OpenLoopAsync(
        Workload workload, double rate, TimeSpan duration, Func<Operation, bool>? only = null)
    {
        var random = new Random(42);
        var inFlight = new List<Task<Sample?>>();
        var clock = Stopwatch.StartNew();
        var next = 0.0;
        while (next < duration.TotalSeconds)
        {
            var wait = next - clock.Elapsed.TotalSeconds;
            if (wait > 0.002)
            {
                await Task.Delay(TimeSpan.FromSeconds(wait));
            }
            else if (wait > 0)
            {
                Thread.SpinWait(100);
                continue;
            }

            var operation = workload.Next();
            while (only is not null && !only(operation))
            {
                operation = workload.Next();
            }

            inFlight.Add(Task.Run(() => workload.RunAsync(operation)));
            next += -Math.Log(1 - random.NextDouble()) / rate;
        }

        var results = await Task.WhenAll(inFlight);
        return ([.. results.OfType<Sample>()], results.Count(r => r is null));
    }

    /// <summary>
    /// Runs <paramref name="once"/> (given the worker's number and its count so far) from <paramref name="workers"/>
    /// concurrent workers for a warm-up second and then <paramref name="duration"/>; completions per second in that window.
    /// </summary>
    public static async Task<double> RateAsync(int workers, TimeSpan duration, Func<int, int, Task> once)
    {
        var measuring = false;
        var done = 0L;
        using var stop = new CancellationTokenSource();
        var tasks = Enumerable.Range(0, workers).Select(worker => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                await once(worker, n);
                if (Volatile.Read(ref measuring))
                {
                    Interlocked.Increment(ref done);
                }
            }
        })).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(1));
        Volatile.Write(ref measuring, true);
        var window = Stopwatch.StartNew();
        await Task.Delay(duration);
        var rate = Interlocked.Read(ref done) / window.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await Task.WhenAll(tasks);
        return rate;
    }
}
