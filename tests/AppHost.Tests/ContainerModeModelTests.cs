using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Postgres;
using Aspire.Hosting.Testing;
using EventDriven.AppHost.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventDriven.AppHost.Tests;

/// <summary>
/// Container mode cannot run here (no container runtime), so its resource model is checked instead: images,
/// arguments, environment, volumes, endpoints and references, as the orchestrator would receive them.
/// </summary>
public sealed class ContainerModeModelTests
{
    [Fact]
    public async Task Postgres_is_a_container_with_logical_replication_and_a_data_volume()
    {
        var model = await ContainerModelAsync();

        var postgres = Assert.IsType<PostgresServerResource>(model.Resources.Single(r => r.Name == "postgres"));
        var image = postgres.Annotations.OfType<ContainerImageAnnotation>().Single();
        Assert.Equal("library/postgres", image.Image);
        var arguments = await ArgumentsAsync(postgres);
        Assert.Contains("wal_level=logical", arguments);
        Assert.Contains(postgres.Annotations.OfType<ContainerMountAnnotation>(), m => m.Type == ContainerMountType.Volume && m.Target.StartsWith("/var/lib/postgresql", StringComparison.Ordinal));
        // The CDC relay connects for replication from the host; the image's pg_hba.conf must let it.
        Assert.Contains(postgres.Annotations.OfType<ContainerMountAnnotation>(), m => m.Target == "/docker-entrypoint-initdb.d" && m.Source!.EndsWith("PostgresInit", StringComparison.Ordinal));
        foreach (var database in new[] { "accountdb", "transactionsdb", "reactordb" })
        {
            Assert.Same(postgres, Assert.IsType<PostgresDatabaseResource>(model.Resources.Single(r => r.Name == database)).Parent);
        }
    }

    [Fact]
    public async Task Kafka_is_a_single_node_KRaft_container_reachable_from_the_host_and_from_containers()
    {
        var model = await ContainerModelAsync();

        var kafka = Assert.IsType<KafkaServerResource>(model.Resources.Single(r => r.Name == "kafka"));
        var image = kafka.Annotations.OfType<ContainerImageAnnotation>().Single();
        Assert.Equal(("docker.io", "confluentinc/confluent-local", "8.1.1"), (image.Registry, image.Image, image.Tag));

        var endpoints = kafka.Annotations.OfType<EndpointAnnotation>().ToDictionary(e => e.Name);
        Assert.Equal(9092, endpoints["tcp"].TargetPort);
        Assert.Equal(9093, endpoints["internal"].TargetPort);

        var environment = await EnvironmentAsync(kafka);
        Assert.Contains("PLAINTEXT_HOST://0.0.0.0:9092", environment["KAFKA_LISTENERS"], StringComparison.Ordinal);
        Assert.Contains("PLAINTEXT_INTERNAL://kafka:9093", environment["KAFKA_ADVERTISED_LISTENERS"], StringComparison.Ordinal);
        Assert.Contains("PLAINTEXT_HOST://localhost:{kafka.bindings.tcp.port}", environment["KAFKA_ADVERTISED_LISTENERS"], StringComparison.Ordinal);
        Assert.Equal("3", environment["KAFKA_NUM_PARTITIONS"]);
        Assert.Equal("/var/lib/kafka/data", environment["KAFKA_LOG_DIRS"]);
        Assert.Contains(kafka.Annotations.OfType<ContainerMountAnnotation>(), m => m.Type == ContainerMountType.Volume && m.Target == "/var/lib/kafka/data");
        Assert.Equal("{kafka.bindings.tcp.host}:{kafka.bindings.tcp.port}", kafka.ConnectionStringExpression.ValueExpression);
        Assert.Contains(kafka.Annotations, a => a is HealthCheckAnnotation);
    }

