using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The Aspire service-defaults shape: telemetry, health checks, service discovery and resilience for every service.
/// </summary>
public static class Extensions
{
    private const string HealthEndpointPath = "/health";
    private const string AlivenessEndpointPath = "/alive";

    /// <summary>
    /// How long a stopping service waits for its requests and background work. Aspire's orchestrator (DCP) sends
    /// SIGTERM, kills the process about six seconds later, and when it is not gone soon after that gives up and leaves
    /// the resource stopped: a restart that overruns it leaves the service down. Each part bounds its own waits under
    /// this (e.g. <see cref="EventDriven.ServiceDefaults.Kafka.ConsumerClosing"/>); this is the bound for whatever still waits.
    /// </summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddHostedService<EventDriven.ServiceDefaults.StopDeadline>();
        builder.Services.Configure<HostOptions>(options =>
        {
            options.ShutdownTimeout = ShutdownTimeout;
            // Side by side, so that each part's own bound (a consumer's close, the publisher's last checkpoint) overlaps
            // the others' instead of adding up past the orchestrator's stop timeout.
            options.ServicesStopConcurrently = true;
        });
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(builder.Environment.ApplicationName)
                .AddMeter(EventDrivenTelemetry.MeterNames))
            .WithTracing(tracing => tracing
                // A client call with no parent (a polling loop's query or read) starts no trace; a journey is one (JourneySampler).
                .SetSampler(EventDriven.ServiceDefaults.JourneySampler.Create())
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(EventDrivenTelemetry.ActivitySourceNames)
                .AddAspNetCoreInstrumentation(options =>
                    // Health probes are noise in the dashboard's trace list.
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>
    /// <c>/health</c>: every check must pass before the service takes traffic; <c>/alive</c>: only the liveness checks.
    /// Both are mapped in every environment, because the AppHost waits on them in local and container mode alike.
    /// A service with an HTTP API (<see cref="ServiceApiExtensions.AddServiceApi{TBuilder}"/>) also serves its OpenAPI
    /// document, and in development its API reference at <c>/scalar</c>.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // Health answers anyone (orchestrators and load balancers carry no token); everything else needs one.
        app.MapHealthChecks(HealthEndpointPath).AllowAnonymous();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains("live"),
        }).AllowAnonymous();
        app.MapServiceApiReference();
        return app;
    }
}
