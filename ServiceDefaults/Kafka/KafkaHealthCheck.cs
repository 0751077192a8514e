using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EventDriven.ServiceDefaults.Kafka;

/// <summary>
/// Healthy when the cluster answers a metadata request. A separate admin connection with the client's own settings,
/// so that the check neither disturbs the client's queues nor needs a topic to exist.
/// </summary>
internal sealed class KafkaHealthCheck(IEnumerable<KeyValuePair<string, string>> clientConfig) : IHealthCheck, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
    private readonly Lazy<IAdminClient> _admin = new(() => new AdminClientBuilder(clientConfig).Build());

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.Run(() =>
        {
            try
            {
                var metadata = _admin.Value.GetMetadata(Timeout);
                return metadata.Brokers.Count > 0
                    ? HealthCheckResult.Healthy($"{metadata.Brokers.Count} broker(s)")
                    : HealthCheckResult.Unhealthy("The cluster reported no brokers.");
            }
            catch (KafkaException exception)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, "Kafka did not answer a metadata request.", exception);
            }
        }, cancellationToken);

    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }
}
