using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace EventDriven.AppHost.Hosting;

internal static class DashboardLinks
{
    /// <summary>The dashboard's resource, added by Aspire at start-up when the dashboard is on (Aspire's own name for it).</summary>
    private const string DashboardResourceName = "aspire-dashboard";

    /// <summary>
    /// Gives the resource the Aspire dashboard's address as <c>Dashboard__Url</c>, so that it can link an action to its
    /// trace. Aspire adds the dashboard only when it runs (not when it is disabled, as in tests by default, nor when
    /// publishing): then the variable is left out. The address is the dashboard's own endpoint (from ASPNETCORE_URLS,
    /// the AppHost's launch profile), resolved when it is allocated — the same in container and local mode.
    /// </summary>
    public static IResourceBuilder<T> WithDashboardUrl<T>(this IResourceBuilder<T> builder) where T : IResourceWithEnvironment =>
        builder.WithEnvironment(context =>
        {
            if (!context.ExecutionContext.IsRunMode)
            {
                return;
            }

            var model = context.ExecutionContext.Services.GetRequiredService<DistributedApplicationModel>();
            if (model.Resources.FirstOrDefault(r => r.Name == DashboardResourceName) is IResourceWithEndpoints dashboard)
            {
                var https = dashboard.GetEndpoint("https");
                var endpoint = https.Exists ? https : dashboard.GetEndpoint("http");
                if (endpoint.Exists)
                {
                    context.EnvironmentVariables["Dashboard__Url"] = endpoint;
                }
            }
        });
}
