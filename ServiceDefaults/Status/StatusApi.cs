using EventDriven.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using EventDriven.Contracts;

namespace EventDriven.ServiceDefaults.Status;

/// <summary>
/// Every service's operational status under <c>/status</c>: <c>GET /status/consumers</c> (the lag of each Kafka
/// consumer it runs) here; a service adds its own figures to the same group (Account's outbox, Transactions' publisher).
/// Operators only, or a token with the <c>operations</c> scope (the web app's operations figures); the group's policy
/// covers what a service adds to it.
/// </summary>
public static class StatusApi
{
    /// <summary>Maps <c>GET /status/consumers</c>; returns the <c>/status</c> group for the service's own status endpoints.</summary>
    public static RouteGroupBuilder MapStatusApi(this IEndpointRouteBuilder app)
    {
        var status = app.MapGroup("/status").WithTags("Status")
            .RequireAuthorization(ServicePolicies.OperatorOrService(ServiceScopes.Operations));
        status.MapGet("/consumers", GetConsumerLag).WithName(nameof(GetConsumerLag))
            .WithSummary("Each Kafka consumer's lag per topic partition: committed offset, this instance's position, high watermark.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return status;
    }

    /// <summary>Every consumer's lag; a broker that does not answer is a 503 (see <see cref="PartitionLags.Ask{T}"/>).</summary>
    public static async Task<Ok<IReadOnlyList<ConsumerLag>>> GetConsumerLag(IEnumerable<IConsumerLagSource> sources, CancellationToken cancellationToken) =>
        TypedResults.Ok<IReadOnlyList<ConsumerLag>>(await Task.WhenAll(sources.Select(source => source.ReadAsync(cancellationToken))));
}
