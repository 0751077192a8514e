namespace EventDriven.KurrentDB.Client;

/// <summary>What <see cref="StreamFilter"/> and <see cref="EventTypeFilter"/> share: prefixes or a regex, and a search window.</summary>
public abstract class EventFilterBase : IEventFilter
{
    private protected EventFilterBase(IReadOnlyList<string> prefixes, string? regularExpression, uint? maxSearchWindow)
    {
        Prefixes = prefixes;
        Regex = regularExpression;
        MaxSearchWindow = maxSearchWindow;
    }

    public IReadOnlyList<string> Prefixes { get; }

    public string? Regex { get; }

    public uint? MaxSearchWindow { get; }

    public override string ToString() => $"{GetType().Name}({Regex ?? string.Join('|', Prefixes)})";
}
