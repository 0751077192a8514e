using System.Diagnostics.Metrics;

namespace EventDriven.Reactor.Styles;

/// <summary>The three event styles as consumed here: changes seen, calls to Account's API made, and bytes moved for them.</summary>
public enum EventStyle
{
    Notification,
    Delta,
    State,
}

public static class EventStyles
{
    private static readonly string[] Names = [.. Enum.GetValues<EventStyle>().Select(style => style.ToString().ToLowerInvariant())];

    /// <summary>The style's name in storage and in metric tags: <c>notification</c>, <c>delta</c>, <c>state</c>.</summary>
    public static string Name(this EventStyle style) => Names[(int)style];
}

public sealed record StyleFigures(EventStyle Style, long Changes, long Calls, long Bytes, double CallsPerChange, double BytesPerChange);

/// <summary>Counts per style since the process started; also exported as metrics (<c>reactor.styles.*</c>, tagged by style).</summary>
public sealed class StyleStats
{
    private readonly long[] _changes = new long[3];
    private readonly long[] _calls = new long[3];
    private readonly long[] _bytes = new long[3];
    private readonly Counter<long> _changesCounter;
    private readonly Counter<long> _callsCounter;
    private readonly Counter<long> _bytesCounter;

    public StyleStats(IMeterFactory meters)
    {
        var meter = meters.Create(ReactorTelemetry.Name);
        _changesCounter = meter.CreateCounter<long>("reactor.styles.changes", "{change}", "Account changes applied to each style's copy.");
        _callsCounter = meter.CreateCounter<long>("reactor.styles.calls", "{call}", "Calls to Account's API each style needed.");
        _bytesCounter = meter.CreateCounter<long>("reactor.styles.bytes", "By", "Bytes each style moved: messages, and API responses.");
    }

    public void Record(EventStyle style, long bytes, int calls = 0)
    {
        var tag = new KeyValuePair<string, object?>("style", style.Name());
        Interlocked.Increment(ref _changes[(int)style]);
        Interlocked.Add(ref _calls[(int)style], calls);
        Interlocked.Add(ref _bytes[(int)style], bytes);
        _changesCounter.Add(1, tag);
        _callsCounter.Add(calls, tag);
        _bytesCounter.Add(bytes, tag);
    }

    public IReadOnlyList<StyleFigures> Snapshot() => [.. Enum.GetValues<EventStyle>().Select(style =>
    {
        var (changes, calls, bytes) = (Interlocked.Read(ref _changes[(int)style]), Interlocked.Read(ref _calls[(int)style]), Interlocked.Read(ref _bytes[(int)style]));
        return new StyleFigures(style, changes, calls, bytes, changes == 0 ? 0 : (double)calls / changes, changes == 0 ? 0 : (double)bytes / changes);
    })];
}
