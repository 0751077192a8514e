namespace EventDriven.KurrentDB.Client;

/// <summary>Filters <c>$all</c> by event type.</summary>
public sealed class EventTypeFilter : EventFilterBase
{
    private EventTypeFilter(IReadOnlyList<string> prefixes, string? regularExpression, uint? maxSearchWindow)
        : base(prefixes, regularExpression, maxSearchWindow)
    {
    }

    /// <summary>Event types that start with any of <paramref name="prefixes"/>.</summary>
    public static EventTypeFilter Prefix(params string[] prefixes) => new(FilterArguments.Prefixes(prefixes), null, null);

    public static EventTypeFilter Prefix(uint maxSearchWindow, params string[] prefixes) =>
        new(FilterArguments.Prefixes(prefixes), null, FilterArguments.Window(maxSearchWindow));

    /// <summary>Event types that match <paramref name="regex"/>.</summary>
    public static EventTypeFilter RegularExpression(string regex, uint? maxSearchWindow = null) =>
        new([], FilterArguments.Regex(regex), FilterArguments.Window(maxSearchWindow));

    /// <summary>Everything but the server's own events, whose types start with <c>$</c>.</summary>
    public static EventTypeFilter ExcludeSystemEvents(uint? maxSearchWindow = null) => RegularExpression(@"^[^\$].*", maxSearchWindow);
}
