using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using EventDriven.ServiceDefaults.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Usage: KafkaProbe <bootstrap servers> <topic> <group id> <message count>
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: KafkaProbe <bootstrap servers> <topic> <group id> <message count>");
    return 2;
}

var (bootstrap, topic, groupId, count) = (args[0], args[1], args[2], int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));

var receiveSpans = new ConcurrentQueue<Activity>();
using var listener = new ActivityListener
{
    ShouldListenTo = source => source.Name == KafkaTelemetry.ActivitySourceName,
    Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    ActivityStopped = receiveSpans.Enqueue,
};
ActivitySource.AddActivityListener(listener);

var builder = Host.CreateApplicationBuilder();
builder.Configuration["ConnectionStrings:kafka"] = bootstrap;
builder.AddKafkaConsumer<string, string>("kafka", settings =>
{
    settings.Config.GroupId = groupId;
    settings.Config.AutoOffsetReset = AutoOffsetReset.Earliest;
});
using var host = builder.Build();

var consumer = host.Services.GetRequiredService<IConsumer<string, string>>();
consumer.Subscribe(topic);
Console.Out.WriteLine(JsonSerializer.Serialize(new { ready = true, process = Environment.ProcessId }));

using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
for (var received = 0; received < count; received++)
{
    var result = consumer.Consume(deadline.Token);
    receiveSpans.TryDequeue(out var span);
    Console.Out.WriteLine(JsonSerializer.Serialize(new
    {
        key = result.Message.Key,
        value = result.Message.Value,
        partition = result.Partition.Value,
        headers = result.Message.Headers.ToDictionary(h => h.Key, h => Encoding.UTF8.GetString(h.GetValueBytes())),
        span = span is null ? null : new
        {
            name = span.DisplayName,
            traceId = span.TraceId.ToString(),
            parentSpanId = span.ParentSpanId.ToString(),
            kind = span.Kind.ToString(),
        },
    }));
}

consumer.Close();
return 0;
