using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;

namespace EventDriven.Tests;

/// <summary>One operation of a service's OpenAPI document: method, path template, parameters and JSON body schema.</summary>
public sealed record ApiOperation(string Method, string Path, IReadOnlyList<ApiParameter> Parameters, JsonElement? Body)
{
    public override string ToString() => $"{Method} {Path}";
}

/// <summary>A path, query or header parameter of an <see cref="ApiOperation"/>.</summary>
public sealed record ApiParameter(string Name, string In);

/// <summary>A request made from an operation and then spoiled; <see cref="Spoiled"/> says how, for the failure message.</summary>
public sealed record ProbeRequest(ApiOperation Operation, string Path, IReadOnlyList<KeyValuePair<string, string>> Headers, string? Body, string ContentType, string Spoiled)
{
    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(new HttpMethod(Operation.Method), new Uri(Path, UriKind.Relative));
        foreach (var (name, value) in Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (Body is not null)
        {
            message.Content = new StringContent(Body, Encoding.UTF8);
            message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(ContentType);
            // A server may answer before reading a body (a route that does not match, a refused header) and close the
            // connection; a client still writing a large body then sees a broken pipe, not the answer. Waiting for
            // "100 Continue" first, as a careful client does, reads the answer instead.
            message.Headers.ExpectContinue = Body.Length > 64 * 1024;
        }

        return message;
    }

    public override string ToString() =>
        $"{Operation.Method} {Shorten(Path)} ({Spoiled}) headers [{string.Join(", ", Headers.Select(h => $"{h.Key}: {Shorten(h.Value)}"))}] body {(Body is null ? "none" : Shorten(Body))}";

    private static string Shorten(string text) =>
        JsonSerializer.Serialize(text.Length > 120 ? $"{text[..120]}… ({text.Length} chars)" : text);
}

