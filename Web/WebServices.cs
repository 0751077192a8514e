using EventDriven.Web.Live;
using EventDriven.Web.Operations;
using EventDriven.Web.Services;
using EventDriven.Web.Tracing;
using MudBlazor.Services;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

public static class WebServices
{
    /// <summary>Typed clients for the three services (found by service discovery), the live feed, and the component library.</summary>
    public static IHostApplicationBuilder AddWebServices(this IHostApplicationBuilder builder)
    {
        // Service defaults give every client the standard resilience handler: commands are safe to retry because each
        // carries its intent's key (Idempotency-Key, transactionId).
        builder.Services.AddHttpClient<AccountClient>(http => http.BaseAddress = new("https+http://account"));
        builder.Services.AddHttpClient<LedgerClient>(http => http.BaseAddress = new("https+http://transactions"));
        builder.Services.AddHttpClient<ReactorClient>(http => http.BaseAddress = new("https+http://reactor"));

        // The push channel is one endless response: no overall timeout, no retry handler around it (the feed reconnects).
        // RemoveAllResilienceHandlers is marked for evaluation; it is the documented way to undo ConfigureHttpClientDefaults.
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient(AccountChangesFeed.HttpClientName, http =>
        {
            http.BaseAddress = new("https+http://reactor");
            http.Timeout = Timeout.InfiniteTimeSpan;
        }).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddSingleton<AccountChangesFeed>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AccountChangesFeed>());

        // The operations page's figures over the last minutes, sampled on the server.
        builder.Services.AddSingleton<OperationsSampler>();
        builder.Services.AddHostedService(services => services.GetRequiredService<OperationsSampler>());

        // Each person's action is the root span of its journey's trace, with a link to it in the Aspire dashboard.
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(UserActions.ActivitySourceName));
        builder.Services.AddSingleton<UserActions>();
        builder.Services.AddSingleton<DashboardLinks>();

        builder.Services.AddMudServices();
        return builder;
    }
}
