using System.Buffers;
using System.Diagnostics;
using System.Text.Json;

namespace EventDriven.KurrentDB.Client;

/// <summary>
/// The W3C trace context carried in an event's custom metadata (<c>traceparent</c>, <c>tracestate</c> properties of a
/// JSON object), so that whoever reads the event later can continue the trace of the request that wrote it.
/// </summary>
internal static class TraceContextMetadata
{
    private const string TraceParent = "traceparent";
    private const string TraceState = "tracestate";

    /// <summary>
    /// <paramref name="metadata"/> with the context added: empty metadata becomes a JSON object holding it, a JSON object
    /// keeps its other properties. Anything else is the writer's own format and is left untouched.
    /// </summary>
    public static ReadOnlyMemory<byte> Inject(ReadOnlyMemory<byte> metadata, ActivityContext context)
    {
        if (context == default)
        {
            return metadata;
        }

        JsonDocument? document = null;
        try
        {
            if (!metadata.IsEmpty)
            {
                document = JsonDocument.Parse(metadata);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return metadata;
                }
            }

            var buffer = new ArrayBufferWriter<byte>(metadata.Length + 128);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                if (document is not null)
                {
                    // A context already there is an older one (e.g. a re-append): the current one replaces it.
                    foreach (var property in document.RootElement.EnumerateObject())
                    {
                        if (!property.NameEquals(TraceParent) && !property.NameEquals(TraceState))
                        {
                            property.WriteTo(writer);
                        }
                    }
                }

                writer.WriteString(TraceParent, Format(context));
                if (!string.IsNullOrEmpty(context.TraceState))
                {
                    writer.WriteString(TraceState, context.TraceState);
                }

                writer.WriteEndObject();
            }

            return buffer.WrittenMemory;
        }
        catch (JsonException)
        {
            return metadata;
        }
        finally
        {
            document?.Dispose();
        }
    }

    /// <summary>The context in <paramref name="metadata"/>, or default when it carries none (or is not JSON).</summary>
    public static ActivityContext Extract(ReadOnlyMemory<byte> metadata)
    {
        if (metadata.IsEmpty || metadata.Span[0] != (byte)'{')
        {
            return default;
        }

        try
        {
            using var document = JsonDocument.Parse(metadata);
            var root = document.RootElement;
            if (!root.TryGetProperty(TraceParent, out var parent) || parent.ValueKind != JsonValueKind.String)
            {
                return default;
            }

            var state = root.TryGetProperty(TraceState, out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            return ActivityContext.TryParse(parent.GetString(), state, isRemote: true, out var context) ? context : default;
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static string Format(ActivityContext context) =>
        $"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{((context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00")}";
}
