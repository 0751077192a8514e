using System.Threading.Channels;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventDriven.ServiceDefaults.Kafka;

/// <summary>
/// A consumer group member that applies each partition's messages in order (one message at a time overall, unless
/// <see cref="PartitionsInParallel"/> says otherwise) and stores a message's offset for the next commit only after the
/// message was applied — at least once, so handlers must be idempotent. A handler that throws (the database away, say) gets the
/// same message again after a pause, and later messages of the partition wait; a handler deals with unreadable
/// messages itself (see <see cref="DeadLetters"/>), so that they do not stall the partition.
/// </summary>
public abstract partial class KafkaConsumerService(IConsumer<string, byte[]> consumer, ILogger logger) : BackgroundService
{
    protected abstract IReadOnlyList<string> SubscribedTopics { get; }

    protected abstract Task HandleAsync(ConsumeResult<string, byte[]> result, CancellationToken cancellationToken);

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
