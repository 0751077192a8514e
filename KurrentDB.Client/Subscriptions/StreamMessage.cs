namespace EventDriven.KurrentDB.Client;

/// <summary>What a subscription delivers: events, and the control messages that say where it stands.</summary>
public abstract record StreamMessage
{
    private protected StreamMessage()
    {
    }

    /// <summary>An event, in log order.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716", Justification = "The official client's name; keeping it makes a swap a small change.")]
    public sealed record Event(ResolvedEvent ResolvedEvent) : StreamMessage;

    /// <summary>The server accepted the subscription; always the first message.</summary>
    public sealed record SubscriptionConfirmation(string SubscriptionId) : StreamMessage;

    /// <summary>A filtered <c>$all</c> subscription has scanned up to <paramref name="Position"/>: a safe checkpoint.</summary>
    public sealed record AllStreamCheckpointReached(Position Position) : StreamMessage;

    /// <summary>The subscription has delivered everything written so far and is now live.</summary>
    public sealed record CaughtUp : StreamMessage
    {
        public static readonly CaughtUp Instance = new();
    }

    /// <summary>The subscription fell behind the live log and is catching up again.</summary>
    public sealed record FellBehind : StreamMessage
    {
        public static readonly FellBehind Instance = new();
    }

    /// <summary>The stream does not exist.</summary>
    public sealed record NotFound : StreamMessage
    {
        public static readonly NotFound Instance = new();
    }
}
