using Confluent.Kafka;

namespace EventDriven.ServiceDefaults.Kafka;

/// <summary>
/// Settings of a Kafka producer, bound from <c>Aspire:Confluent:Kafka:Producer</c> (then its <c>:{connectionName}</c>
/// sub-section), the same sections Aspire.Confluent.Kafka reads, so that configuration carries over when the official
/// package replaces this integration.
/// </summary>
public sealed class KafkaProducerSettings
{
    /// <summary>The bootstrap servers; taken from <c>ConnectionStrings:{connectionName}</c> when not set here.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>librdkafka producer configuration (any key librdkafka knows).</summary>
    public ProducerConfig Config { get; set; } = new();

    public bool DisableHealthChecks { get; set; }

    public bool DisableTracing { get; set; }

    public bool DisableMetrics { get; set; }
}

/// <summary>Settings of a Kafka consumer, bound from <c>Aspire:Confluent:Kafka:Consumer</c> (then its <c>:{connectionName}</c> sub-section).</summary>
public sealed class KafkaConsumerSettings
{
    /// <inheritdoc cref="KafkaProducerSettings.ConnectionString"/>
    public string? ConnectionString { get; set; }

    /// <summary>librdkafka consumer configuration; <see cref="ConsumerConfig.GroupId"/> is required.</summary>
    public ConsumerConfig Config { get; set; } = new();

    public bool DisableHealthChecks { get; set; }

    public bool DisableTracing { get; set; }

    public bool DisableMetrics { get; set; }
}
