using System.Globalization;

namespace EventDriven.Chaos.Tests;

/// <summary>
/// How long and how hard the drill runs. The short form (the defaults) runs in CI; the long form is the same drill
/// with <c>CHAOS_DRILL_SECONDS</c>, <c>CHAOS_DRILL_COMMANDS</c>, <c>CHAOS_DRILL_WORKERS</c>, <c>CHAOS_DRILL_SEED</c> and
/// <c>CHAOS_DRILL_INSTANCES</c>.
/// </summary>
public sealed record ChaosOptions
{
    /// <summary>How long commands are sent and faults injected.</summary>
    public TimeSpan Traffic { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>At most this many commands in all, whatever the time left.</summary>
    public int MaxCommands { get; init; } = 3_000;

    /// <summary>Concurrent clients, each owning the accounts it opens.</summary>
    public int Workers { get; init; } = 4;

    /// <summary>Seeds the clients' and the faults' choices; the same seed makes the same choices.</summary>
    public int Seed { get; init; } = Environment.TickCount & 0x7fffffff;

    /// <summary>Instances of Account, Transactions and Reactor (the AppHost's <c>Services:Replicas</c>); a restart fault restarts one.</summary>
    public int Instances { get; init; } = 1;

    /// <summary>A fault every so often: uniformly between these two.</summary>
    public TimeSpan FaultEveryMin { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan FaultEveryMax { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>After the traffic, how long a command still without a definite answer keeps being retried.</summary>
    public TimeSpan Resolve { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>After the traffic, how long the system may take to become quiet (every copy caught up).</summary>
    public TimeSpan Quiet { get; init; } = TimeSpan.FromMinutes(4);

    /// <summary>The short form, changed by whichever <c>CHAOS_DRILL_*</c> variables are set.</summary>
    public static ChaosOptions FromEnvironment()
    {
        var options = new ChaosOptions();
        if (Number("CHAOS_DRILL_SECONDS") is { } seconds)
        {
            options = options with { Traffic = TimeSpan.FromSeconds(seconds), MaxCommands = int.MaxValue };
        }

        if (Number("CHAOS_DRILL_COMMANDS") is { } commands)
        {
            options = options with { MaxCommands = commands };
        }

        if (Number("CHAOS_DRILL_WORKERS") is { } workers)
        {
            options = options with { Workers = workers };
        }

        if (Number("CHAOS_DRILL_INSTANCES") is { } instances)
        {
            options = options with { Instances = instances };
        }

        if (Number("CHAOS_DRILL_SEED") is { } seed)
        {
            options = options with { Seed = seed };
        }

        return options;
    }

    private static int? Number(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } text
            ? int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture)
            : null;
}
