using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EventDriven.LocalKafka;

/// <summary>
/// Fault drills (take the broker down and bring it back while clients keep running), and topic creation, which the
/// mock does not offer through Kafka's CreateTopics API.
/// </summary>
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
        app.MapPut("/topics/{name}", Results<Ok<BrokerStatus>, ValidationProblem> (string name, MockKafkaCluster cluster, int? partitions) =>
        {
            if (!TopicName.IsValid(name) || partitions is < 1 or > 1000)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["name"] = ["Topic names are 1-249 characters of letters, digits, '.', '_' and '-'; partitions 1-1000."],
                });
            }

            cluster.CreateTopic(name, partitions);
            return TypedResults.Ok(Status(cluster));
        });
        return app;
    }

    private static BrokerStatus Status(MockKafkaCluster cluster) => new(cluster.BootstrapServers, cluster.IsBrokerUp, cluster.Topics);
}

internal static class TopicName
{
    public static bool IsValid(string name) =>
        name.Length is > 0 and < 250 && name is not ("." or "..") && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
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
