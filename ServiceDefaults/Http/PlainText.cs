using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace EventDriven.ServiceDefaults.Http;

/// <summary>
/// Text a service takes from a request never holds control characters (C0 but tab, line feed and carriage return;
/// DEL; C1): they mean nothing in a name, an address or a key, PostgreSQL refuses NUL in text, and logs and UIs show
/// them badly. <see cref="RefuseControlCharacters"/> answers a request that holds one, in a query value, a header
/// value or a JSON body's string, with a 400 problem naming where, before any handler runs.
/// </summary>
public static class PlainText
{
    private const string Refusal = "must not contain control characters";

    public static bool HasControlCharacters(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if ((c < ' ' && c is not ('\t' or '\n' or '\r')) || c is >= '\u007f' and <= '\u009f')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Middleware: a query, header or JSON body value with control characters is a 400 problem naming it.</summary>
    public static async Task RefuseControlCharacters(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        var offending = request.Query.FirstOrDefault(q => q.Value.Any(v => HasControlCharacters(v))).Key is { } query
            ? $"The query parameter '{Printable(query)}'"
            : request.Headers.FirstOrDefault(h => h.Value.Any(v => HasControlCharacters(v))).Key is { } header
                ? $"The header '{Printable(header)}'"
                : request.HasJsonContentType() && await OffendingJsonFieldAsync(request, context.RequestAborted) is { } field
                    ? $"The field '{Printable(field)}'"
                    : null;
        if (offending is null)
        {
            await next(context);
            return;
        }

        await Results.Problem($"{offending} {Refusal}.", statusCode: StatusCodes.Status400BadRequest, title: "Control characters").ExecuteAsync(context);
    }

    /// <summary>The name of the first JSON property whose value (or name) holds control characters; the body is left to be read again.</summary>
    private static async Task<string?> OffendingJsonFieldAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        request.EnableBuffering();
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        request.Body.Position = 0;
        return Scan(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    private static string? Scan(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        var property = "$";
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.PropertyName or JsonTokenType.String)
                {
                    var text = reader.GetString();
                    if (reader.TokenType == JsonTokenType.PropertyName)
                    {
                        property = text ?? property;
                    }

                    if (HasControlCharacters(text))
                    {
                        return property;
                    }
                }
            }
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // Not JSON, or not text: the handler's own reading refuses it with its 400.
        }

        return null;
    }

    private static string Printable(string name) => HasControlCharacters(name) ? "(a name with control characters)" : name;
}
