namespace EventDriven.KurrentDB.Client;

/// <summary>Whether the stream read exists.</summary>
public enum ReadState
{
    StreamNotFound,
    Ok,
}
