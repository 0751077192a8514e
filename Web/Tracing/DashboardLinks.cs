namespace EventDriven.Web.Tracing;

/// <summary>
/// Links into the Aspire dashboard, whose address the AppHost gives the web app as <c>Dashboard:Url</c>. Without a
/// dashboard (run outside the AppHost, or with the dashboard off) there are trace ids but no links.
/// </summary>
public sealed class DashboardLinks(IConfiguration configuration)
{
    private readonly Uri? _dashboard = Uri.TryCreate(configuration["Dashboard:Url"], UriKind.Absolute, out var url) ? url : null;

    /// <summary>The dashboard's page of one trace (its route is <c>/traces/detail/{traceId}</c>), or null without a dashboard.</summary>
    public Uri? Trace(string traceId) => _dashboard is null ? null : new Uri(_dashboard, $"/traces/detail/{Uri.EscapeDataString(traceId)}");
}
