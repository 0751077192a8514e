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
}
