using Confluent.Kafka;

namespace EventDriven.ServiceDefaults.Kafka;

/// <summary>
/// What a service writes for the consumer pipeline: which topics it reads, and how a message becomes the contract its
/// <c>IConsumer&lt;T&gt;</c> classes take.
/// </summary>
public interface IMessageReader
{
    IReadOnlyList<string> Topics { get; }

    /// <summary>
    /// The message as the service's consumers take it; null for a message the service does not react to (no span, no
    /// dispatch). Whatever it throws (but a cancellation) means the message can never be read: it is parked.
    /// </summary>
    object? Read(ConsumeResult<string, byte[]> result);
}

/// <summary>How a service's <see cref="KafkaConsumerService"/> runs.</summary>
/// <param name="GroupId">The consumer group, as the process spans name it.</param>
/// <param name="RetryDelay">The pause before a transiently failing message is offered again.</param>
public sealed record ConsumerPipeline(string GroupId, TimeSpan RetryDelay);

/// <summary>
/// One permit per partition that may apply at once, held while a message is applied and its offset stored: whoever
/// takes every permit (<see cref="PauseAsync"/>) sees no message half done — a rebuild that must catch up to exactly
/// what was committed, say. One permit applies one message at a time across all partitions. More lets a consumer whose
/// every message waits on its own commit keep up with several partitions' traffic, each partition still in order; its
/// consumers must then be safe to run side by side for different keys.
/// </summary>
public sealed class ConsumerGate(int permits) : IDisposable
{
    private readonly SemaphoreSlim _pausing = new(1, 1);

    public int Permits { get; } = permits;

    public SemaphoreSlim Semaphore { get; } = new(permits, permits);

    /// <summary>Waits until no message is being applied and holds the consumer off until <see cref="Resume"/>.</summary>
    public async Task PauseAsync(CancellationToken cancellationToken)
    {
        await _pausing.WaitAsync(cancellationToken);
        var taken = 0;
        try
        {
            for (; taken < Permits; taken++)
            {
                await Semaphore.WaitAsync(cancellationToken);
            }
        }
        catch
        {
            if (taken > 0)
            {
                Semaphore.Release(taken);
            }

            _pausing.Release();
            throw;
        }
    }

    public void Resume()
    {
        Semaphore.Release(Permits);
        _pausing.Release();
    }

    public void Dispose()
    {
        Semaphore.Dispose();
        _pausing.Dispose();
    }
}
