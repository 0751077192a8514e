namespace EventDriven.KurrentDB.Client;

/// <summary>The stream read does not exist (never written, or soft-deleted).</summary>
public sealed class StreamNotFoundException(string stream, Exception? innerException = null)
    : Exception($"Event stream '{stream}' was not found.", innerException)
{
    public string Stream { get; } = stream;
}
