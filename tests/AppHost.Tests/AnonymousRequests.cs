using System.Globalization;
using System.Text.Json;
using EventDriven.Tests;

namespace EventDriven.AppHost.Tests;

/// <summary>
/// One request without a token to every operation of a service's checked-in OpenAPI document, so that an endpoint added
/// later is covered by itself. Path parameters get values the route accepts (a fresh id, a number, a word), so that the
/// request reaches the endpoint's authorisation and not a 404 from routing; no body is sent, since a refusal comes
/// before binding.
/// </summary>
public static class AnonymousRequests
{
    /// <summary>Each operation (as <c>METHOD /path</c>) and the status it answered.</summary>
    public static async Task<IReadOnlyList<(string Operation, int Status)>> SendAsync(HttpClient service, string name, CancellationToken cancellationToken)
    {
        var document = CheckedInOpenApi.Read(name);
        var answers = new List<(string, int)>();
        foreach (var operation in BadInput.Operations(document))
        {
            using var request = new HttpRequestMessage(new HttpMethod(operation.Method), new Uri(PathOf(document, operation), UriKind.Relative));
            // Headers only: /changes is a stream that never ends.
            using var response = await service.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            answers.Add((operation.ToString(), (int)response.StatusCode));
        }

        return answers;
    }

    private static string PathOf(JsonElement document, ApiOperation operation)
    {
        var path = operation.Path;
        var parameters = document.GetProperty("paths").GetProperty(operation.Path).GetProperty(operation.Method.ToLowerInvariant());
        if (!parameters.TryGetProperty("parameters", out var list))
        {
            return path;
        }

        foreach (var parameter in list.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "path"))
        {
            var schema = parameter.TryGetProperty("schema", out var s) ? s : default;
            var type = schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("type", out var t) ? t.ToString() : "string";
            var format = schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("format", out var f) ? f.GetString() : null;
            var value = format == "uuid" ? Guid.NewGuid().ToString()
                : type.Contains("integer", StringComparison.Ordinal) ? 1.ToString(CultureInfo.InvariantCulture)
                : "unknown";
            path = path.Replace($"{{{parameter.GetProperty("name").GetString()}}}", value, StringComparison.Ordinal);
        }

        return path;
    }
}
