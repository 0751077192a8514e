using System.Collections.Concurrent;
using System.Globalization;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace EventDriven.EndToEnd.Tests;

/// <summary>OpenTelemetry's span kinds, as OTLP numbers them.</summary>
public enum SpanKind
{
    Unspecified = 0,
    Internal = 1,
    Server = 2,
    Client = 3,
    Producer = 4,
    Consumer = 5,
}

/// <summary>One exported span: ids, name, kind, the process that exported it, its instrumentation scope and attributes.</summary>
public sealed record ExportedSpan(
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Service,
    string Scope,
    string Name,
    SpanKind Kind,
    IReadOnlyDictionary<string, string> Attributes,
    DateTimeOffset ReceivedAt)
{
    public string? Attribute(string key) => Attributes.TryGetValue(key, out var value) ? value : null;

    public override string ToString() =>
        $"{Service} {Kind} '{Name}' span {SpanId} parent {(ParentSpanId.Length == 0 ? "(none)" : ParentSpanId)} trace {TraceId}";
}

/// <summary>
/// An OTLP/HTTP (protobuf) receiver inside the test: every process of the AppHost exports its spans here, so the test
/// sees every exported span of every process. This rather than the dashboard's telemetry API: the receiver is plain
/// Kestrel and Google.Protobuf's wire reader, needs no dashboard (Aspire.Hosting.Testing leaves it out), no API key and
/// no paging, and it records when each span arrived, which the idle measurement needs. The OTLP messages are read by
/// their field numbers (opentelemetry-proto's trace/v1, common/v1, resource/v1); unknown fields are skipped.
/// Logs and metrics are accepted and dropped.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ExportedSpan> _spans = new();
    private int _requests;
    private TaskCompletionSource _nextExport = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>The base address the exporters get as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (they add <c>/v1/traces</c>).</summary>
    public string Endpoint => _app.Urls.First();

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        // No settings from files or the environment: the test's output folder holds the local KurrentDB server's
        // appsettings.json, whose Kestrel endpoints would otherwise win over the free port asked for below.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            Interlocked.Increment(ref receiver._requests);
            try
            {
                receiver.ReadExportRequest(body.ToArray(), DateTimeOffset.UtcNow);
            }
            catch (InvalidProtocolBufferException exception)
            {
                // Kept for the test's failure messages: a request this reader cannot read is a bug here, not in the exporter.
                receiver.Errors.Enqueue(exception.Message);
                return Results.BadRequest();
            }
            finally
            {
                Interlocked.Exchange(ref receiver._nextExport, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }

            // An empty ExportTraceServiceResponse: everything accepted.
            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/v1/{signal}", () => Results.Bytes([], "application/x-protobuf"));
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Export requests received, and what could not be read, for failure messages.</summary>
    public string Summary => $"{_requests} export requests to {Endpoint}, {_spans.Count} spans ({string.Join(", ", _spans.GroupBy(s => s.Service).Select(g => $"{g.Key} {g.Count()}"))}), unreadable: {string.Join("; ", Errors)}";

    public ConcurrentQueue<string> Errors { get; } = new();

    /// <summary>Completes when the next export request has been read: take it before looking at the spans, then wait on it.</summary>
    public Task NextExport => _nextExport.Task;

    /// <summary>Every span received so far.</summary>
    public IReadOnlyList<ExportedSpan> Spans => [.. _spans];

    public IReadOnlyList<ExportedSpan> SpansOf(string traceId) => [.. _spans.Where(span => span.TraceId == traceId)];

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    // ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
    private void ReadExportRequest(byte[] request, DateTimeOffset receivedAt)
    {
        foreach (var resourceSpans in Fields(ByteString.CopyFrom(request), 1))
        {
            ReadResourceSpans(resourceSpans, receivedAt);
        }
    }

    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
    // Resource { repeated KeyValue attributes = 1; }
    // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }; InstrumentationScope { string name = 1; }
    private void ReadResourceSpans(ByteString resourceSpans, DateTimeOffset receivedAt)
    {
        var service = "";
        foreach (var resource in Fields(resourceSpans, 1))
        {
            service = Attributes(resource).GetValueOrDefault("service.name", "");
        }

        foreach (var scopeSpans in Fields(resourceSpans, 2))
        {
            var scope = "";
            foreach (var instrumentationScope in Fields(scopeSpans, 1))
            {
                foreach (var name in Fields(instrumentationScope, 1))
                {
                    scope = name.ToStringUtf8();
                }
            }

            foreach (var span in Fields(scopeSpans, 2))
            {
                _spans.Enqueue(ReadSpan(span, service, scope, receivedAt));
            }
        }
    }

    // Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; SpanKind kind = 6;
    //        repeated KeyValue attributes = 9; }
    private static ExportedSpan ReadSpan(ByteString bytes, string service, string scope, DateTimeOffset receivedAt)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        var kind = SpanKind.Unspecified;
        var attributes = new Dictionary<string, string>();
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: traceId = Convert.ToHexStringLower(input.ReadBytes().Span); break;
                case 2: spanId = Convert.ToHexStringLower(input.ReadBytes().Span); break;
                case 4: parent = Convert.ToHexStringLower(input.ReadBytes().Span); break;
                case 5: name = input.ReadString(); break;
                case 6: kind = (SpanKind)input.ReadEnum(); break;
                case 9: AddAttribute(input.ReadBytes(), attributes); break;
                default: input.SkipLastField(); break;
            }
        }

        return new ExportedSpan(traceId, spanId, parent, service, scope, name, kind, attributes, receivedAt);
    }

    private static Dictionary<string, string> Attributes(ByteString message)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var keyValue in Fields(message, 1))
        {
            AddAttribute(keyValue, attributes);
        }

        return attributes;
    }

    // KeyValue { string key = 1; AnyValue value = 2; }
    private static void AddAttribute(ByteString keyValue, Dictionary<string, string> attributes)
    {
        string? key = null, value = null;
        var input = keyValue.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: key = input.ReadString(); break;
                case 2: value = ReadAnyValue(input.ReadBytes()); break;
                default: input.SkipLastField(); break;
            }
        }

        if (key is not null)
        {
            attributes[key] = value ?? "";
        }
    }

    // AnyValue { oneof { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    //            ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
    // Scalars as invariant text; arrays, lists and bytes are not needed here and read as empty.
    private static string ReadAnyValue(ByteString anyValue)
    {
        var input = anyValue.CreateCodedInput();
        uint tag;
        var value = "";
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: value = input.ReadString(); break;
                case 2: value = input.ReadBool() ? "true" : "false"; break;
                case 3: value = input.ReadInt64().ToString(CultureInfo.InvariantCulture); break;
                case 4: value = input.ReadDouble().ToString(CultureInfo.InvariantCulture); break;
                default: input.SkipLastField(); break;
            }
        }

        return value;
    }

    /// <summary>The length-delimited occurrences of field <paramref name="number"/> in a message.</summary>
    private static List<ByteString> Fields(ByteString message, int number)
    {
        var fields = new List<ByteString>();
        var input = message.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == number && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                fields.Add(input.ReadBytes());
            }
            else
            {
                input.SkipLastField();
            }
        }

        return fields;
    }
}
