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
        // librdkafka's Consume blocks: give it a thread of its own.
        Task.Factory.StartNew(() => ConsumeLoopAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task ConsumeLoopAsync(CancellationToken stoppingToken)
    {
        consumer.Subscribe(SubscribedTopics);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var result = consumer.Consume(stoppingToken);
                var gate = Gate;
                if (gate is not null)
                {
                    await gate.WaitAsync(stoppingToken);
                }

                var failed = false;
                try
                {
                    await HandleAsync(result, stoppingToken);
                    consumer.Commit(result);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogRetrying(logger, result.Topic, result.Partition.Value, result.Offset.Value, exception);
                    consumer.Seek(result.TopicPartitionOffset);
                    failed = true;
                }
                finally
                {
                    gate?.Release();
                }

                if (failed)
                {
                    await Task.Delay(RetryDelay, stoppingToken);
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

    [LoggerMessage(LogLevel.Warning, "Applying {Topic} {Partition}:{Offset} failed; retrying it")]
    private static partial void LogRetrying(ILogger logger, string topic, int partition, long offset, Exception exception);
}
