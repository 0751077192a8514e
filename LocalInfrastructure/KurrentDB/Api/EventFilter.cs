using System.Text.RegularExpressions;
using EventDriven.LocalKurrentDB.Storage;
using Options = EventDriven.KurrentDB.Protocol.Streams.ReadReq.Types.Options;

namespace EventDriven.LocalKurrentDB.Api;

/// <summary>A server-side <c>$all</c> filter on stream names or event types: a regular expression or a set of prefixes.</summary>
internal sealed class EventFilter
{
    /// <summary>KurrentDB's default search window when a filter asks for none.</summary>
    private const uint DefaultWindow = 32;

    private static readonly EventFilter None = new(null, null, [], 0);

    private readonly Func<EventRecord, string>? _subject;
    private readonly Regex? _regex;
    private readonly string[] _prefixes;

    private EventFilter(Func<EventRecord, string>? subject, Regex? regex, string[] prefixes, int checkpointInterval)
    {
        _subject = subject;
        _regex = regex;
        _prefixes = prefixes;
        CheckpointInterval = checkpointInterval;
    }

    /// <summary>How many examined events (matching or not) between two checkpoints: the window times its multiplier.</summary>
    public int CheckpointInterval { get; }

    public static EventFilter From(Options options)
    {
        if (options.FilterOptionCase != Options.FilterOptionOneofCase.Filter)
        {
            return None;
        }

        var filter = options.Filter;
        var (subject, expression) = filter.FilterCase switch
        {
            Options.Types.FilterOptions.FilterOneofCase.StreamIdentifier => ((Func<EventRecord, string>)(e => e.Stream), filter.StreamIdentifier),
            Options.Types.FilterOptions.FilterOneofCase.EventType => (e => e.EventType, filter.EventType),
            _ => throw Wire.InvalidArgument("A filter is on stream names or on event types."),
        };

        Regex? regex = null;
        if (!string.IsNullOrEmpty(expression.Regex))
        {
            try
            {
                regex = new Regex(expression.Regex, RegexOptions.Compiled | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException exception)
            {
                throw Wire.InvalidArgument($"Invalid filter expression: {exception.Message}");
            }
        }

        var window = filter.WindowCase == Options.Types.FilterOptions.WindowOneofCase.Max ? Math.Max(1, filter.Max) : DefaultWindow;
        var interval = (int)Math.Min(int.MaxValue, window * Math.Max(1, filter.CheckpointIntervalMultiplier));
        return new EventFilter(subject, regex, [.. expression.Prefix], interval);
    }

    public bool Matches(EventRecord record)
    {
        if (_subject is null)
        {
            return true;
        }

        var subject = _subject(record);
        return (_regex is not null && _regex.IsMatch(subject))
            || _prefixes.Any(prefix => subject.StartsWith(prefix, StringComparison.Ordinal));
    }
}
