using Microsoft.Extensions.Logging;

namespace EventDriven.KurrentDB.Client;

/// <summary>The client's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(LogLevel.Debug, "KurrentDB client '{ConnectionName}' connects to {Address}")]
    public static partial void ClientCreated(ILogger logger, string connectionName, Uri address);

    [LoggerMessage(LogLevel.Debug, "Subscription {SubscriptionId} to {Target} confirmed")]
    public static partial void SubscriptionConfirmed(ILogger logger, string? subscriptionId, string target);

    [LoggerMessage(LogLevel.Warning, "Subscription {SubscriptionId} to {Target} dropped: {Reason}")]
    public static partial void SubscriptionDropped(ILogger logger, Exception? exception, string? subscriptionId, string target, SubscriptionDroppedReason reason);

    [LoggerMessage(LogLevel.Debug, "Subscription {SubscriptionId} to {Target} disposed")]
    public static partial void SubscriptionDisposed(ILogger logger, string? subscriptionId, string target);
}
