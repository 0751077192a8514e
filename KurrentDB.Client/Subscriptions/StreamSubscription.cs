using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EventDriven.KurrentDB.Client;

/// <summary>
/// A callback-style subscription: a background loop hands each event to a handler, one at a time, until disposed or
/// dropped. A thin layer over <see cref="StreamSubscriptionResult"/>, kept for the official client's API shape.
/// </summary>
public sealed class StreamSubscription : IDisposable
{
    private readonly StreamSubscriptionResult _result;
    private readonly IAsyncEnumerator<StreamMessage> _messages;
    private readonly Handlers _handlers;
    private readonly Uri? _tracedServer;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private int _dropped;

    private StreamSubscription(
        StreamSubscriptionResult result, IAsyncEnumerator<StreamMessage> messages, string subscriptionId, Handlers handlers, Uri? tracedServer, ILogger logger)
    {
        _result = result;
        _messages = messages;
        SubscriptionId = subscriptionId;
        _handlers = handlers;
        _tracedServer = tracedServer;
        _logger = logger;
    }

    public string SubscriptionId { get; }

    /// <summary>Stops the subscription; the dropped callback is told <see cref="SubscriptionDroppedReason.Disposed"/>.</summary>
    public void Dispose()
    {
        if (Drop(SubscriptionDroppedReason.Disposed, null))
        {
            _stopping.Cancel();
            _result.Dispose();
        }
    }

    internal sealed record Handlers(
        Func<StreamSubscription, ResolvedEvent, CancellationToken, Task> EventAppeared,
        Func<StreamSubscription, Position, CancellationToken, Task>? CheckpointReached,
        Action<StreamSubscription, SubscriptionDroppedReason, Exception?>? Dropped);

    /// <summary>Waits for the server's confirmation, then starts handing events to the handlers in the background.</summary>
    internal static async Task<StreamSubscription> StartAsync(
        StreamSubscriptionResult result, Handlers handlers, Uri? tracedServer, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handlers.EventAppeared);
        var messages = result.Messages.GetAsyncEnumerator(CancellationToken.None);
        try
        {
            // The server confirms before anything else.
            if (!await messages.MoveNextAsync().ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new InvalidOperationException($"The subscription to {result.Target} ended before the server confirmed it.");
            }

            if (messages.Current is not StreamMessage.SubscriptionConfirmation confirmation)
            {
                throw new InvalidOperationException($"The server sent {messages.Current.GetType().Name} before confirming the subscription to {result.Target}.");
            }

            var subscription = new StreamSubscription(result, messages, confirmation.SubscriptionId, handlers, tracedServer, logger);
            Log.SubscriptionConfirmed(logger, subscription.SubscriptionId, result.Target);
            _ = Task.Run(subscription.PumpAsync, CancellationToken.None);
            return subscription;
        }
        catch
        {
            await messages.DisposeAsync().ConfigureAwait(false);
            await result.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task PumpAsync()
    {
        try
        {
            while (await MoveNextAsync().ConfigureAwait(false))
            {
                switch (_messages.Current)
                {
                    case StreamMessage.Event message:
                        await HandleAsync(message.ResolvedEvent).ConfigureAwait(false);
                        break;
                    case StreamMessage.AllStreamCheckpointReached checkpoint when _handlers.CheckpointReached is { } checkpointReached:
                        await checkpointReached(this, checkpoint.Position, _stopping.Token).ConfigureAwait(false);
                        break;
                }
            }

            // A subscription only ends by being disposed (or cancelled); anything else is the server's doing.
            Drop(_result.IsDisposed ? SubscriptionDroppedReason.Disposed : SubscriptionDroppedReason.ServerError, null);
        }
        catch (ServerException exception)
        {
            Drop(SubscriptionDroppedReason.ServerError, exception.InnerException);
        }
        catch (Exception exception) when (!_stopping.IsCancellationRequested)
        {
            Drop(SubscriptionDroppedReason.SubscriberError, exception);
        }
        catch (OperationCanceledException)
        {
            // Disposed while a handler was running.
        }
        finally
        {
            await _messages.DisposeAsync().ConfigureAwait(false);
            _result.Dispose();
        }
    }

    private async Task<bool> MoveNextAsync()
    {
        try
        {
            return await _messages.MoveNextAsync().ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            throw new ServerException(exception);
        }
    }

    private async Task HandleAsync(ResolvedEvent resolvedEvent)
    {
        // The handler runs inside the delivery span, so its own work (database writes, sends) joins the writer's trace.
        using var activity = _tracedServer is null ? null : KurrentDBTelemetry.StartDelivery(resolvedEvent, SubscriptionId, _tracedServer);
        try
        {
            await _handlers.EventAppeared(this, resolvedEvent, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            KurrentDBTelemetry.RecordError(activity, exception);
            throw;
        }
    }

    private bool Drop(SubscriptionDroppedReason reason, Exception? exception)
    {
        if (Interlocked.Exchange(ref _dropped, 1) != 0)
        {
            return false;
        }

        if (reason == SubscriptionDroppedReason.Disposed)
        {
            Log.SubscriptionDisposed(_logger, SubscriptionId, _result.Target);
        }
        else
        {
            Log.SubscriptionDropped(_logger, exception, SubscriptionId, _result.Target, reason);
        }

        _handlers.Dropped?.Invoke(this, reason, exception);
        return true;
    }

    // Tells the server's failures apart from the handlers' on the way out of the loop.
    private sealed class ServerException(Exception inner) : Exception(inner.Message, inner);
}
