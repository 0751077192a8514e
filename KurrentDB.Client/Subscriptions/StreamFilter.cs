namespace EventDriven.KurrentDB.Client;

/// <summary>Filters <c>$all</c> by stream name.</summary>
public sealed class StreamFilter : EventFilterBase
{
    private StreamFilter(IReadOnlyList<string> prefixes, string? regularExpression, uint? maxSearchWindow)
        : base(prefixes, regularExpression, maxSearchWindow)
    {
    }

    /// <summary>Streams whose names start with any of <paramref name="prefixes"/>.</summary>
    public static StreamFilter Prefix(params string[] prefixes) => new(FilterArguments.Prefixes(prefixes), null, null);

    public static StreamFilter Prefix(uint maxSearchWindow, params string[] prefixes) =>
        new(FilterArguments.Prefixes(prefixes), null, FilterArguments.Window(maxSearchWindow));

    /// <summary>Streams whose names match <paramref name="regex"/>.</summary>
    public static StreamFilter RegularExpression(string regex, uint? maxSearchWindow = null) =>
        new([], FilterArguments.Regex(regex), FilterArguments.Window(maxSearchWindow));
}
