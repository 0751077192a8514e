using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Confluent.Kafka;

namespace EventDriven.ServiceDefaults.Kafka;

/// <summary>
/// The CloudEvents Kafka binary binding as the wire contract uses it: <c>ce_id</c>, <c>ce_type</c>, <c>ce_source</c>,
/// <c>ce_time</c>, <c>ce_specversion</c>, <c>ce_subject</c> and <c>content-type</c>; the value is the JSON event.
/// The extension <c>ce_actor</c> says who asked for the change, for audit: the subject of the caller's token (a user's
/// opaque id, or a service's client id), never personal data; absent when no one asked (e.g. a reaction to an event).
/// </summary>
public static class CloudEventHeaders
{
    public const string Actor = "ce_actor";

    public static Headers Create(Guid id, string type, string source, DateTimeOffset time, string subject, string? actor = null)
    {
        var headers = Standard(id, type, source, time, subject);
        if (!string.IsNullOrEmpty(actor))
        {
            headers.Add(Actor, Encoding.UTF8.GetBytes(actor));
        }

        return headers;
    }

    private static Headers Standard(Guid id, string type, string source, DateTimeOffset time, string subject) => new()
    {
        { "ce_id", Encoding.UTF8.GetBytes(id.ToString()) },
        { "ce_type", Encoding.UTF8.GetBytes(type) },
        { "ce_source", Encoding.UTF8.GetBytes(source) },
        { "ce_time", Encoding.UTF8.GetBytes(time.ToString("O", CultureInfo.InvariantCulture)) },
        { "ce_specversion", "1.0"u8.ToArray() },
        { "ce_subject", Encoding.UTF8.GetBytes(subject) },
        { "content-type", "application/json"u8.ToArray() },
    };

    /// <summary>
    /// The <c>ce_type</c> of a message a reader is to dispatch on. A message without one, or whose <c>content-type</c>
    /// says its body is not JSON, can never apply: this throws, and the pipeline parks what a reader throws on. (A
    /// message without a <c>content-type</c> is read as JSON, as the contract's producers write.)
    /// </summary>
    public static string TypeOf(ConsumeResult<string, byte[]> result)
    {
        var contentType = Read(result.Message.Headers, "content-type");
        if (contentType.Length > 0 && !(MediaTypeHeaderValue.TryParse(contentType, out var media)
            && (media.MediaType == "application/json" || media.MediaType?.EndsWith("+json", StringComparison.Ordinal) == true)))
        {
            throw new InvalidDataException($"The message's content-type is {contentType}, not JSON.");
        }

        var type = Read(result.Message.Headers, "ce_type");
        return type.Length > 0 ? type : throw new InvalidDataException("The message has no ce_type header: what it is cannot be known.");
    }

    /// <summary>A header's value as text; empty when the message does not carry it.</summary>
    public static string Read(Headers? headers, string name) =>
        headers?.TryGetLastBytes(name, out var bytes) == true ? Encoding.UTF8.GetString(bytes) : "";
}
