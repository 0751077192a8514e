using EventDriven.Web.Authentication;
using EventDriven.Web.Live;
using EventDriven.Web.Operations;
using EventDriven.Web.Services;
using EventDriven.Web.Tracing;
using MudBlazor.Services;
using OpenTelemetry.Trace;
using EventDriven.Contracts;

namespace Microsoft.Extensions.Hosting;

public static class WebServices
{
    private const string AccountAddress = "https+http://account";
    private const string TransactionsAddress = "https+http://transactions";
    private const string ReactorAddress = "https+http://reactor";

    /// <summary>Typed clients for the three services (found by service discovery), the live feed, and the component library.</summary>
    public static IHostApplicationBuilder AddWebServices(this IHostApplicationBuilder builder)
    {
        // Service defaults give every client the standard resilience handler: commands are safe to retry because each
        // carries its intent's key (Idempotency-Key, transactionId).
        // A page's calls carry its signed-in person's access token (PersonTokenHandler).
        builder.Services.AddHttpClient<AccountClient>(http => http.BaseAddress = new(AccountAddress)).AddHttpMessageHandler<PersonTokenHandler>();
        builder.Services.AddHttpClient<LedgerClient>(http => http.BaseAddress = new(TransactionsAddress)).AddHttpMessageHandler<PersonTokenHandler>();
        builder.Services.AddHttpClient<ReactorClient>(http => http.BaseAddress = new(ReactorAddress)).AddHttpMessageHandler<PersonTokenHandler>();

        // The push channel is one endless response: no overall timeout, no retry handler around it (the feed reconnects).
        // RemoveAllResilienceHandlers is marked for evaluation; it is the documented way to undo ConfigureHttpClientDefaults.
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient(AccountChangesFeed.HttpClientName, http =>
        {
            http.BaseAddress = new(ReactorAddress);
            http.Timeout = Timeout.InfiniteTimeSpan;
        }).RemoveAllResilienceHandlers()
            // Work done in no one's name: the web app's own token, for all accounts' changes; each page then shows
            // its person only theirs.
            .AddClientCredentialsToken(WebAuthentication.ClientId, ServiceScopes.ReactorRead);
#pragma warning restore EXTEXP0001
        builder.Services.AddSingleton<AccountChangesFeed>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AccountChangesFeed>());

        // The operations page's figures over the last minutes, sampled on the server in the web app's own name.
        builder.Services.AddHttpClient(OperationsSampler.AccountClientName, http => http.BaseAddress = new(AccountAddress))
            .AddClientCredentialsToken(WebAuthentication.ClientId, ServiceScopes.Operations);
        builder.Services.AddHttpClient(OperationsSampler.TransactionsClientName, http => http.BaseAddress = new(TransactionsAddress))
            .AddClientCredentialsToken(WebAuthentication.ClientId, ServiceScopes.Operations);
        builder.Services.AddHttpClient(OperationsSampler.ReactorClientName, http => http.BaseAddress = new(ReactorAddress))
            .AddClientCredentialsToken(WebAuthentication.ClientId, ServiceScopes.Operations);
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
