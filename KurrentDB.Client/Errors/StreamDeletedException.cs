namespace EventDriven.KurrentDB.Client;

/// <summary>The stream was tombstoned (hard-deleted): it can be neither read nor written again.</summary>
public sealed class StreamDeletedException(string stream, Exception? innerException = null)
    : Exception($"Event stream '{stream}' is deleted.", innerException)
{
    public string Stream { get; } = stream;
}
