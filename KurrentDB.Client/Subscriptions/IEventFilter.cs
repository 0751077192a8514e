namespace EventDriven.KurrentDB.Client;

/// <summary>A server-side filter of <c>$all</c> by stream name or event type: prefixes or a regular expression.</summary>
public interface IEventFilter
{
    IReadOnlyList<string> Prefixes { get; }

    string? Regex { get; }

    /// <summary>How many events the server may scan without a match before sending a checkpoint; null for its default.</summary>
    uint? MaxSearchWindow { get; }
}
