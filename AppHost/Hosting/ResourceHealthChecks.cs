using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EventDriven.AppHost.Hosting;

internal static class ResourceHealthChecks
{
    /// <summary>Registers <paramref name="check"/> as the resource's health check (<c>{name}_check</c>, Aspire's naming).</summary>
    public static IResourceBuilder<T> WithHealthCheck<T>(this IResourceBuilder<T> builder, IHealthCheck check) where T : IResource
    {
        var key = $"{builder.Resource.Name}_check";
        builder.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(key, check, failureStatus: null, tags: null));
        return builder.WithHealthCheck(key);
    }
}
