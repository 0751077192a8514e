using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EventDriven.ServiceDefaults.Tests;

[Collection(KafkaCollection.Name)]
public sealed class KafkaRoundTripTests(LocalKafkaBroker broker)
{
    private static readonly string ProbeAssembly = typeof(KafkaRoundTripTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "KafkaProbeAssembly").Value!;

    [Fact]
    public async Task A_message_produced_in_one_process_is_consumed_in_another_with_headers_and_trace_intact()
    {
        var topic = $"round-trip.{Guid.NewGuid():N}";
        await broker.CreateTopicAsync(topic);
        await using var consumerProcess = ChildProcess.StartDotnet(ProbeAssembly, [broker.BootstrapServers, topic, $"probe-{Guid.NewGuid():N}", "3"]);
        Assert.Contains("\"ready\":true", await consumerProcess.ReadLineAsync(TimeSpan.FromSeconds(30)));

        var sends = new List<Activity>();
        using var listener = ListenTo(KafkaTelemetry.ActivitySourceName, sends);
        using var requestSource = new ActivitySource("test.request");
        using var requestListener = ListenTo(requestSource.Name, []);
        using var host = ProducerHost();
        var producer = host.Services.GetRequiredService<IProducer<string, string>>();

        // The request that caused the messages: its trace must reach the consumer in the other process.
        ActivityTraceId requestTrace;
        ActivitySpanId requestSpan;
        using (var request = requestSource.StartActivity("POST /accounts", ActivityKind.Server))
        {
            Assert.NotNull(request);
            (requestTrace, requestSpan) = (request.TraceId, request.SpanId);
            foreach (var (key, value) in new[] { ("acc-1", "opened"), ("acc-1", "address-changed"), ("acc-2", "opened") })
            {
                await producer.ProduceAsync(topic, new Message<string, string>
                {
                    Key = key,
                    Value = value,
                    Headers = new Headers
                    {
                        { "ce_type", Encoding.UTF8.GetBytes($"account.{value}.v1") },
                        { "ce_id", Encoding.UTF8.GetBytes(Guid.NewGuid().ToString()) },
                    },
                }, TestContext.Current.CancellationToken);
            }
        }

        var received = new List<JsonElement>();
        for (var i = 0; i < 3; i++)
        {
            received.Add(JsonDocument.Parse(await consumerProcess.ReadLineAsync(TimeSpan.FromSeconds(30))).RootElement);
        }

        Assert.Equal(0, await consumerProcess.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(3, sends.Count);
        Assert.All(sends, send => Assert.Equal(ActivityKind.Producer, send.Kind));

        foreach (var message in received)
        {
            var value = message.GetProperty("value").GetString();
            var headers = message.GetProperty("headers");
            Assert.Equal($"account.{value}.v1", headers.GetProperty("ce_type").GetString());

            // The producer's span is a child of the request, and its context travelled in the headers.
            var traceparent = headers.GetProperty("traceparent").GetString();
            var send = Assert.Single(sends, s => traceparent == $"00-{s.TraceId}-{s.SpanId}-01");
            Assert.Equal(requestTrace, send.TraceId);
            Assert.Equal(requestSpan, send.ParentSpanId);
            Assert.Equal($"send {topic}", send.DisplayName);

            // The consumer's span, in the other process, continues that trace under the producer's span.
            var span = message.GetProperty("span");
            Assert.Equal($"receive {topic}", span.GetProperty("name").GetString());
            Assert.Equal(nameof(ActivityKind.Consumer), span.GetProperty("kind").GetString());
            Assert.Equal(requestTrace.ToString(), span.GetProperty("traceId").GetString());
            Assert.Equal(send.SpanId.ToString(), span.GetProperty("parentSpanId").GetString());
        }

        // Keyed messages of one account stay in order.
        var account1 = received.Where(m => m.GetProperty("key").GetString() == "acc-1").Select(m => m.GetProperty("value").GetString());
        Assert.Equal(["opened", "address-changed"], account1);
    }

    private IHost ProducerHost()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:kafka"] = broker.BootstrapServers;
        builder.AddKafkaProducer<string, string>("kafka", settings => settings.Config.LingerMs = 0);
        return builder.Build();
    }

    private static ActivityListener ListenTo(string sourceName, List<Activity> stopped)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == sourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (stopped)
                {
                    stopped.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
