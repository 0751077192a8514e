using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using EventDriven.Tests;

namespace EventDriven.EndToEnd.Tests;

/// <summary>
/// The whole AppHost in local mode, once for the collection, with every process (the four services, the local broker,
/// the local KurrentDB server) exporting its spans to an <see cref="OtlpReceiver"/> in this process, and the services'
/// HTTP APIs: as the demo customer (the journeys) and as the demo operator (status, reconciliation), with tokens from
/// the AppHost's identity server. Started when everything is healthy and caught up: from then on every trace the receiver sees must be one
/// the tests started (<see cref="StartJourney"/>); <see cref="UnknownTracesSinceSettled"/> lists the others.
/// </summary>
public sealed class SystemFixture : IAsyncLifetime
{
    public static readonly string[] Services = ["account", "transactions", "reactor", "web"];
    private static readonly string[] Resources = ["kafka", "kurrentdb", "identity", .. Services];

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"eventdriven-e2e-tests-{Guid.NewGuid():N}");
    private readonly ConcurrentDictionary<string, string> _journeys = new();
    private DistributedApplication? _app;
    private IdentityTokens? _tokens;

    public OtlpReceiver Telemetry { get; private set; } = null!;

    public HttpClient Account { get; private set; } = null!;

    public HttpClient Transactions { get; private set; } = null!;

    public HttpClient Reactor { get; private set; } = null!;

    /// <summary>Account, Transactions and Reactor as the operator: status, reconciliation.</summary>
    public (HttpClient Account, HttpClient Transactions, HttpClient Reactor) Operator { get; private set; }

    /// <summary>When the system was healthy and caught up after its start; the run window begins here.</summary>
    public DateTimeOffset SettledAt { get; private set; }

    /// <summary>Traces exported before <see cref="SettledAt"/>: the start-up's own (there should be none; a test says so).</summary>
    public IReadOnlyList<string> StartupTraces { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        Telemetry = await OtlpReceiver.StartAsync();
        _app = await LocalAppHost.StartAsync(_dataDirectory, Resources, configure: builder =>
        {
            // Every process Aspire gives an OTLP exporter sends to the test's receiver instead (over HTTP/protobuf),
            // with its own sampler left as it is: what is exported here is what the dashboard would list.
            foreach (var resource in builder.Resources.OfType<IResourceWithEnvironment>().Where(r => r.Annotations.OfType<OtlpExporterAnnotation>().Any()))
            {
                resource.Annotations.Add(new EnvironmentCallbackAnnotation(environment =>
                {
                    environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = Telemetry.Endpoint;
                    environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
                    environment["OTEL_BSP_SCHEDULE_DELAY"] = "500";
                }));
            }
        });
        _tokens = _app.CreateIdentityTokens();
        Account = _tokens.Client(_app.GetEndpoint("account", "http"), TestUser.Customer);
        Transactions = _tokens.Client(_app.GetEndpoint("transactions", "http"), TestUser.Customer);
        Reactor = _tokens.Client(_app.GetEndpoint("reactor", "http"), TestUser.Customer);
        Operator = (
            _tokens.Client(_app.GetEndpoint("account", "http"), TestUser.Operator),
            _tokens.Client(_app.GetEndpoint("transactions", "http"), TestUser.Operator),
            _tokens.Client(_app.GetEndpoint("reactor", "http"), TestUser.Operator));

        await WaitUntilCaughtUpAsync();
        SettledAt = DateTimeOffset.UtcNow;
        StartupTraces = [.. Telemetry.Spans.Select(span => span.TraceId).Distinct()];
    }

    /// <summary>A journey: the root of its trace is the test, whose span id every first hop names as its parent.</summary>
    public Journey StartJourney(string name)
    {
        var journey = new Journey(name);
        _journeys[journey.TraceId] = name;
        return journey;
    }

    /// <summary>Traces first exported after <see cref="SettledAt"/> that no test started, each as its spans.</summary>
    public IReadOnlyList<IGrouping<string, ExportedSpan>> UnknownTracesSinceSettled() =>
        [.. Telemetry.Spans
            .Where(span => !_journeys.ContainsKey(span.TraceId) && !StartupTraces.Contains(span.TraceId))
            .GroupBy(span => span.TraceId)];

    /// <summary>Distinct trace ids exported so far.</summary>
    public int TraceCount => Telemetry.Spans.Select(span => span.TraceId).Distinct().Count();

    /// <summary>
    /// Sends a journey's request with the journey's <c>traceparent</c> (sampled), and an <c>Idempotency-Key</c> for
    /// Account's commands; insists on success and returns the answer's JSON (or an empty element for no content).
    /// </summary>
    public static async Task<JsonElement> SendAsync(Journey journey, HttpClient client, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        request.Headers.Add("traceparent", journey.TraceParent);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path} ({journey.Name}): {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>
    /// Reads without starting a trace: the <c>traceparent</c> says "not sampled", as the web app's own polling does
    /// (its client span with no parent is record-only), so the service records nothing for the dashboard. Null for 404.
    /// </summary>
    public static async Task<JsonElement?> ReadAsync(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("traceparent", $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-00");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET {path}: {(int)response.StatusCode} {text}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Reads <paramref name="path"/> until <paramref name="done"/> holds for the answer; returns that answer.</summary>
    public static async Task<JsonElement> ReadUntilAsync(HttpClient client, string path, Func<JsonElement, bool> done, string what, int seconds = 30)
    {
        JsonElement? last = null;
        try
        {
            return (await Poll.UntilAsync(async () =>
            {
                last = await ReadAsync(client, path);
                return last is { } answer && done(answer) ? new Box(answer) : null;
            }, TimeSpan.FromSeconds(seconds), what)).Value;
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"{exception.Message} Last answer of {path}: {last?.GetRawText() ?? "404"}", exception);
        }
    }

    private sealed record Box(JsonElement Value);

    /// <summary>
    /// Healthy is not enough: the relay, the publisher and every consumer must have nothing left to do, so that
    /// whatever is exported next is caused by what a test does.
    /// </summary>
    public async Task WaitUntilCaughtUpAsync()
    {
        await ReadUntilAsync(Operator.Account, "/status/outbox", o => o.GetProperty("backlog").GetInt64() == 0, "Account's outbox to be empty", 60);
        await ReadUntilAsync(Operator.Transactions, "/status/publisher", p => p.GetProperty("eventsBehind").GetInt64() == 0, "Transactions' publisher to be caught up", 60);
        foreach (var service in new[] { Operator.Account, Operator.Transactions, Operator.Reactor })
        {
            await ReadUntilAsync(service, "/status/consumers",
                consumers => consumers.GetArrayLength() > 0 && consumers.EnumerateArray().All(c => c.GetProperty("lag").GetInt64() == 0),
                $"every consumer of {service.BaseAddress} to have committed everything", 60);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Account?.Dispose();
        Transactions?.Dispose();
        Reactor?.Dispose();
        Operator.Account?.Dispose();
        Operator.Transactions?.Dispose();
        Operator.Reactor?.Dispose();
        _tokens?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (Telemetry is not null)
        {
            await Telemetry.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // PostgreSQL may still be removing its files; the folder is in /tmp.
        }
    }
}

/// <summary>One journey's trace: its id, and the span id of the test's own root, which the first hops name as parent.</summary>
public sealed class Journey(string name)
{
    public string Name { get; } = name;

    public string TraceId { get; } = ActivityTraceId.CreateRandom().ToHexString();

    public string RootSpanId { get; } = ActivitySpanId.CreateRandom().ToHexString();

    /// <summary>W3C trace context, sampled.</summary>
    public string TraceParent => $"00-{TraceId}-{RootSpanId}-01";
}

[CollectionDefinition(nameof(SystemCollection))]
public sealed class SystemCollection : ICollectionFixture<SystemFixture>;