    [Fact]
    public async Task KurrentDB_is_an_insecure_single_node_with_its_data_in_a_volume_and_feeds_transactions()
    {
        var model = await ContainerModelAsync();

        var kurrentdb = Assert.IsType<KurrentDBResource>(model.Resources.Single(r => r.Name == "kurrentdb"));
        var image = kurrentdb.Annotations.OfType<ContainerImageAnnotation>().Single();
        Assert.Equal(("docker.kurrent.io", "kurrent-latest/kurrentdb"), (image.Registry, image.Image));
        Assert.Equal(2113, kurrentdb.Annotations.OfType<EndpointAnnotation>().Single().TargetPort);
        var environment = await EnvironmentAsync(kurrentdb);
        Assert.Equal("true", environment["KURRENTDB_INSECURE"]);
        Assert.Equal("1", environment["KURRENTDB_CLUSTER_SIZE"]);
        Assert.Contains(kurrentdb.Annotations.OfType<ContainerMountAnnotation>(), m => m.Type == ContainerMountType.Volume && m.Target == "/var/lib/kurrentdb");
        Assert.Equal("kurrentdb://{kurrentdb.bindings.http.host}:{kurrentdb.bindings.http.port}?tls=false", kurrentdb.ConnectionStringExpression.ValueExpression);

        var transactions = model.Resources.OfType<ProjectResource>().Single(r => r.Name == "transactions");
        Assert.Equal("{kurrentdb.connectionString}", (await EnvironmentAsync(transactions))["ConnectionStrings__kurrentdb"]);
        Assert.Contains("kurrentdb", transactions.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name));
    }

    [Theory]
    [InlineData("account", "accountdb")]
    [InlineData("transactions", "transactionsdb")]
    [InlineData("reactor", "reactordb")]
    public async Task Each_service_gets_its_database_and_kafka_and_waits_for_them(string service, string database)
    {
        var model = await ContainerModelAsync();

        var project = model.Resources.OfType<ProjectResource>().Single(r => r.Name == service);
        var environment = await EnvironmentAsync(project);
        Assert.Equal($"{{{database}.connectionString}}", environment[$"ConnectionStrings__{database}"]);
        Assert.Equal("{kafka.connectionString}", environment["ConnectionStrings__kafka"]);
        var waitsFor = project.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name).ToList();
        Assert.Contains(database, waitsFor);
        Assert.Contains("kafka", waitsFor);
        Assert.Contains(project.Annotations, a => a is HealthCheckAnnotation);
    }

    [Fact]
    public async Task The_web_app_waits_for_the_three_services_and_identity_and_is_reachable_from_outside()
    {
        var model = await ContainerModelAsync();

        var web = model.Resources.OfType<ProjectResource>().Single(r => r.Name == "web");
        Assert.Equal(["account", "identity", "reactor", "transactions"], web.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name).Order());
        Assert.Contains(web.Annotations.OfType<EndpointAnnotation>(), e => e.IsExternal);
    }

    [Fact]
    public async Task Identity_gets_its_database_and_each_clients_secret_and_the_services_find_it_and_wait_for_it()
    {
        var model = await ContainerModelAsync();

        var identity = model.Resources.OfType<ProjectResource>().Single(r => r.Name == "identity");
        var environment = await EnvironmentAsync(identity);
        Assert.Equal("{identitydb.connectionString}", environment["ConnectionStrings__identitydb"]);
        Assert.Contains("identitydb", identity.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name));
        Assert.Contains(identity.Annotations, a => a is HealthCheckAnnotation);
        Assert.Equal("{web.bindings.http.url}/signin-oidc", environment["Identity__Clients__web__RedirectUri"]);

        // The dashboard's client is the AppHost's own (its commands' token): Identity alone gets its secret.
        var dashboard = Assert.IsType<ParameterResource>(model.Resources.Single(r => r.Name == "dashboard-client-secret"));
        Assert.True(dashboard.Secret);
        Assert.Equal("{dashboard-client-secret.value}", environment["Identity__Clients__dashboard__Secret"]);

        foreach (var client in new[] { "web", "transactions", "reactor" })
        {
            // Generated secret parameters, the same one on both sides, never a value in the repository.
            var secret = Assert.IsType<ParameterResource>(model.Resources.Single(r => r.Name == $"{client}-client-secret"));
            Assert.True(secret.Secret);
            Assert.Equal($"{{{client}-client-secret.value}}", environment[$"Identity__Clients__{client}__Secret"]);
            var project = model.Resources.OfType<ProjectResource>().Single(r => r.Name == client);
            Assert.Equal($"{{{client}-client-secret.value}}", (await EnvironmentAsync(project))["Identity__ClientSecret"]);
        }

        foreach (var service in new[] { "account", "transactions", "reactor", "web" })
        {
            var project = model.Resources.OfType<ProjectResource>().Single(r => r.Name == service);
            Assert.Equal("{identity.bindings.http.url}", (await EnvironmentAsync(project))["services__identity__http__0"]);
            // They validate its tokens and get their own from it.
            Assert.Contains("identity", project.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name));
        }
    }

    private static async Task<DistributedApplicationModel> ContainerModelAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            ["--Infrastructure:Mode=containers", "--operation", "publish"], TestContext.Current.CancellationToken);
        return new DistributedApplicationModel(builder.Resources);
    }

    private static async Task<Dictionary<string, string>> EnvironmentAsync(IResource resource) =>
        (await PublishConfigurationAsync(resource)).EnvironmentVariables.ToDictionary(pair => pair.Key, pair => pair.Value);

    private static async Task<List<string>> ArgumentsAsync(IResource resource) =>
        [.. (await PublishConfigurationAsync(resource)).Arguments.Select(argument => argument.Value)];

    /// <summary>Arguments and environment as the publisher resolves them (references stay as manifest expressions).</summary>
    private static Task<IExecutionConfigurationResult> PublishConfigurationAsync(IResource resource) =>
        ExecutionConfigurationBuilder.Create(resource)
            .WithArgumentsConfig()
            .WithEnvironmentVariablesConfig()
            .BuildAsync(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish), NullLogger.Instance, TestContext.Current.CancellationToken);
}
