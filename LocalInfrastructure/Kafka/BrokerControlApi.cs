using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EventDriven.LocalKafka;

/// <summary>Fault drills: take the broker down and bring it back while clients keep running.</summary>
public static class BrokerControlApi
{
    public static IEndpointRouteBuilder MapBrokerControlApi(this IEndpointRouteBuilder app)
    {
        var broker = app.MapGroup("/broker");
        broker.MapGet("/", (MockKafkaCluster cluster) => TypedResults.Ok(Status(cluster)));
        broker.MapPost("/down", (MockKafkaCluster cluster) =>
        {
            cluster.SetBrokerDown();
            return TypedResults.Ok(Status(cluster));
        });
        broker.MapPost("/up", (MockKafkaCluster cluster) =>
        {
            cluster.SetBrokerUp();
            return TypedResults.Ok(Status(cluster));
        });
        return app;
    }

    private static BrokerStatus Status(MockKafkaCluster cluster) => new(cluster.BootstrapServers, cluster.IsBrokerUp, cluster.Topics);
}

public sealed record BrokerStatus(string BootstrapServers, bool Up, IReadOnlyList<string> Topics);

/// <summary>Unhealthy while a drill holds the broker down, so the dashboard shows the outage.</summary>
internal sealed class BrokerHealthCheck(MockKafkaCluster cluster) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(cluster.IsBrokerUp
            ? HealthCheckResult.Healthy($"Broker up on {cluster.BootstrapServers}")
            : HealthCheckResult.Unhealthy("Broker taken down by a drill (POST /broker/up brings it back)."));
}
