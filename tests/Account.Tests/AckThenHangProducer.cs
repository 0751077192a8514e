using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using Confluent.Kafka;

namespace EventDriven.Accounts.Tests;

/// <summary>
/// A producer that lets Kafka acknowledge each message, records it, and then never returns: the relay using it
/// "crashes" after the acknowledgement and before it can confirm anything to PostgreSQL.
/// </summary>
public class AckThenHangProducer : DispatchProxy
{
    private IProducer<string, byte[]> _inner = null!;

    public TaskCompletionSource FirstAcknowledged { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Every message Kafka acknowledged through this producer.</summary>
    public ConcurrentBag<(string Topic, string Key, string EventId)> Acknowledged { get; } = [];

    public static (IProducer<string, byte[]> Producer, AckThenHangProducer Probe) Wrap(IProducer<string, byte[]> inner)
    {
        var proxy = Create<IProducer<string, byte[]>, AckThenHangProducer>();
        var probe = (AckThenHangProducer)(object)proxy;
        probe._inner = inner;
        return (proxy, probe);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var result = targetMethod!.Invoke(_inner, args);
        return targetMethod.Name == nameof(IProducer<string, byte[]>.ProduceAsync)
            ? AcknowledgeThenHangAsync((Task<DeliveryResult<string, byte[]>>)result!, (CancellationToken)args![2]!)
            : result;
    }

    private async Task<DeliveryResult<string, byte[]>> AcknowledgeThenHangAsync(Task<DeliveryResult<string, byte[]>> produce, CancellationToken cancellationToken)
    {
        var delivered = await produce;
        var eventId = delivered.Message.Headers.TryGetLastBytes("ce_id", out var id) ? Encoding.UTF8.GetString(id) : "";
        Acknowledged.Add((delivered.Topic, delivered.Message.Key, eventId));
        FirstAcknowledged.TrySetResult();
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return delivered;
    }
}
