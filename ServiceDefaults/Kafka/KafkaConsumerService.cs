using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventDriven.ServiceDefaults.Kafka;

/// <summary>
/// A consumer group member that applies one message at a time and commits its offset only after the message was
/// applied — at least once, so handlers must be idempotent. A handler that throws (the database away, say) gets the
/// same message again after a pause, and later messages of the partition wait; a handler deals with unreadable
/// messages itself (see <see cref="DeadLetters"/>), so that they do not stall the partition.
/// </summary>
public abstract partial class KafkaConsumerService(IConsumer<string, byte[]> consumer, ILogger logger) : BackgroundService
{
    protected abstract IReadOnlyList<string> SubscribedTopics { get; }

    protected abstract Task HandleAsync(ConsumeResult<string, byte[]> result, CancellationToken cancellationToken);

    protected virtual TimeSpan RetryDelay => TimeSpan.FromSeconds(1);

    /// <summary>
    /// Held while a message is applied and its offset committed: whoever else takes it sees no message half done (a
    /// rebuild that must catch up to exactly what was committed, say). None by default.
    /// </summary>
    protected virtual SemaphoreSlim? Gate => null;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // librdkafka's Consume blocks: the loop runs on a thread of its own and waits for the handlers there, so it
        // never holds a thread-pool thread while it waits for messages.
        Task.Factory.StartNew(() => ConsumeLoop(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void ConsumeLoop(CancellationToken stoppingToken)
    {
        consumer.Subscribe(SubscribedTopics);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                ConsumeResult<string, byte[]> result;
                try
                {
                    result = consumer.Consume(stoppingToken);
                }
                catch (ConsumeException exception) when (!exception.Error.IsFatal)
                {
                    // E.g. a rebalance took the partition, or the broker is away: librdkafka recovers by itself.
                    LogConsumeFailed(logger, exception.Error.Reason, exception);
                    continue;
                }

                var gate = Gate;
                gate?.Wait(stoppingToken);
                var failed = false;
                try
                {
                    HandleAsync(result, stoppingToken).GetAwaiter().GetResult();
                    consumer.Commit(result);
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
