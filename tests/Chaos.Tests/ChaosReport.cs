using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace EventDriven.Chaos.Tests;

/// <summary>What the drill did and what it found; any finding fails it.</summary>
public sealed class ChaosReport
{
    private long _sent;
    private long _accepted;
    private long _refused;
    private long _unresolved;
    private long _retried;
    private long _retries;

    public required int Seed { get; init; }

    public required ChaosOptions Options { get; init; }

    public ConcurrentDictionary<string, int> CommandsByKind { get; } = new();

    public ConcurrentDictionary<string, int> RefusalsByStatus { get; } = new();

    public ConcurrentDictionary<string, int> FaultsByKind { get; } = new();

    public ConcurrentQueue<string> Findings { get; } = new();

    public long Sent => Interlocked.Read(ref _sent);

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Refused => Interlocked.Read(ref _refused);

    public long Unresolved => Interlocked.Read(ref _unresolved);

    /// <summary>Commands that needed more than one attempt.</summary>
    public long Retried => Interlocked.Read(ref _retried);

    /// <summary>Attempts after the first, over all commands.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    public int Accounts { get; set; }

    public int Differences { get; set; } = -1;

    public int TransfersCompleted { get; set; }

    public int TransfersRefunded { get; set; }

    public int Closed { get; set; }

    /// <summary>Per currency: deposits − withdrawals the client was told of, and the sum of the ledgers' balances.</summary>
    public SortedDictionary<string, (decimal Expected, decimal Ledgers)> Money { get; } = new(StringComparer.Ordinal);

    public TimeSpan TrafficTime { get; set; }

    public TimeSpan QuietAfter { get; set; }

    public TimeSpan Total { get; set; }

    public void Count(string kind, Outcome outcome, int attempts, int? status)
    {
        Interlocked.Increment(ref _sent);
        CommandsByKind.AddOrUpdate(kind, 1, (_, n) => n + 1);
        _ = outcome switch
        {
            Outcome.Accepted => Interlocked.Increment(ref _accepted),
            Outcome.Refused => Interlocked.Increment(ref _refused),
            _ => Interlocked.Increment(ref _unresolved),
        };
        if (outcome == Outcome.Refused)
        {
            RefusalsByStatus.AddOrUpdate($"{kind} {status}", 1, (_, n) => n + 1);
        }

        if (attempts > 1)
        {
            Interlocked.Increment(ref _retried);
            Interlocked.Add(ref _retries, attempts - 1);
        }
    }

    public void Fault(string kind) => FaultsByKind.AddOrUpdate(kind, 1, (_, n) => n + 1);

    public void Find(string finding) => Findings.Enqueue(finding);

    public override string ToString()
    {
        var text = new StringBuilder();
        var i = CultureInfo.InvariantCulture;
        text.AppendLine(i, $"Chaos drill, seed {Seed} (CHAOS_DRILL_SEED={Seed} repeats its choices): {Options.Workers} workers, traffic {TrafficTime.TotalSeconds:F0} s, quiet {QuietAfter.TotalSeconds:F0} s after, {Total.TotalSeconds:F0} s in all.");
        text.AppendLine(i, $"Commands: {Sent} sent, {Accepted} accepted, {Refused} refused, {Unresolved} without a definite answer; {Retried} retried ({Retries} retries with the same key or transaction id).");
        text.AppendLine(i, $"  by kind: {string.Join(", ", CommandsByKind.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"))}");
        text.AppendLine(i, $"  refusals: {string.Join(", ", RefusalsByStatus.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}"))}");
        text.AppendLine(i, $"Faults: {FaultsByKind.Values.Sum()} ({string.Join(", ", FaultsByKind.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"))}).");
        text.AppendLine(i, $"Accounts: {Accounts}, {Closed} closed; transfers: {TransfersCompleted} completed, {TransfersRefunded} refunded.");
        text.AppendLine(i, $"Reconciliation differences: {(Differences < 0 ? "not run" : Differences.ToString(i))}.");
        foreach (var (currency, (expected, ledgers)) in Money)
        {
            text.AppendLine(i, $"Money {currency}: deposits − withdrawals {expected:F2}, ledgers hold {ledgers:F2}: {(expected == ledgers ? "conserved" : "NOT conserved")}.");
        }

        text.AppendLine(i, $"Findings: {Findings.Count}.");
        foreach (var finding in Findings.Take(50))
        {
            text.AppendLine(i, $"  - {finding}");
        }

        return text.ToString();
    }
}
