using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EventDriven.KurrentDB.Client;

/// <summary>Healthy when the node answers a read of the last event of <c>$all</c> in time.</summary>
internal sealed class KurrentDBHealthCheck(KurrentDBClient client, TimeSpan? timeout) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } t)
        {
            deadline.CancelAfter(t);
        }

        try
        {
            await foreach (var _ in client.ReadAllAsync(Direction.Backwards, Position.End, maxCount: 1, cancellationToken: deadline.Token)
                               .WithCancellation(deadline.Token).ConfigureAwait(false))
            {
                break;
            }

            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is Grpc.Core.RpcException or HttpRequestException
                                              || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "KurrentDB did not answer a read of $all.", exception);
        }
    }
}
