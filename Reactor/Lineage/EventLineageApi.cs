using System.Net;
using System.Net.Http.Json;
using EventDriven.Contracts;
using EventDriven.Contracts.Lineage;
using EventDriven.Contracts.Reactor;
using EventDriven.Reactor.Api;
using EventDriven.Reactor.Styles;
using EventDriven.ServiceDefaults.Lineage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EventDriven.Reactor.Lineage;

/// <summary>
/// <c>GET /events/{eventId}/lineage</c>, the one lineage question the web app asks: Reactor's own facts merged with
/// what Account and Transactions answer on their <c>GET /lineage/{eventId}</c> (asked at once). An event is stored and
/// published by one of those two and applied by consumer groups in all three, so only the three together tell the
/// whole way. A service that does not answer in time is listed as unavailable and its part left out. An operator's
/// question (or the web app's operations pages', scope <c>operations</c>); Reactor asks the others with its own token.
/// </summary>
public static class EventLineageApi
{
    /// <summary>How long a service may take to answer before it is reported unavailable (its client also retries within this).</summary>
    private static readonly TimeSpan ServiceTimeout = TimeSpan.FromSeconds(3);

    private static readonly (string Service, string Client)[] Sources =
        [("account", StyleHandlers.AccountApi), ("transactions", ReactorServices.TransactionsApi)];

    public static IEndpointRouteBuilder MapEventLineageApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/events/{eventId}/lineage", GetEventLineage).WithTags("Lineage").WithName(nameof(GetEventLineage))
            .WithSummary("Where an event went, from every service: stored, published, applied by each consumer group, what that produced, and its trace.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(ReactorPolicies.Operations);
        return app;
    }

    public static async Task<Results<Ok<EventLineage>, ValidationProblem, ProblemHttpResult>> GetEventLineage(
        string eventId, LineageStore store, IHttpClientFactory http, CancellationToken cancellationToken)
    {
        if (LineageApi.ParseEventId(eventId) is not { } id)
        {
            return LineageApi.InvalidEventId();
        }

        var asked = Sources.Select(source => AskAsync(http.CreateClient(source.Client), source.Service, id, cancellationToken)).ToList();
        var own = await store.FindAsync(id, cancellationToken);
        var answers = await Task.WhenAll(asked);
        var facts = answers.Select(a => a.Facts).Append(own).OfType<LineageFacts>().ToList();
        var sources = answers.Select(a => a.Source).Append(new LineageSource("reactor", own is null ? LineageSource.Nothing : LineageSource.Answered, null)).ToList();
        if (facts.Count == 0 && sources.All(s => s.Status != LineageSource.Unavailable))
        {
            return TypedResults.Problem($"No service has a lineage of event {id}.", statusCode: StatusCodes.Status404NotFound, title: "No such event");
        }

        var publications = facts.SelectMany(f => f.Publications).OrderBy(p => p.PublishedAt).ThenBy(p => p.Topic, StringComparer.Ordinal).ToList();
        var applications = facts.SelectMany(f => f.Applications).OrderBy(a => a.AppliedAt).ThenBy(a => a.ConsumerGroup, StringComparer.Ordinal).ToList();
        // The trace the event was stored in: the publisher's or relay's span continued it, and every consumer joins it.
        var traceId = publications.Select(p => p.TraceId).Concat(applications.Select(a => a.TraceId)).FirstOrDefault(t => t is not null);
        return TypedResults.Ok(new EventLineage(id, traceId, publications, applications, sources));
    }

    private static async Task<(LineageFacts? Facts, LineageSource Source)> AskAsync(HttpClient client, string service, Guid eventId, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ServiceTimeout);
        try
        {
            using var response = await client.GetAsync(new Uri($"/lineage/{eventId}", UriKind.Relative), timeout.Token);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return (null, new LineageSource(service, LineageSource.Nothing, null));
            }

            if (!response.IsSuccessStatusCode)
            {
                return (null, new LineageSource(service, LineageSource.Unavailable, $"answered {(int)response.StatusCode}"));
            }

            var facts = await response.Content.ReadFromJsonAsync<LineageFacts>(ContractJson.Options, timeout.Token);
            return (facts, new LineageSource(service, LineageSource.Answered, null));
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Unreachable, not resolvable (not running), too slow, or an answer that is not lineage: all the same to the caller.
            return (null, new LineageSource(service, LineageSource.Unavailable, exception is OperationCanceledException ? "no answer in time" : "unreachable"));
        }
    }
}
