using System.Threading.Channels;
using Confluent.Kafka;
using EventDriven.ServiceDefaults.Lineage;
using MassTransit;
using MassTransit.Mediator;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventDriven.ServiceDefaults.Kafka;

/// <summary>
/// The one way every service consumes Kafka: <b>read → dispatch → retry → park</b>.
/// <list type="number">
/// <item><b>Read</b>: the service's <see cref="IMessageReader"/> turns a message into the contract its consumers take
/// (or null: not for this service).</item>
/// <item><b>Dispatch</b>: MassTransit's mediator hands it to the service's <c>IConsumer&lt;T&gt;</c>, through the
/// retry policy every service shares (<see cref="Microsoft.Extensions.Hosting.ServiceKafkaExtensions.AddServiceKafkaConsumer{TReader}"/>).</item>
/// <item><b>Retry</b>: a transient failure still failing after the mediator's retries gets the same message again after
/// <see cref="ConsumerPipeline.RetryDelay"/>, for as long as it fails; later messages of its partition wait.</item>
/// <item><b>Park</b>: a message that can never apply (<see cref="MessageFailures"/>) goes to the
/// <see cref="DeadLetterStore"/> at once, and the partition moves on.</item>
/// </list>
/// A message's offset is stored for the next commit only after it was applied or parked: at least once, so consumers
/// must be idempotent. Each partition's messages apply in order; how many partitions apply at once is the
/// <see cref="ConsumerGate"/>'s number of permits.
/// </summary>
public sealed partial class KafkaConsumerService(
    IConsumer<string, byte[]> consumer,
    IMessageReader reader,
    IMediator mediator,
    DeadLetterStore deadLetters,
    ConsumerPipeline pipeline,
    ConsumerGate gate,
    LineageRecorder lineage,
    ILogger<KafkaConsumerService> logger) : BackgroundService
{
    /// <summary>Messages read ahead for one partition before reading waits (with more than one partition in parallel).</summary>
    private const int LaneCapacity = 64;

    /// <summary>How often reading looks whether a paused partition's lane has room again.</summary>
    private static readonly TimeSpan HeldPartitionCheck = TimeSpan.FromMilliseconds(50);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // librdkafka's Consume blocks: the loop runs on a thread of its own and waits for the handlers there, so it
        // never holds a thread-pool thread while it waits for messages.
        Task.Factory.StartNew(
            () =>
            {
                if (gate.Permits > 1)
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
    /// stores each offset after the message was applied; at most one lane per permit of the gate applies at once. A lane
    /// that fails retries its message after the retry delay while the other lanes go on. A full lane pauses only its
    /// own partition (librdkafka drops what it fetched ahead for it, and resumes after the message held here) while
    /// reading goes on for the others, so the consumer keeps polling and stays in its group however long a lane waits.
    /// </summary>
    private void ConsumeInLanes(CancellationToken stoppingToken)
    {
        consumer.Subscribe(reader.Topics);
        var lanes = new Dictionary<TopicPartition, (Channel<ConsumeResult<string, byte[]>> Queue, Task Applying)>();
        var held = new Dictionary<TopicPartition, ConsumeResult<string, byte[]>>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (held.Count > 0)
                {
                    ResumeWhereLanesHaveRoom(lanes, held);
                }

                // With partitions paused, come back now and then to see whether their lanes have room.
                if (TryConsume(held.Count > 0 ? HeldPartitionCheck : null, stoppingToken) is not { } result)
                {
                    continue;
                }

                if (!lanes.TryGetValue(result.TopicPartition, out var lane))
                {
                    var queue = Channel.CreateBounded<ConsumeResult<string, byte[]>>(new BoundedChannelOptions(LaneCapacity) { SingleReader = true, SingleWriter = true });
                    lanes[result.TopicPartition] = lane = (queue, Task.Run(() => ApplyInOrderAsync(queue.Reader, stoppingToken), CancellationToken.None));
                }

                if (!lane.Queue.Writer.TryWrite(result))
                {
                    consumer.Pause([result.TopicPartition]);
                    held[result.TopicPartition] = result;
                }
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
            ConsumerClosing.CloseWithinBound(consumer, logger);
        }
    }

    private void ResumeWhereLanesHaveRoom(
        Dictionary<TopicPartition, (Channel<ConsumeResult<string, byte[]>> Queue, Task Applying)> lanes, Dictionary<TopicPartition, ConsumeResult<string, byte[]>> held)
    {
        foreach (var (partition, message) in held.ToList())
        {
            if (lanes[partition].Queue.Writer.TryWrite(message))
            {
                held.Remove(partition);
                try
                {
                    consumer.Resume([partition]);
                }
                catch (KafkaException exception) when (!exception.Error.IsFatal)
                {
                    // A rebalance took the partition meanwhile: its new owner reads it from the last commit.
                    LogConsumeFailed(logger, exception.Error.Reason, exception);
                }
            }
        }
    }

    private async Task ApplyInOrderAsync(ChannelReader<ConsumeResult<string, byte[]>> queue, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var result in queue.ReadAllAsync(stoppingToken))
            {
                while (true)
                {
                    await gate.Semaphore.WaitAsync(stoppingToken);
                    try
                    {
                        await HandleAsync(result, stoppingToken);
                        StoreApplied(result);
                        break;
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                    {
                        LogRetrying(logger, result.Topic, result.Partition.Value, result.Offset.Value, exception);
                    }
                    finally
                    {
                        gate.Semaphore.Release();
                    }

                    await Task.Delay(pipeline.RetryDelay, stoppingToken);
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
        if (DeadLetterStore.IsRedrivenForAnother(result, pipeline.GroupId))
        {
            return;
        }

        object? message;
        try
        {
            message = reader.Read(result);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // What the reader cannot read, it never will.
            using var unreadable = KafkaTelemetry.StartProcess(result, pipeline.GroupId);
            await deadLetters.SendAsync(result, pipeline.GroupId, exception, cancellationToken);
            return;
        }

        if (message is null)
        {
            return;
        }

        using var activity = KafkaTelemetry.StartProcess(result, pipeline.GroupId);
        var report = AppliedLineage.Begin();
        try
        {
            await mediator.Send(message, KafkaDelivery.Stamp(result), cancellationToken);
        }
        catch (Exception exception) when (MessageFailures.IsPermanent(exception))
        {
            await deadLetters.SendAsync(result, pipeline.GroupId, exception, cancellationToken);
            return;
        }

        RecordApplied(result, report, activity);
    }

    /// <summary>
    /// The lineage of an applied message (by its CloudEvents id; a message without one has none). Written after the
    /// handler's own transaction, and off this path (<see cref="LineageRecorder"/>): a crash between the two leaves the
    /// lineage without this record, never the effect applied twice.
    /// </summary>
    private void RecordApplied(ConsumeResult<string, byte[]> result, AppliedLineage report, System.Diagnostics.Activity? activity)
    {
        if (!Guid.TryParse(CloudEventHeaders.Read(result.Message.Headers, "ce_id"), out var eventId))
        {
            return;
        }

        try
        {
            var traceId = activity?.TraceId ?? KafkaTelemetry.ExtractContext(result.Message.Headers).TraceId;
            lineage.Applied(new AppliedEvent(eventId, pipeline.GroupId, result.Topic, result.Partition.Value, result.Offset.Value, DateTimeOffset.UtcNow,
                report.Produced, traceId == default ? null : traceId.ToHexString()));
        }
        catch (Exception exception)
        {
            // The message is applied: a lineage record that cannot be made must not have it applied again.
            LogLineageFailed(logger, result.Topic, result.Partition.Value, result.Offset.Value, exception);
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

    /// <summary>
    /// The next message, waiting at most <paramref name="wait"/> (null: until one comes); null after that, or after a
    /// failure librdkafka recovers from by itself (a rebalance took the partition, or the broker is away).
    /// </summary>
    private ConsumeResult<string, byte[]>? TryConsume(TimeSpan? wait, CancellationToken stoppingToken)
    {
        try
        {
            return wait is { } timeout ? consumer.Consume(timeout) : consumer.Consume(stoppingToken);
        }
        catch (ConsumeException exception) when (!exception.Error.IsFatal)
        {
            LogConsumeFailed(logger, exception.Error.Reason, exception);
            return null;
        }
    }

    private void ConsumeLoop(CancellationToken stoppingToken)
    {
        consumer.Subscribe(reader.Topics);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (TryConsume(null, stoppingToken) is not { } result)
                {
                    continue;
                }

                gate.Semaphore.Wait(stoppingToken);
                var failed = false;
                try
                {
                    HandleAsync(result, stoppingToken).GetAwaiter().GetResult();
                    StoreApplied(result);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogRetrying(logger, result.Topic, result.Partition.Value, result.Offset.Value, exception);
                    failed = true;
                }
                finally
                {
                    gate.Semaphore.Release();
                }

                if (failed)
                {
                    TrySeek(result.TopicPartitionOffset);
                    stoppingToken.WaitHandle.WaitOne(pipeline.RetryDelay);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            ConsumerClosing.CloseWithinBound(consumer, logger);
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

    [LoggerMessage(LogLevel.Warning, "The lineage of {Topic} {Partition}:{Offset} could not be recorded")]
    private static partial void LogLineageFailed(ILogger logger, string topic, int partition, long offset, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Consuming failed ({Reason}); carrying on")]
    private static partial void LogConsumeFailed(ILogger logger, string reason, Exception exception);
}
