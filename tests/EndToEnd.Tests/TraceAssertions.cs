using System.Text;

namespace EventDriven.EndToEnd.Tests;

/// <summary>What a journey's trace must be: one connected tree, with every service it touched, and Kafka's spans described by the messaging conventions.</summary>
public static class TraceAssertions
{
    private const string KafkaScope = "EventDriven.Kafka";

    /// <summary>
    /// Waits (spans arrive in each process's export batches) until the journey's trace holds spans of every one of
    /// <paramref name="services"/> and a send and a process span for each of <paramref name="topics"/>, and every span's
    /// parent is in the trace or is the test's root; then checks the messaging attributes of every Kafka span in it.
    /// </summary>
    public static async Task<IReadOnlyList<ExportedSpan>> AssertOneConnectedTraceAsync(
        this SystemFixture fixture, Journey journey, string[] services, string[] topics)
    {
        var deadline = DateTime.UtcNow.AddSeconds(45);
        IReadOnlyList<ExportedSpan> spans;
        List<string> missing;
        while (true)
        {
            // Spans only change when an export arrives: look, then wait for the next one (or the deadline).
            var nextExport = fixture.Telemetry.NextExport;
            spans = fixture.Telemetry.SpansOf(journey.TraceId);
            missing = Problems(journey, spans, services, topics);
            var left = deadline - DateTime.UtcNow;
            if (missing.Count == 0 || left <= TimeSpan.Zero)
            {
                break;
            }

            await Task.WhenAny(nextExport, Task.Delay(left, TestContext.Current.CancellationToken));
        }

        Assert.True(missing.Count == 0, $"The {journey.Name} trace {journey.TraceId} is not whole after 45 s:\n{string.Join('\n', missing)}\n{Describe(spans)}\n"
            + fixture.Telemetry.Summary);

        foreach (var span in spans.Where(span => span.Scope == KafkaScope))
        {
            AssertMessagingAttributes(span);
        }

        TestContext.Current.SendDiagnosticMessage($"{journey.Name}: trace {journey.TraceId}, {spans.Count} spans from {string.Join(", ", spans.Select(s => s.Service).Distinct().Order())}");
        return spans;
    }

    private static List<string> Problems(Journey journey, IReadOnlyList<ExportedSpan> spans, string[] services, string[] topics)
    {
        var problems = new List<string>();
        var ids = spans.Select(span => span.SpanId).ToHashSet();
        problems.AddRange(spans
            .Where(span => span.ParentSpanId != journey.RootSpanId && !ids.Contains(span.ParentSpanId))
            .Select(span => $"parent not in the trace: {span}"));
        problems.AddRange(services
            .Where(service => !spans.Any(span => span.Service == service))
            .Select(service => $"no span of {service}"));
        foreach (var topic in topics)
        {
            if (!spans.Any(span => span is { Scope: KafkaScope, Kind: SpanKind.Producer } && span.Attribute("messaging.destination.name") == topic))
            {
                problems.Add($"no send to {topic}");
            }

            if (!spans.Any(span => span is { Scope: KafkaScope, Kind: SpanKind.Consumer } && span.Attribute("messaging.operation.type") == "process" && span.Attribute("messaging.destination.name") == topic))
            {
                problems.Add($"no process of {topic}");
            }
        }

        return problems;
    }

    /// <summary>
    /// OpenTelemetry's messaging conventions (v1.27+): system, destination, operation type on every Kafka span; a
    /// delivered send knows its partition and offset, as does every receive or process; a consumer names its group.
    /// </summary>
    private static void AssertMessagingAttributes(ExportedSpan span)
    {
        Assert.True(span.Kind is SpanKind.Producer or SpanKind.Consumer, $"A Kafka span is a producer or consumer span: {span}");
        Assert.Equal("kafka", span.Attribute("messaging.system"));
        Assert.False(string.IsNullOrEmpty(span.Attribute("messaging.destination.name")), $"destination name on {span}");
        Assert.Equal(span.Kind == SpanKind.Producer ? "send" : null, span.Kind == SpanKind.Producer ? span.Attribute("messaging.operation.type") : null);
        if (span.Kind == SpanKind.Consumer)
        {
            Assert.True(span.Attribute("messaging.operation.type") is "receive" or "process", $"operation type on {span}");
            Assert.False(string.IsNullOrEmpty(span.Attribute("messaging.consumer.group.name")), $"consumer group on {span}");
        }

        Assert.True(int.TryParse(span.Attribute("messaging.destination.partition.id"), out _), $"partition id on {span}");
        Assert.True(long.TryParse(span.Attribute("messaging.kafka.offset"), out _), $"offset on {span}");
    }

    /// <summary>A trace as an indented tree, for failure messages.</summary>
    public static string Describe(IEnumerable<ExportedSpan> trace)
    {
        var spans = trace.ToList();
        var ids = spans.Select(span => span.SpanId).ToHashSet();
        var text = new StringBuilder();
        void Write(ExportedSpan span, int depth)
        {
            text.Append(' ', depth * 2).AppendLine(span.ToString());
            foreach (var child in spans.Where(s => s.ParentSpanId == span.SpanId))
            {
                Write(child, depth + 1);
            }
        }

        foreach (var root in spans.Where(span => !ids.Contains(span.ParentSpanId)))
        {
            Write(root, 0);
        }

        return text.ToString();
    }
}
