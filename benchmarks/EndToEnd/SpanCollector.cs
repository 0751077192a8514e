using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EventDriven.Benchmarks.EndToEnd;

/// <summary>One finished span, as the services exported it.</summary>
public sealed record Span(string TraceId, string SpanId, string ParentSpanId, string Service, string Name, DateTime Start, DateTime End);

/// <summary>
/// An OTLP/HTTP (protobuf) receiver for traces, in this process: the services export their spans here instead of to
/// the dashboard, and the benchmark reads each request's hops from them. Only the fields it needs are decoded.
/// </summary>
public sealed class SpanCollector : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Span>> _byTrace = new();

    private SpanCollector(WebApplication app) => _app = app;

    public string Endpoint => _app.Urls.First();

    /// <summary>Spans of the traces this benchmark started; others (health checks, background work) are not kept.</summary>
    public Func<string, bool> Keep { get; set; } = _ => true;

    public static async Task<SpanCollector> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        // No settings from files: the output folder holds the local KurrentDB server's appsettings.json, whose Kestrel
        // endpoints (2113, HTTP/2 only) would win over the free port asked for below.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var collector = new SpanCollector(app);
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            collector.Read(body.ToArray());
            // An empty ExportTraceServiceResponse: everything accepted.
            return Microsoft.AspNetCore.Http.Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/v1/{signal}", () => Microsoft.AspNetCore.Http.Results.Bytes([], "application/x-protobuf"));
        await app.StartAsync();
        return collector;
    }

    public IReadOnlyList<Span> SpansOf(string traceId) =>
        _byTrace.TryGetValue(traceId, out var spans) ? [.. spans] : [];

    public void Clear() => _byTrace.Clear();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    // ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1 }
    private void Read(byte[] request)
    {
        var input = new CodedInputStream(request);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1)
            {
                ReadResourceSpans(input.ReadBytes());
            }
            else
            {
                input.SkipLastField();
            }
        }
    }

    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2 }
    private void ReadResourceSpans(ByteString bytes)
    {
        var service = "";
        var scopes = new List<ByteString>();
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    service = ReadServiceName(input.ReadBytes());
                    break;
                case 2:
                    scopes.Add(input.ReadBytes());
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        foreach (var scope in scopes)
        {
            // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2 }
            var scopeInput = scope.CreateCodedInput();
            while ((tag = scopeInput.ReadTag()) != 0)
            {
                if (WireFormat.GetTagFieldNumber(tag) == 2)
                {
                    Add(ReadSpan(scopeInput.ReadBytes(), service));
                }
                else
                {
                    scopeInput.SkipLastField();
                }
            }
        }
    }

    private void Add(Span span)
    {
        if (Keep(span.TraceId))
        {
            _byTrace.GetOrAdd(span.TraceId, _ => new()).Enqueue(span);
        }
    }

    // Resource { repeated KeyValue attributes = 1 }; KeyValue { string key = 1; AnyValue value = 2 }; AnyValue { string string_value = 1 }
    private static string ReadServiceName(ByteString resource)
    {
        var input = resource.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) != 1)
            {
                input.SkipLastField();
                continue;
            }

            string? key = null, value = null;
            var attribute = input.ReadBytes().CreateCodedInput();
            while ((tag = attribute.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case 1:
                        key = attribute.ReadString();
                        break;
                    case 2:
                        var any = attribute.ReadBytes().CreateCodedInput();
                        while ((tag = any.ReadTag()) != 0)
                        {
                            if (WireFormat.GetTagFieldNumber(tag) == 1)
                            {
                                value = any.ReadString();
                            }
                            else
                            {
                                any.SkipLastField();
                            }
                        }

                        break;
                    default:
                        attribute.SkipLastField();
                        break;
                }
            }

            if (key == "service.name" && value is not null)
            {
                return value;
            }
        }

        return "";
    }

    // Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8 }
    private static Span ReadSpan(ByteString bytes, string service)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        ulong start = 0, end = 0;
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
                case 7: start = input.ReadFixed64(); break;
                case 8: end = input.ReadFixed64(); break;
                default: input.SkipLastField(); break;
            }
        }

        return new Span(traceId, spanId, parent, service, name, FromUnixNanoseconds(start), FromUnixNanoseconds(end));
    }

    private static DateTime FromUnixNanoseconds(ulong nanoseconds) => DateTime.UnixEpoch.AddTicks((long)(nanoseconds / 100));
}
