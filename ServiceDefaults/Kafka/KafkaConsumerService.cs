using System.Threading.Channels;
using Confluent.Kafka;
using MassTransit.Mediator;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventDriven.ServiceDefaults.Kafka;

/// <summary>
/// The one way every service consumes Kafka: <b>read → dispatch → retry → park</b>.
/// <list type="number">
/// <item><b>Read</b>: the service's <see cref="Read"/> turns a message into the contract its consumers take (or null:
/// not for this service).</item>
/// <item><b>Dispatch</b>: MassTransit's mediator hands it to the service's <c>IConsumer&lt;T&gt;</c>, through the
/// filters and the retry policy every service shares (<see cref="Microsoft.Extensions.Hosting.ServiceKafkaExtensions.AddServiceKafkaConsumer"/>).</item>
/// <item><b>Retry</b>: a transient failure still failing after the mediator's retries gets the same message again after
/// <see cref="RetryDelay"/>, for as long as it fails; later messages of its partition wait.</item>
/// <item><b>Park</b>: a message that can never apply (<see cref="MessageFailures"/>) goes to the
/// <see cref="DeadLetterStore"/> at once, and the partition moves on.</item>
/// </list>
/// A message's offset is stored for the next commit only after it was applied or parked: at least once, so consumers
/// must be idempotent. Each partition's messages apply in order (one message at a time overall, unless
/// <see cref="PartitionsInParallel"/> says otherwise).
/// </summary>
public abstract partial class KafkaConsumerService(
    IConsumer<string, byte[]> consumer, IMediator mediator, DeadLetterStore deadLetters, ILogger logger) : BackgroundService
{
    /// <summary>The consumer group, as the process spans name it.</summary>
    protected abstract string GroupId { get; }

    protected abstract IReadOnlyList<string> SubscribedTopics { get; }

    /// <summary>
    /// The message as the service's consumers take it; null for a message the service does not react to (no span, no
    /// dispatch). Throws one of <see cref="MessageFailures.CanNeverApply"/> for a message that can never be read.
    /// </summary>
    protected abstract object? Read(ConsumeResult<string, byte[]> result);

    protected virtual TimeSpan RetryDelay => TimeSpan.FromSeconds(1);

    /// <summary>Messages read ahead for one partition before reading waits (with <see cref="PartitionsInParallel"/> &gt; 1).</summary>
    private const int LaneCapacity = 64;

    /// <summary>
    /// Held (one permit per message) while a message is applied and its offset stored: whoever takes every permit
    /// sees no message half done (a rebuild that must catch up to exactly what was committed, say). None by default.
    /// </summary>
    protected virtual SemaphoreSlim? Gate => null;

    /// <summary>
    /// How many partitions may be applied at once, each still one message at a time and in order. 1 (the default)
    /// applies one message at a time across all partitions. More lets a consumer whose every message waits on its own
    /// database commit keep up with several partitions' traffic; its handlers must then be safe to run side by side for
    /// different keys, and the <see cref="Gate"/> must hold as many permits.
    /// </summary>
    protected virtual int PartitionsInParallel => 1;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // librdkafka's Consume blocks: the loop runs on a thread of its own and waits for the handlers there, so it
        // never holds a thread-pool thread while it waits for messages.
        Task.Factory.StartNew(
            () =>
            {
                if (PartitionsInParallel > 1)
                {
                    ConsumeInLanes(stoppingToken);
                }
                else
                {
                    ConsumeLoop(stoppingToken);
                }
            },
            stoppingToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

    /// <summary>
    /// Reads on this thread and hands each message to its partition's lane, which applies its messages in order and
    /// stores each offset after the message was applied; at most <see cref="PartitionsInParallel"/> lanes apply at once. A lane that
    /// fails retries its message after <see cref="RetryDelay"/> while the other lanes go on; a full lane holds up the
    /// reading (back-pressure).
    /// </summary>
    private void ConsumeInLanes(CancellationToken stoppingToken)
    {
        consumer.Subscribe(SubscribedTopics);
        var lanes = new Dictionary<TopicPartition, (Channel<ConsumeResult<string, byte[]>> Queue, Task Applying)>();
        using var slots = new SemaphoreSlim(PartitionsInParallel, PartitionsInParallel);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (TryConsume(stoppingToken) is not { } result)
                {
                    continue;
                }

                if (!lanes.TryGetValue(result.TopicPartition, out var lane))
                {
                    var queue = Channel.CreateBounded<ConsumeResult<string, byte[]>>(new BoundedChannelOptions(LaneCapacity) { SingleReader = true, SingleWriter = true });
                    lanes[result.TopicPartition] = lane = (queue, Task.Run(() => ApplyInOrderAsync(queue.Reader, slots, stoppingToken), CancellationToken.None));
                }

                lane.Queue.Writer.WriteAsync(result, stoppingToken).AsTask().GetAwaiter().GetResult();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var (queue, _) in lanes.Values)
            {
                queue.Writer.TryComplete();
            }

            // The lanes store offsets through this consumer: let them stop before it closes (and commits them).
            Task.WaitAll([.. lanes.Values.Select(lane => lane.Applying)]);
            consumer.Close();
        }
    }

    private async Task ApplyInOrderAsync(ChannelReader<ConsumeResult<string, byte[]>> queue, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var result in queue.ReadAllAsync(stoppingToken))
            {
                while (true)
                {
                    await slots.WaitAsync(stoppingToken);
                    var gate = Gate;
                    try
                    {
                        if (gate is not null)
                        {
                            await gate.WaitAsync(stoppingToken);
                        }

                        try
                        {
                            await HandleAsync(result, stoppingToken);
                            StoreApplied(result);
                            break;
                        }
                        finally
                        {
                            gate?.Release();
                        }
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                    {
                        LogRetrying(logger, result.Topic, result.Partition.Value, result.Offset.Value, exception);
                    }
                    finally
                    {
                        slots.Release();
                    }

                    await Task.Delay(RetryDelay, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Reads, dispatches, and parks what can never apply; a transient failure is thrown, for the loop to retry.</summary>
    private async Task HandleAsync(ConsumeResult<string, byte[]> result, CancellationToken cancellationToken)
    {
        object? message;
        try
        {
            message = Read(result);
        }
        catch (Exception exception) when (MessageFailures.IsPermanent(exception))
        {
            using var unreadable = KafkaTelemetry.StartProcess(result, GroupId);
            await deadLetters.SendAsync(result, exception, cancellationToken);
            return;
        }

        if (message is null)
        {
            return;
        }

        using var activity = KafkaTelemetry.StartProcess(result, GroupId);
        try
        {
            await mediator.Send(message, cancellationToken);
        }
        catch (Exception exception) when (MessageFailures.IsPermanent(exception))
        {
            await deadLetters.SendAsync(result, exception, cancellationToken);
        }
    }

    /// <summary>
    /// Stores an applied message's offset for the next commit. If a rebalance took the partition meanwhile, it is not
    /// stored, and the partition's new owner applies the message again from the last commit (handlers are idempotent).
    /// </summary>
    private void StoreApplied(ConsumeResult<string, byte[]> result)
    {
        try
        {
            consumer.StoreOffset(result);
        }
        catch (KafkaException exception) when (!exception.Error.IsFatal)
        {
            LogConsumeFailed(logger, exception.Error.Reason, exception);
        }
    }

    /// <summary>The next message; null after a failure librdkafka recovers from by itself (a rebalance took the partition, or the broker is away).</summary>
    private ConsumeResult<string, byte[]>? TryConsume(CancellationToken stoppingToken)
    {
        try
        {
            return consumer.Consume(stoppingToken);
        }
        catch (ConsumeException exception) when (!exception.Error.IsFatal)
        {
            LogConsumeFailed(logger, exception.Error.Reason, exception);
            return null;
        }
    }

    private void ConsumeLoop(CancellationToken stoppingToken)
    {
        consumer.Subscribe(SubscribedTopics);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (TryConsume(stoppingToken) is not { } result)
                {
                    continue;
                }

                var gate = Gate;
                gate?.Wait(stoppingToken);
                var failed = false;
                try
                {
                    HandleAsync(result, stoppingToken).GetAwaiter().GetResult();
                    consumer.StoreOffset(result);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogRetrying(logger, result.Topic, result.Partition.Value, result.Offset.Value, exception);
                    failed = true;
                }
                finally
                {
                    gate?.Release();
                }

                if (failed)
                {
                    TrySeek(result.TopicPartitionOffset);
                    stoppingToken.WaitHandle.WaitOne(RetryDelay);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            consumer.Close();
        }
    }

    /// <summary>Back to the failed message; if the partition went elsewhere in a rebalance, its new owner starts from the commit.</summary>
    private void TrySeek(TopicPartitionOffset offset)
    {
        try
        {
            consumer.Seek(offset);
        }
        catch (KafkaException exception) when (!exception.Error.IsFatal)
        {
            LogConsumeFailed(logger, exception.Error.Reason, exception);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Applying {Topic} {Partition}:{Offset} failed; retrying it")]
    private static partial void LogRetrying(ILogger logger, string topic, int partition, long offset, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Consuming failed ({Reason}); carrying on")]
    private static partial void LogConsumeFailed(ILogger logger, string reason, Exception exception);
}
