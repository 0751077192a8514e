using Confluent.Kafka;
using EventDriven.ServiceDefaults.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Registers Kafka producers and consumers the way Aspire.Confluent.Kafka does (same method names, connection-string
/// name and settings sections), with health checks, tracing and librdkafka statistics as metrics.
/// </summary>
public static partial class KafkaClientExtensions
{
    private const string ProducerSection = "Aspire:Confluent:Kafka:Producer";
    private const string ConsumerSection = "Aspire:Confluent:Kafka:Consumer";
    private const int DefaultStatisticsIntervalMs = 5_000;

    /// <summary>Registers an <see cref="IProducer{TKey,TValue}"/> singleton that connects to <c>ConnectionStrings:{connectionName}</c>.</summary>
    public static void AddKafkaProducer<TKey, TValue>(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<KafkaProducerSettings>? configureSettings = null,
        Action<IServiceProvider, ProducerBuilder<TKey, TValue>>? configureBuilder = null) =>
        AddProducer(builder, connectionName, serviceKey: null, configureSettings, configureBuilder);

    /// <summary>As <see cref="AddKafkaProducer{TKey,TValue}"/>, registered under the service key <paramref name="name"/>.</summary>
    public static void AddKeyedKafkaProducer<TKey, TValue>(
        this IHostApplicationBuilder builder,
        string name,
        Action<KafkaProducerSettings>? configureSettings = null,
        Action<IServiceProvider, ProducerBuilder<TKey, TValue>>? configureBuilder = null) =>
        AddProducer(builder, name, serviceKey: name, configureSettings, configureBuilder);

    /// <summary>Registers an <see cref="IConsumer{TKey,TValue}"/> singleton; a group id must be configured.</summary>
    public static void AddKafkaConsumer<TKey, TValue>(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<KafkaConsumerSettings>? configureSettings = null,
        Action<IServiceProvider, ConsumerBuilder<TKey, TValue>>? configureBuilder = null) =>
        AddConsumer(builder, connectionName, serviceKey: null, configureSettings, configureBuilder);

    /// <summary>As <see cref="AddKafkaConsumer{TKey,TValue}"/>, registered under the service key <paramref name="name"/>.</summary>
    public static void AddKeyedKafkaConsumer<TKey, TValue>(
        this IHostApplicationBuilder builder,
        string name,
        Action<KafkaConsumerSettings>? configureSettings = null,
        Action<IServiceProvider, ConsumerBuilder<TKey, TValue>>? configureBuilder = null) =>
        AddConsumer(builder, name, serviceKey: name, configureSettings, configureBuilder);

    /// <summary>
    /// A further consumer on the same connection, registered under <paramref name="serviceKey"/> (the official
    /// package keys by connection name only): for a service with several consumer groups on one cluster. Its settings
    /// section is <c>Aspire:Confluent:Kafka:Consumer:{serviceKey}</c>.
    /// </summary>
    public static void AddKeyedKafkaConsumer<TKey, TValue>(
        this IHostApplicationBuilder builder,
        string serviceKey,
        string connectionName,
        Action<KafkaConsumerSettings>? configureSettings = null,
        Action<IServiceProvider, ConsumerBuilder<TKey, TValue>>? configureBuilder = null) =>
        AddConsumer(builder, connectionName, serviceKey, configureSettings, configureBuilder);

    private static void AddProducer<TKey, TValue>(
        IHostApplicationBuilder builder,
        string connectionName,
        string? serviceKey,
        Action<KafkaProducerSettings>? configureSettings,
        Action<IServiceProvider, ProducerBuilder<TKey, TValue>>? configureBuilder)
    {
        var settings = new KafkaProducerSettings();
        Bind(builder.Configuration, ProducerSection, connectionName, settings);
        settings.ConnectionString ??= builder.Configuration.GetConnectionString(connectionName);
        configureSettings?.Invoke(settings);
        settings.Config.BootstrapServers ??= settings.ConnectionString;
        Validate(settings.Config, connectionName, ProducerSection);
        if (!settings.DisableMetrics)
        {
            settings.Config.StatisticsIntervalMs ??= DefaultStatisticsIntervalMs;
        }

        IProducer<TKey, TValue> Create(IServiceProvider services)
        {
            var producerBuilder = new ProducerBuilder<TKey, TValue>(settings.Config);
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("EventDriven.Kafka.Producer");
            producerBuilder.SetLogHandler((_, log) => LogHandler(logger, log));
            if (!settings.DisableMetrics)
            {
                var metrics = services.GetRequiredService<KafkaMetrics>();
                producerBuilder.SetStatisticsHandler((_, json) => metrics.Record(json));
            }

            configureBuilder?.Invoke(services, producerBuilder);
            var producer = producerBuilder.Build();
            return settings.DisableTracing ? producer : new TracingProducer<TKey, TValue>(producer);
        }

        Register(builder, serviceKey, Create);
        AddCommon(builder, $"Kafka.Producer.{connectionName}", settings.DisableHealthChecks, settings.DisableMetrics, settings.Config);
    }

    private static void AddConsumer<TKey, TValue>(
        IHostApplicationBuilder builder,
        string connectionName,
        string? serviceKey,
        Action<KafkaConsumerSettings>? configureSettings,
        Action<IServiceProvider, ConsumerBuilder<TKey, TValue>>? configureBuilder)
    {
        var settings = new KafkaConsumerSettings();
        Bind(builder.Configuration, ConsumerSection, serviceKey ?? connectionName, settings);
        settings.ConnectionString ??= builder.Configuration.GetConnectionString(connectionName);
        configureSettings?.Invoke(settings);
        settings.Config.BootstrapServers ??= settings.ConnectionString;
        Validate(settings.Config, connectionName, ConsumerSection);
        if (string.IsNullOrWhiteSpace(settings.Config.GroupId))
        {
            throw new InvalidOperationException(
                $"A Kafka consumer for '{connectionName}' needs a group id: set Config.GroupId in code or '{ConsumerSection}:{connectionName}:Config:GroupId'.");
        }

        if (!settings.DisableMetrics)
        {
            settings.Config.StatisticsIntervalMs ??= DefaultStatisticsIntervalMs;
        }

        IConsumer<TKey, TValue> Create(IServiceProvider services)
        {
            var consumerBuilder = new ConsumerBuilder<TKey, TValue>(settings.Config);
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("EventDriven.Kafka.Consumer");
            consumerBuilder.SetLogHandler((_, log) => LogHandler(logger, log));
            if (!settings.DisableMetrics)
            {
                var metrics = services.GetRequiredService<KafkaMetrics>();
                consumerBuilder.SetStatisticsHandler((_, json) => metrics.Record(json));
            }

            configureBuilder?.Invoke(services, consumerBuilder);
            var consumer = consumerBuilder.Build();
            return settings.DisableTracing ? consumer : new TracingConsumer<TKey, TValue>(consumer, settings.Config.GroupId);
        }

        Register(builder, serviceKey, Create);
        AddCommon(builder, $"Kafka.Consumer.{serviceKey ?? connectionName}", settings.DisableHealthChecks, settings.DisableMetrics, settings.Config);
    }

    private static void Bind(IConfiguration configuration, string section, string connectionName, object settings)
    {
        var general = configuration.GetSection(section);
        general.Bind(settings);
        general.GetSection(connectionName).Bind(settings);
    }

    private static void Validate(ClientConfig config, string connectionName, string section)
    {
        if (string.IsNullOrWhiteSpace(config.BootstrapServers))
        {
            throw new InvalidOperationException(
                $"Kafka client '{connectionName}' has no bootstrap servers: set 'ConnectionStrings:{connectionName}' or '{section}:{connectionName}:Config:BootstrapServers'.");
        }
    }

    private static void Register<TClient>(IHostApplicationBuilder builder, string? serviceKey, Func<IServiceProvider, TClient> create)
        where TClient : class
    {
        if (serviceKey is null)
        {
            builder.Services.AddSingleton(create);
        }
        else
        {
            builder.Services.AddKeyedSingleton(serviceKey, (services, _) => create(services));
        }
    }

    private static void AddCommon(IHostApplicationBuilder builder, string healthCheckName, bool disableHealthChecks, bool disableMetrics, ClientConfig config)
    {
        if (!disableMetrics)
        {
            builder.Services.AddMetrics();
            builder.Services.TryAddSingleton<KafkaMetrics>();
        }

        if (!disableHealthChecks)
        {
            // Only connection settings: the admin connection is neither a producer nor a consumer.
            var connection = config
                .Where(pair => pair.Key is "bootstrap.servers" or "client.id"
                    || pair.Key.StartsWith("security.", StringComparison.Ordinal)
                    || pair.Key.StartsWith("sasl.", StringComparison.Ordinal)
                    || pair.Key.StartsWith("ssl.", StringComparison.Ordinal))
                .ToList();
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                healthCheckName, new KafkaHealthCheck(connection), failureStatus: null, tags: null));
        }
    }

    private static void LogHandler(ILogger logger, LogMessage log)
    {
        var level = (LogLevel)log.LevelAs(LogLevelType.MicrosoftExtensionsLogging);
        if (logger.IsEnabled(level))
        {
            LogClientMessage(logger, level, log.Name, log.Facility, log.Message);
        }
    }

    [LoggerMessage("{Client} {Facility}: {Message}")]
    private static partial void LogClientMessage(ILogger logger, LogLevel level, string client, string facility, string message);
}
