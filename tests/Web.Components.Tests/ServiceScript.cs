using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace EventDriven.Web.Components.Tests;

/// <summary>
/// What the services answer, one answer per request in order, in place of the network: the one fake in these tests.
/// The forms use the real typed clients over it, so headers, bodies and problem details go through the same code as
/// in the app. Every request is kept with its body, for the tests to check what was sent.
/// </summary>
public sealed class ServiceScript : HttpMessageHandler
{
    private readonly Queue<Func<HttpRequestMessage, Task<HttpResponseMessage>>> _answers = new();
    private readonly List<SentRequest> _sent = [];

    public IReadOnlyList<SentRequest> Sent
    {
        get
        {
            lock (_sent)
            {
                return [.. _sent];
            }
        }
    }

    public ServiceScript Answer(Func<HttpRequestMessage, HttpResponseMessage> answer)
    {
        return Script(request => Task.FromResult(answer(request)));
    }

    /// <summary>An answer that comes only when the test releases it (a request still under way).</summary>
    public ServiceScript AnswerLater(Task<HttpResponseMessage> answer)
    {
        return Script(_ => answer);
    }

    public ServiceScript Json(HttpStatusCode status, object body) => Answer(_ => new HttpResponseMessage(status) { Content = JsonContent.Create(body) });

    public ServiceScript Problem(HttpStatusCode status, string json) =>
        Answer(_ => new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/problem+json") });

    /// <summary>The connection is refused: the service is not there.</summary>
    public ServiceScript NoAnswer() => Answer(_ => throw new HttpRequestException("Connection refused"));

    /// <summary>HttpClient's own timeout, as the resilience handler's attempt timeout also ends a call.</summary>
    public ServiceScript Timeout() => Answer(_ => throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout.", new TimeoutException()));

    public HttpClient Client() => new(this) { BaseAddress = new Uri("http://service") };

    // Under the lock the requests take their answers under.
    private ServiceScript Script(Func<HttpRequestMessage, Task<HttpResponseMessage>> answer)
    {
        lock (_sent)
        {
            _answers.Enqueue(answer);
        }

        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Func<HttpRequestMessage, Task<HttpResponseMessage>> answer;
        lock (_sent)
        {
            _sent.Add(new SentRequest(request.Method, request.RequestUri!.PathAndQuery,
                request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase), body));
            Assert.True(_answers.Count > 0, $"No answer scripted for {request.Method} {request.RequestUri.PathAndQuery}.");
            answer = _answers.Dequeue();
        }

        return await answer(request);
    }
}

/// <summary>One request a form sent: where, which headers, what body.</summary>
public sealed record SentRequest(HttpMethod Method, string Path, IReadOnlyDictionary<string, string> Headers, string? Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public JsonElement Json => JsonDocument.Parse(Body ?? "null").RootElement;
}
