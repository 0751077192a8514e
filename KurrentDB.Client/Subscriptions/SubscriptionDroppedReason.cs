namespace EventDriven.KurrentDB.Client;

/// <summary>Why a callback-style subscription stopped.</summary>
public enum SubscriptionDroppedReason
{
    /// <summary>Its owner disposed it.</summary>
    Disposed,

    /// <summary>A handler threw.</summary>
    SubscriberError,

    /// <summary>The server or the connection ended it.</summary>
    ServerError,
}
