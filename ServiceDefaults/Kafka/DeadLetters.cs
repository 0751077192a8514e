using System.Text;
using Confluent.Kafka;

namespace EventDriven.ServiceDefaults.Kafka;

/// <summary>
/// How a consumer parks a message it cannot apply on a dead-letter topic: same key, value and headers, plus the error
/// and where the message came from, so that it can be read, fixed and re-driven while the consumer moves on.
/// </summary>
public static class DeadLetters
{
    public static Task SendAsync(
        IProducer<string, byte[]> producer, string deadLetterTopic, ConsumeResult<string, byte[]> result, Exception error, CancellationToken cancellationToken)
    {
        var headers = new Headers();
        foreach (var header in result.Message.Headers ?? [])
        {
            headers.Add(header.Key, header.GetValueBytes());
        }

        headers.Add("error", Encoding.UTF8.GetBytes(error.Message));
        headers.Add("error_type", Encoding.UTF8.GetBytes(error.GetType().FullName ?? "error"));
        headers.Add("source_topic", Encoding.UTF8.GetBytes(result.Topic));
        headers.Add("source_offset", Encoding.UTF8.GetBytes($"{result.Partition.Value}:{result.Offset.Value}"));
        return producer.ProduceAsync(deadLetterTopic, new Message<string, byte[]>
        {
            Key = result.Message.Key,
            Value = result.Message.Value,
            Headers = headers,
        }, cancellationToken);
    }
}
