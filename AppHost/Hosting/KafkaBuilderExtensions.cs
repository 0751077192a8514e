using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Utils;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using EventDriven.Contracts;
using EventDriven.LocalInfrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EventDriven.AppHost.Hosting;

public static class KafkaBuilderExtensions
{
    /// <summary>The seed's broker port; used when free, so that kcat and friends find the broker where they expect it.</summary>
    public const int PreferredPort = 9092;
    private const int Partitions = 3;

    /// <summary>A single-node KRaft broker (<c>confluentinc/confluent-local</c>) with the project's topics created once it is up.</summary>
    public static IResourceBuilder<KafkaServerResource> AddKafka(this IDistributedApplicationBuilder builder, [ResourceName] string name, int? port = null)
    {
        var kafka = new KafkaServerResource(name);
        return builder.AddResource(kafka)
            .WithImage(KafkaContainerImage.Image, KafkaContainerImage.Tag)
            .WithImageRegistry(KafkaContainerImage.Registry)
            .WithEndpoint(port: port, targetPort: KafkaServerResource.PrimaryTargetPort, name: KafkaServerResource.PrimaryEndpointName)
            .WithEndpoint(targetPort: KafkaServerResource.InternalTargetPort, name: KafkaServerResource.InternalEndpointName)
            .WithEnvironment("KAFKA_LISTENERS", "PLAINTEXT://localhost:29092,CONTROLLER://localhost:29093,PLAINTEXT_HOST://0.0.0.0:9092,PLAINTEXT_INTERNAL://0.0.0.0:9093")
            .WithEnvironment("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT,PLAINTEXT_INTERNAL:PLAINTEXT")
            .WithEnvironment("KAFKA_NUM_PARTITIONS", Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
            .WithEnvironment(context =>
            {
                // Host processes reach the broker through the published port; containers through <name>:9093.
                var hostPort = kafka.PrimaryEndpoint.Property(EndpointProperty.Port);
                context.EnvironmentVariables["KAFKA_ADVERTISED_LISTENERS"] =
                    ReferenceExpression.Create($"PLAINTEXT://localhost:29092,PLAINTEXT_HOST://localhost:{hostPort},PLAINTEXT_INTERNAL://{kafka.Name}:{KafkaServerResource.InternalTargetPort.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            })
            .WithHealthCheck(new KafkaMetadataHealthCheck(kafka))
            .OnResourceReady(async (resource, _, cancellationToken) =>
                await CreateTopicsAsync(await resource.ConnectionStringExpression.GetValueAsync(cancellationToken), cancellationToken));
    }

    /// <summary>Keeps the broker's log across runs in a named volume.</summary>
    public static IResourceBuilder<KafkaServerResource> WithDataVolume(this IResourceBuilder<KafkaServerResource> builder, string? name = null) =>
        builder
            .WithVolume(name ?? VolumeNameGenerator.Generate(builder, "data"), "/var/lib/kafka/data")
            .WithEnvironment("KAFKA_LOG_DIRS", "/var/lib/kafka/data");

    /// <summary>
    /// librdkafka's mock cluster in a local process: in memory, the project's topics pre-created, on port 9092 when
    /// that is free. Its <c>control</c> endpoint takes the broker down and brings it back (<c>POST /broker/down|up</c>).
    /// </summary>
    public static IResourceBuilder<LocalKafkaResource> AddLocalKafka(this IDistributedApplicationBuilder builder, [ResourceName] string name)
    {
        var assembly = LocalInfrastructureAssemblies.LocalKafka;
        var port = FreePort.PreferOrPick(builder.Configuration.GetValue("LocalInfrastructure:KafkaPort", PreferredPort));
        var kafka = new LocalKafkaResource(name, System.IO.Path.GetDirectoryName(assembly)!);
        return builder.AddResource(kafka)
            .WithArgs(assembly)
            // Not proxied: the broker advertises this very port in its metadata, so clients must reach it directly.
            .WithEndpoint(port: port, targetPort: port, name: LocalKafkaResource.PrimaryEndpointName, isProxied: false)
            .WithHttpEndpoint(name: LocalKafkaResource.ControlEndpointName)
            .WithEnvironment(context =>
            {
                context.EnvironmentVariables["ASPNETCORE_URLS"] =
                    ReferenceExpression.Create($"http://localhost:{kafka.ControlEndpoint.Property(EndpointProperty.TargetPort)}");
                context.EnvironmentVariables["LocalKafka__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
                context.EnvironmentVariables["LocalKafka__Topics"] = string.Join(',', Topics.All);
                context.EnvironmentVariables["LocalKafka__Partitions"] = Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture);
            })
            .WithOtlpExporter()
            .WithHealthCheck(new KafkaMetadataHealthCheck(kafka))
            .WithBrokerCommand("broker-down", "Take broker down", "/broker/down", "PlugDisconnected")
            .WithBrokerCommand("broker-up", "Bring broker up", "/broker/up", "PlugConnected");
    }

    /// <summary>A dashboard command for a fault drill, sent to the stand-in's control endpoint.</summary>
    private static IResourceBuilder<LocalKafkaResource> WithBrokerCommand(
        this IResourceBuilder<LocalKafkaResource> builder, string name, string displayName, string path, string icon) =>
        builder.WithCommand(name, displayName, async context =>
        {
            using var http = new HttpClient { BaseAddress = new Uri(builder.Resource.ControlEndpoint.Url) };
            using var response = await http.PostAsync(new Uri(path, UriKind.Relative), content: null, context.CancellationToken);
            return response.IsSuccessStatusCode
                ? CommandResults.Success()
                : CommandResults.Failure($"The broker's control endpoint answered {(int)response.StatusCode}.");
        }, new CommandOptions
        {
            IconName = icon,
            UpdateState = context => context.ResourceSnapshot.State?.Text == KnownResourceStates.Running
                ? ResourceCommandState.Enabled
                : ResourceCommandState.Disabled,
        });

    private static async Task CreateTopicsAsync(string? bootstrapServers, CancellationToken cancellationToken)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        var specifications = Topics.All.Select(topic => new TopicSpecification { Name = topic, NumPartitions = Partitions, ReplicationFactor = 1 });
        try
        {
            await admin.CreateTopicsAsync(specifications).WaitAsync(cancellationToken);
        }
        catch (CreateTopicsException exception) when (exception.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Topics kept in the data volume from an earlier run.
        }
    }

    /// <summary>Healthy when the broker answers a metadata request, as clients first ask it.</summary>
    private sealed class KafkaMetadataHealthCheck(IResourceWithConnectionString resource) : IHealthCheck, IDisposable
    {
        private IAdminClient? _admin;

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                if (_admin is null)
                {
                    var bootstrap = await resource.ConnectionStringExpression.GetValueAsync(cancellationToken);
                    // Connection failures surface as the check's result; librdkafka's own retry chatter is not logged.
                    _admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap })
                        .SetLogHandler((_, _) => { })
                        .SetErrorHandler((_, _) => { })
                        .Build();
                }

                var admin = _admin;
                var metadata = await Task.Run(() => admin.GetMetadata(TimeSpan.FromSeconds(2)), cancellationToken);
                return metadata.Brokers.Count > 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("No brokers in metadata.");
            }
            catch (KafkaException exception)
            {
                return HealthCheckResult.Unhealthy("The broker did not answer a metadata request.", exception);
            }
        }

        public void Dispose() => _admin?.Dispose();
    }
}

internal static class KafkaContainerImage
{
    public const string Registry = "docker.io";
    public const string Image = "confluentinc/confluent-local";
    public const string Tag = "8.1.1";
}
