using System.Text.Json;
using System.Text.Json.Serialization;

namespace EventDriven.Contracts;

/// <summary>The wire's JSON: System.Text.Json, camelCase, enums as strings. Every producer and consumer uses these options.</summary>
public static class ContractJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>A message body read as <typeparamref name="T"/>; a missing body or a JSON null is unreadable too.</summary>
    public static T Read<T>(byte[]? body) =>
        JsonSerializer.Deserialize<T>(body ?? throw new JsonException("The message has no body."), Options)
        ?? throw new JsonException("The message has no body.");
}
