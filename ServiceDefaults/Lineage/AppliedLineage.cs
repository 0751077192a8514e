using EventDriven.Contracts.Lineage;

namespace EventDriven.ServiceDefaults.Lineage;

/// <summary>
/// How a handler says what applying a message produced (a read model's or a copy's version), for the lineage the
/// consumer pipeline records after it: <c>AppliedLineage.Report("account_overview", version)</c>. The pipeline opens a
/// report around each dispatch (<see cref="Begin"/>); the handler's call, however deep in the mediator, lands in it,
/// since an async call sees its caller's <see cref="AsyncLocal{T}"/>. Outside the pipeline a report goes nowhere.
/// </summary>
public sealed class AppliedLineage
{
    private static readonly AsyncLocal<AppliedLineage?> Current = new();
    private readonly Dictionary<string, long> _produced = [];

    /// <summary>What was reported, one version per name (a retried handler reports again; the last report stands).</summary>
    public IReadOnlyList<AppliedProduct> Produced
    {
        get
        {
            lock (_produced)
            {
                return [.. _produced.Select(p => new AppliedProduct(p.Key, p.Value)).OrderBy(p => p.Name, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Reports that the message being handled produced <paramref name="name"/> at <paramref name="version"/>.</summary>
    public static void Report(string name, long version)
    {
        if (Current.Value is { } report)
        {
            lock (report._produced)
            {
                report._produced[name] = version;
            }
        }
    }

    /// <summary>Opens the report of one message's handling, for the code this call awaits.</summary>
    public static AppliedLineage Begin() => Current.Value = new AppliedLineage();
}
