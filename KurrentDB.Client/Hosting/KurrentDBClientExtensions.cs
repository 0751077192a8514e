using EventDriven.KurrentDB.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Registers a <see cref="KurrentDBClient"/> the way CommunityToolkit.Aspire.KurrentDB does (same method names,
/// connection-string name and settings section), with a health check. Tracing: register
/// <see cref="KurrentDBTelemetry.ActivitySourceName"/> with OpenTelemetry (the service defaults do).
/// </summary>
public static class KurrentDBClientExtensions
{
    private const string DefaultConfigSectionName = "Aspire:KurrentDB:Client";

    /// <summary>Registers a <see cref="KurrentDBClient"/> singleton that connects to <c>ConnectionStrings:{connectionName}</c>.</summary>
    public static void AddKurrentDBClient(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<KurrentDBSettings>? configureSettings = null,
        Action<KurrentDBClientSettings>? configureClientSettings = null) =>
        AddClient(builder, connectionName, serviceKey: null, configureSettings, configureClientSettings);

    /// <summary>As <see cref="AddKurrentDBClient"/>, registered under the service key <paramref name="name"/>.</summary>
    public static void AddKeyedKurrentDBClient(
        this IHostApplicationBuilder builder,
        string name,
        Action<KurrentDBSettings>? configureSettings = null,
        Action<KurrentDBClientSettings>? configureClientSettings = null) =>
        AddClient(builder, name, serviceKey: name, configureSettings, configureClientSettings);

    private static void AddClient(
        IHostApplicationBuilder builder,
        string connectionName,
        string? serviceKey,
        Action<KurrentDBSettings>? configureSettings,
        Action<KurrentDBClientSettings>? configureClientSettings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(connectionName);
        var settings = new KurrentDBSettings();
        var section = builder.Configuration.GetSection(DefaultConfigSectionName);
        section.Bind(settings);
        section.GetSection(connectionName).Bind(settings);
        if (builder.Configuration.GetConnectionString(connectionName) is { Length: > 0 } connectionString)
        {
            settings.ConnectionString = connectionString;
        }

        configureSettings?.Invoke(settings);
        if (string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            throw new InvalidOperationException(
                $"KurrentDB client '{connectionName}' has no connection string: set 'ConnectionStrings:{connectionName}' or '{DefaultConfigSectionName}:{connectionName}:ConnectionString'.");
        }

        // Parsed here so that a malformed connection string fails at start-up, not at the first call.
        var clientSettings = KurrentDBClientSettings.Create(settings.ConnectionString);
        clientSettings.DisableTracing = settings.DisableTracing;
        configureClientSettings?.Invoke(clientSettings);

        KurrentDBClient Create(IServiceProvider services)
        {
            clientSettings.LoggerFactory ??= services.GetService<ILoggerFactory>();
            return new KurrentDBClient(clientSettings);
        }

        if (serviceKey is null)
        {
            builder.Services.AddSingleton(Create);
        }
        else
        {
            builder.Services.AddKeyedSingleton(serviceKey, (services, _) => Create(services));
        }

        if (!settings.DisableHealthChecks)
        {
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                serviceKey is null ? "KurrentDB" : $"KurrentDB_{serviceKey}",
                services => new KurrentDBHealthCheck(
                    serviceKey is null ? services.GetRequiredService<KurrentDBClient>() : services.GetRequiredKeyedService<KurrentDBClient>(serviceKey),
                    settings.HealthCheckTimeout),
                failureStatus: null,
                tags: null,
                timeout: settings.HealthCheckTimeout));
        }
    }
}