/// <summary>
/// Bad input by property (issue 16): requests generated from the OpenAPI document a service serves, so every endpoint
/// it has — including ones added later — is covered. Each request starts from a valid one (values from the test's
/// <c>known</c> map by parameter or property name, otherwise the schema's type) and is spoiled in one or more ways:
/// wrong types, missing and extra fields, nulls, huge and odd text (control characters, lone surrogates, bidi
/// overrides, combining marks), zero, negative, over-precise, enormous and non-numeric amounts, malformed ids and
/// versions, headers that do not apply, bodies that are not JSON or not the declared content type.
/// </summary>
public static class BadInput
{
    /// <summary>
    /// The property: <paramref name="iterations"/> spoiled requests to every operation of the document <paramref name="service"/>
    /// serves, one at a time; none may answer 5xx, and after any 4xx <paramref name="fingerprint"/> (what the service
    /// has written, as the test sees it) must be what it was before the request. Throws, with CsCheck's seed to replay
    /// it, on the first failure (shrunk); returns how many requests each operation got, by status class.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>>> CheckAsync(
        HttpClient service, IReadOnlyDictionary<string, string> known, Func<CancellationToken, Task<string>> fingerprint, int iterations,
        CancellationToken cancellationToken, Func<ApiOperation, bool>? include = null)
    {
        var document = await service.GetFromJsonAsync<JsonElement>("/openapi/v1.json", cancellationToken);
        var tally = new Dictionary<string, Dictionary<string, int>>();
        foreach (var operation in Operations(document).Where(include ?? (_ => true)))
        {
            tally[operation.ToString()] = [];
        }

        await Requests(document, known, include).SampleAsync(async probe =>
        {
            var before = await fingerprint(cancellationToken);
            using var message = probe.ToMessage();
            var counts = tally[probe.Operation.ToString()];
            HttpResponseMessage response;
            try
            {
                // Headers only: /changes is a stream that never ends.
                response = await service.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (HttpRequestException) when (probe.Path.Length > MaxRequestLine || probe.Headers.Sum(h => h.Key.Length + h.Value.Length) > MaxRequestHeaders)
            {
                // Kestrel answers a request line or headers over its limits with 414 or 431 and closes the connection,
                // which a client still sending the body may see as a broken pipe: refused at the door.
                counts["refused at the door"] = counts.GetValueOrDefault("refused at the door") + 1;
                await AssertUnwrittenAsync(probe, "refused at the door", before);
                return;
            }

            using var _ = response;
            var status = (int)response.StatusCode;
            counts[$"{status / 100}xx"] = counts.GetValueOrDefault($"{status / 100}xx") + 1;
            if (status >= 500)
            {
                throw new InvalidOperationException($"{status} for {probe}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }

            if (status >= 400)
            {
                await AssertUnwrittenAsync(probe, status.ToString(CultureInfo.InvariantCulture), before);
            }
        }, iter: iterations, threads: 1, print: probe => probe.ToString());
        return tally.ToDictionary(t => t.Key, t => (IReadOnlyDictionary<string, int>)t.Value);

        async Task AssertUnwrittenAsync(ProbeRequest probe, string answer, string before)
        {
            if (await fingerprint(cancellationToken) is var after && after != before)
            {
                throw new InvalidOperationException($"{answer} for {probe}, yet it wrote: {before} became {after}");
            }
        }
    }

    /// <summary>Kestrel's default limits on a request line (method, target, version), 8 KiB, and on all headers, 32 KiB.</summary>
    private const int MaxRequestLine = 8 * 1024, MaxRequestHeaders = 32 * 1024;


    /// <summary>The tally as lines for the test's output: each operation and its answers by status class.</summary>
    public static string Format(IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> tally) =>
        string.Join(Environment.NewLine, tally.Select(t => $"{t.Key}: {string.Join(", ", t.Value.OrderBy(c => c.Key).Select(c => $"{c.Value} {c.Key}"))}"));

    /// <summary>Every operation of the document, with <c>$ref</c> body schemas resolved.</summary>
    public static IReadOnlyList<ApiOperation> Operations(JsonElement document)
    {
        var operations = new List<ApiOperation>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var parameters = operation.Value.TryGetProperty("parameters", out var list)
                    ? list.EnumerateArray().Select(p => new ApiParameter(p.GetProperty("name").GetString()!, p.GetProperty("in").GetString()!)).ToList()
                    : [];
                JsonElement? body = operation.Value.TryGetProperty("requestBody", out var requestBody)
                    && requestBody.GetProperty("content").TryGetProperty("application/json", out var json)
                    ? Resolve(document, json.GetProperty("schema"))
                    : null;
                operations.Add(new ApiOperation(operation.Name.ToUpperInvariant(), path.Name, parameters, body));
            }
        }

        return operations;
    }

    /// <summary>Spoiled requests for the operations <paramref name="include"/> admits.</summary>
    public static Gen<ProbeRequest> Requests(JsonElement document, IReadOnlyDictionary<string, string> known, Func<ApiOperation, bool>? include = null)
    {
        var operations = Operations(document).Where(include ?? (_ => true)).ToArray();
        return Gen.Int[0, operations.Length - 1].SelectMany(i => Request(document, operations[i], known));
    }

    /// <summary>Text nobody should trip over: empty, blank, control characters, odd Unicode, injection, huge.</summary>
    public static readonly string[] BadStrings =
    [
        "", " ", "not-an-id", "00000000-0000-0000-0000-000000000000", "-1", "0", "1.5", "99999999999999999999999999999", "null", "true",
        "[]", "{}", "<script>alert(1)</script>", "'; DROP TABLE accounts; --", "%00", "..%2F..%2F", "a\u0000b", "a\u0001b", "\t", "\u007f",
        "\u202eevil", "\u200b", "e\u0301", "😀", "\uffff", "\ufdd0", "\ud800", "\udfff", "Ω≈ç√", new string('x', 300), new string('y', 100_000),
    ];

    /// <summary>Amounts and numbers that are zero, negative, over-precise, enormous, not numbers, or not JSON numbers.</summary>
    public static readonly string[] BadNumbers =
    [
        "0", "-1", "-0.01", "0.001", "0.005", "1e30", "1e-30", "1E+400", "79228162514264337593543950336", "1.00000000000000000000000000001",
        "\"12\"", "\"abc\"", "\"\"", "true", "null", "[]", "{}", "9007199254740993", "-0",
    ];

    private static readonly string[] BadBodies =
    [
        "", "not json", "null", "[]", "{", "\"text\"", "{\"a\":", "\u0000", new string('[', 2_000) + new string(']', 2_000),
        "{\"padding\":\"" + new string('z', 2_000_000) + "\"}",
    ];

    private static Gen<ProbeRequest> Request(JsonElement document, ApiOperation operation, IReadOnlyDictionary<string, string> known) =>
        from path in PathGen(operation, known)
        from query in QueryGen(operation)
        from headers in HeadersGen(operation, known)
        from body in BodyGen(document, operation, known)
        select new ProbeRequest(operation, path.Value + query.Value, headers.Value, body.Value.Text, body.Value.ContentType,
            string.Join("; ", new[] { path.Spoiled, query.Spoiled, headers.Spoiled, body.Spoiled }.Where(s => s.Length > 0)) is { Length: > 0 } spoiled ? spoiled : "nothing spoiled");

    private sealed record Part<T>(T Value, string Spoiled);

    private static Gen<Part<string>> PathGen(ApiOperation operation, IReadOnlyDictionary<string, string> known)
    {
        var gen = Gen.Const(new Part<string>(operation.Path, ""));
        foreach (var parameter in operation.Parameters.Where(p => p.In == "path"))
        {
            var placeholder = $"{{{parameter.Name}}}";
            var bad = Gen.OneOf(BadStrings.Where(s => !s.Contains('\ud800') && !s.Contains('\udfff') && s.Length > 0).ToArray());
            var valid = known.TryGetValue(parameter.Name, out var value) ? Gen.Const(value) : bad;
            gen = from part in gen
                  from spoil in Gen.Int[0, 2]
                  from text in spoil == 0 ? bad : valid
                  select new Part<string>(part.Value.Replace(placeholder, Uri.EscapeDataString(text)),
                      spoil == 0 || !known.ContainsKey(parameter.Name) ? Join(part.Spoiled, $"path {parameter.Name}") : part.Spoiled);
        }

        return gen;
    }

    private static Gen<Part<string>> QueryGen(ApiOperation operation)
    {
        var names = operation.Parameters.Where(p => p.In == "query").Select(p => p.Name).Append("unexpected").ToArray();
        return Gen.Int[0, 3].SelectMany(count => Gen.Select(Gen.OneOf(names).Array[count], Gen.OneOf(BadStrings.Concat(BadNumbers).Where(s => !s.Contains('\ud800') && !s.Contains('\udfff')).ToArray()).Array[count],
            (keys, values) => new Part<string>(
                count == 0 ? "" : "?" + string.Join("&", keys.Zip(values, (k, v) => $"{Uri.EscapeDataString(k)}={Uri.EscapeDataString(v)}")),
                count == 0 ? "" : $"query {string.Join(",", keys)}")));
    }

    private static Gen<Part<IReadOnlyList<KeyValuePair<string, string>>>> HeadersGen(ApiOperation operation, IReadOnlyDictionary<string, string> known)
    {
        // Headers the operation takes, and ones it does not (an If-Match on an open, an Idempotency-Key on a read).
        var names = operation.Parameters.Where(p => p.In == "header").Select(p => p.Name).Union(["Idempotency-Key", "If-Match"]).ToArray();
        // HTTP/1.1 cannot carry CR, LF or NUL in a header, and .NET sends headers as ASCII: what a client can send.
        var sendable = BadStrings.Concat(BadNumbers).Concat(["\"1\"", "W/\"1\"", "*", "\"\"", "\"-1\"", "\"99999999999999999999\""])
            .Where(s => s.All(c => c is >= '\u0001' and <= '\u007f' and not '\r' and not '\n')).ToArray();
        var headers = names.Select(name =>
            from choice in Gen.Int[0, 2]
            from bad in Gen.OneOf(sendable)
            select choice switch
            {
                0 => new Part<KeyValuePair<string, string>?>(null, ""),
                1 => new Part<KeyValuePair<string, string>?>(new(name, ValidHeader(name, known)), ""),
                _ => new Part<KeyValuePair<string, string>?>(new(name, bad), $"header {name}"),
            });
        return Sequence(headers).Select(all => new Part<IReadOnlyList<KeyValuePair<string, string>>>(
            all.Where(h => h.Value is not null).Select(h => h.Value!.Value).ToList(),
            string.Join(", ", all.Select(h => h.Spoiled).Where(s => s.Length > 0))));
    }

    private static string ValidHeader(string name, IReadOnlyDictionary<string, string> known) =>
        known.TryGetValue(name, out var value) ? value : name == "Idempotency-Key" ? Guid.NewGuid().ToString() : "\"1\"";

    private static Gen<Part<(string? Text, string ContentType)>> BodyGen(JsonElement document, ApiOperation operation, IReadOnlyDictionary<string, string> known)
    {
        static Part<(string? Text, string ContentType)> Body(string? text, string contentType, string spoiled) => new((text, contentType), spoiled);

        if (operation.Body is not { } schema)
        {
            // A body where none belongs.
            return Gen.Frequency(
                (4, (IGen<Part<(string?, string)>>)Gen.Const(Body(null, "application/json", ""))),
                (1, Gen.OneOf(BadBodies).Select(b => Body(b, "application/json", "unexpected body"))));
        }

        // Made afresh for each request: a uuid in it (a transaction id) is then a new intent every time.
        var valid = Gen.Const(() => Valid(document, schema, "", known));
        return Gen.Frequency(
            (1, valid.Select(body => Body(body.ToJsonString(), "application/json", ""))),
            (6, from body in valid
                from count in Gen.Int[1, 3]
                from mutations in Mutation(document, schema).Array[count]
                select Spoil(body, mutations)),
            (1, Gen.OneOf(BadBodies).Select(b => Body(b, "application/json", "body not JSON of the schema"))),
            (1, from body in valid
                from type in Gen.OneOf("text/plain", "application/xml", "application/x-www-form-urlencoded", "application/json; charset=latin1")
                select Body(body.ToJsonString(), type, $"content type {type}")));

        static Part<(string? Text, string ContentType)> Spoil(JsonNode body, BodyMutation[] mutations)
        {
            foreach (var mutation in mutations)
            {
                mutation.Apply(body);
            }

            return Body(body.ToJsonString(), "application/json", string.Join(", ", mutations.Select(m => m.Description)));
        }
    }

    private sealed record BodyMutation(string Description, Action<JsonNode> Apply);

    /// <summary>One change to a valid body: a field (at any depth) wrong, null, missing, or one too many.</summary>
    private static Gen<BodyMutation> Mutation(JsonElement document, JsonElement schema)
    {
        var fields = Fields(document, schema, "").ToArray();
        if (fields.Length == 0)
        {
            return Gen.Const(new BodyMutation("extra field", Extra));
        }

        var values = BadStrings.Select(s => (JsonNode?)JsonValue.Create(s))
            .Concat(BadNumbers.Select(n => JsonNode.Parse(n)))
            .ToArray();
        return Gen.Frequency(
            (6, (IGen<BodyMutation>)(from field in Gen.OneOf(fields)
                from value in Gen.Int[0, values.Length - 1]
                select new BodyMutation($"{field} = {Describe(values[value])}", body => Set(body, field, values[value]?.DeepClone())))),
            (2, Gen.OneOf(fields).Select(field => new BodyMutation($"{field} missing", body => Remove(body, field)))),
            (1, Gen.Const(new BodyMutation("extra field", Extra))));
    }

    private static string Describe(JsonNode? value)
    {
        var text = value?.ToJsonString() ?? "null";
        return text.Length > 40 ? $"{text[..40]}… ({text.Length} chars)" : text;
    }

    private static void Extra(JsonNode body)
    {
        if (body is JsonObject json)
        {
            json["unexpected"] = "field";
        }
    }

    private static void Set(JsonNode body, string path, JsonNode? value)
    {
        var (parent, name) = Parent(body, path);
        if (parent is not null)
        {
            parent[name] = value;
        }
    }

    private static void Remove(JsonNode body, string path)
    {
        var (parent, name) = Parent(body, path);
        parent?.Remove(name);
    }

    private static (JsonObject? Parent, string Name) Parent(JsonNode body, string path)
    {
        var names = path.Split('.');
        var node = body;
        foreach (var name in names[..^1])
        {
            node = node is JsonObject json ? json[name] : null;
        }

        return (node as JsonObject, names[^1]);
    }

    /// <summary>Dotted paths of every property, nested objects included.</summary>
    private static IEnumerable<string> Fields(JsonElement document, JsonElement schema, string prefix)
    {
        schema = Resolve(document, schema);
        if (!schema.TryGetProperty("properties", out var properties))
        {
            yield break;
        }

        foreach (var property in properties.EnumerateObject())
        {
            var path = prefix + property.Name;
            yield return path;
            foreach (var nested in Fields(document, property.Value, path + "."))
            {
                yield return nested;
            }
        }
    }

    /// <summary>
    /// A valid value of the schema: the test's known value by name (as text where the schema takes only text, else as
    /// JSON: an amount "1.00" is a number), else one of the schema's type.
    /// </summary>
    private static JsonNode Valid(JsonElement document, JsonElement schema, string name, IReadOnlyDictionary<string, string> known)
    {
        schema = Resolve(document, schema);
        var types = schema.TryGetProperty("type", out var type)
            ? type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()).ToArray() : [type.GetString()]
            : [];
        if (known.TryGetValue(name, out var value))
        {
            return types.Contains("number") || types.Contains("integer") || types.Contains("boolean") ? JsonNode.Parse(value)! : JsonValue.Create(value);
        }

        if (schema.TryGetProperty("enum", out var values))
        {
            return JsonValue.Create(values.EnumerateArray().First().GetString())!;
        }

        if (schema.TryGetProperty("properties", out var properties))
        {
            var json = new JsonObject();
            foreach (var property in properties.EnumerateObject())
            {
                json[property.Name] = Valid(document, property.Value, property.Name, known);
            }

            return json;
        }

        return types.Contains("integer") ? JsonValue.Create(1)
            : types.Contains("number") ? JsonValue.Create(1.00m)
            : types.Contains("boolean") ? JsonValue.Create(true)
            : schema.TryGetProperty("format", out var format) && format.GetString() == "uuid" ? JsonValue.Create(Guid.NewGuid().ToString())
            : JsonValue.Create("valid " + name.ToLower(CultureInfo.InvariantCulture));
    }

    /// <summary>Follows a <c>$ref</c>, and takes the non-null branch of a nullable <c>oneOf</c>.</summary>
    private static JsonElement Resolve(JsonElement document, JsonElement schema)
    {
        if (schema.TryGetProperty("oneOf", out var oneOf) && oneOf.EnumerateArray().FirstOrDefault(s => !s.TryGetProperty("type", out var t) || t.GetString() != "null") is { ValueKind: JsonValueKind.Object } branch)
        {
            return Resolve(document, branch);
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            var resolved = document;
            foreach (var segment in reference.GetString()!.TrimStart('#', '/').Split('/'))
            {
                resolved = resolved.GetProperty(segment);
            }

            return Resolve(document, resolved);
        }

        return schema;
    }

    private static Gen<List<T>> Sequence<T>(IEnumerable<Gen<T>> gens) =>
        gens.Aggregate(Gen.Const(new List<T>()).Select(l => l), (all, next) => from list in all from item in next select (List<T>)[.. list, item]);

    private static string Join(string a, string b) => a.Length == 0 ? b : $"{a}, {b}";
}
