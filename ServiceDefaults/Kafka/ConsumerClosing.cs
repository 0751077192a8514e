using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace EventDriven.ServiceDefaults.Kafka;

/// <summary>
/// Closes a consumer (commit what is stored, leave the group) within a bound. librdkafka's close waits for the group
/// coordinator, up to the session timeout, when the broker is away or not yet reconnected; a host that waits that long
/// overruns its orchestrator's stop timeout and is not restarted. Past the bound the process goes on stopping without a
/// clean close: offsets stored since the last auto-commit are read again by the group's next owner (consumers are
/// idempotent), and the coordinator drops the member after its session timeout. A consumer whose close was abandoned
/// is not disposed either: librdkafka's destroy would wait for the same close.
/// </summary>
public static partial class ConsumerClosing
{
    /// <summary>Abandoned closes by client name (librdkafka's names are unique in a process).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task> Abandoned = new(StringComparer.Ordinal);

    /// <summary>How long a stopping service gives its consumer to close cleanly.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(3);

    /// <summary>True when <paramref name="consumer"/> closed within <see cref="Bound"/>.</summary>
    public static bool CloseWithinBound<TKey, TValue>(IConsumer<TKey, TValue> consumer, ILogger logger)
    {
        // The name before the close: a closed consumer's handle is gone, and its name with it.
        var name = consumer.Name;
        var closing = Task.Factory.StartNew(consumer.Close, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        // Known before the wait: a host that gives up stopping meanwhile disposes its services, and the consumer's
        // dispose must see a close still running (WasAbandoned), not destroy the client beside it.
        Abandoned[name] = closing;
        try
        {
            if (closing.Wait(Bound))
            {
                return true;
            }
        }
        catch (AggregateException exception)
        {
            LogCloseFailed(logger, name, exception.InnerException ?? exception);
            return false;
        }

        LogCloseAbandoned(logger, name, Bound);
        return false;
    }

    /// <summary>True when the close of the client named <paramref name="name"/> was abandoned and may still be running.</summary>
    public static bool WasAbandoned(string name) => Abandoned.TryGetValue(name, out var closing) && !closing.IsCompleted;

    [LoggerMessage(LogLevel.Warning, "Consumer {Consumer} did not close within {Bound} (the broker is away?); stopping without leaving its group cleanly")]
    private static partial void LogCloseAbandoned(ILogger logger, string consumer, TimeSpan bound);

    [LoggerMessage(LogLevel.Warning, "Consumer {Consumer} failed to close cleanly")]
    private static partial void LogCloseFailed(ILogger logger, string consumer, Exception exception);
}
