using System.Diagnostics.Metrics;
using Confluent.Kafka;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace EventDriven.ServiceDefaults.Tests;

[Collection(KafkaCollection.Name)]
public sealed class KafkaClientIntegrationTests(LocalKafkaBroker broker)
{
    [Fact]
    public void A_producer_without_bootstrap_servers_is_refused_with_the_settings_to_fix()
    {
        var builder = Host.CreateApplicationBuilder();

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddKafkaProducer<string, string>("kafka"));

        Assert.Contains("ConnectionStrings:kafka", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_consumer_without_a_group_id_is_refused()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:kafka"] = broker.BootstrapServers;

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddKafkaConsumer<string, string>("kafka"));

        Assert.Contains("group id", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_are_read_from_the_Aspire_sections_named_after_the_connection()
    {
        var topic = $"settings.{Guid.NewGuid():N}";
        await broker.CreateTopicAsync(topic);
        var builder = Host.CreateApplicationBuilder();
        // No ConnectionStrings entry: the bootstrap servers and the group come from the Aspire-shaped sections only.
        builder.Configuration["Aspire:Confluent:Kafka:Producer:kafka:ConnectionString"] = broker.BootstrapServers;
        builder.Configuration["Aspire:Confluent:Kafka:Consumer:kafka:ConnectionString"] = broker.BootstrapServers;
        builder.Configuration["Aspire:Confluent:Kafka:Consumer:kafka:Config:GroupId"] = $"settings-{Guid.NewGuid():N}";
        builder.Configuration["Aspire:Confluent:Kafka:Consumer:kafka:Config:AutoOffsetReset"] = "Earliest";
        builder.AddKafkaProducer<string, string>("kafka");
        builder.AddKafkaConsumer<string, string>("kafka");
        using var host = builder.Build();

        await host.Services.GetRequiredService<IProducer<string, string>>()
            .ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "v" }, TestContext.Current.CancellationToken);
        var consumer = host.Services.GetRequiredService<IConsumer<string, string>>();
        consumer.Subscribe(topic);
        var result = consumer.Consume(TimeSpan.FromSeconds(30));

        Assert.NotNull(result);
        Assert.Equal("v", result.Message.Value);
        consumer.Close();
    }

    [Fact]
    public async Task The_health_check_follows_the_broker_down_and_back_up()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:kafka"] = broker.BootstrapServers;
        builder.AddKafkaProducer<string, string>("kafka");
        builder.Services.AddHealthChecks();
        using var host = builder.Build();
        var health = host.Services.GetRequiredService<HealthCheckService>();

        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(TestContext.Current.CancellationToken)).Status);

        await broker.SetBrokerAsync(up: false);
        try
        {
            await Poll.UntilAsync(
                async () => (await health.CheckHealthAsync(TestContext.Current.CancellationToken)).Status == HealthStatus.Unhealthy,
                TimeSpan.FromSeconds(30), "the Kafka health check to report the broker down");
        }
        finally
        {
            await broker.SetBrokerAsync(up: true);
        }

        await Poll.UntilAsync(
            async () => (await health.CheckHealthAsync(TestContext.Current.CancellationToken)).Status == HealthStatus.Healthy,
            TimeSpan.FromSeconds(30), "the Kafka health check to recover");
    }

    [Fact]
    public async Task Librdkafka_statistics_become_metrics_per_client()
    {
        var topic = $"metrics.{Guid.NewGuid():N}";
        await broker.CreateTopicAsync(topic);
        var published = new Dictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == KafkaTelemetry.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (published)
            {
                published[instrument.Name] = value;
            }
        });
        listener.Start();

        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:kafka"] = broker.BootstrapServers;
        builder.AddKafkaProducer<string, string>("kafka", settings => settings.Config.StatisticsIntervalMs = 100);
        using var host = builder.Build();
        var producer = host.Services.GetRequiredService<IProducer<string, string>>();
        for (var i = 0; i < 5; i++)
        {
            await producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i}", Value = "v" }, TestContext.Current.CancellationToken);
        }

        await Poll.UntilAsync(() =>
        {
            listener.RecordObservableInstruments();
            lock (published)
            {
                return Task.FromResult(published.GetValueOrDefault("messaging.publish.messages") >= 5
                    && published.GetValueOrDefault("messaging.kafka.network.transmitted") > 0);
            }
        }, TimeSpan.FromSeconds(30), "statistics with the five messages sent");
    }
}
