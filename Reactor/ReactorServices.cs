using Confluent.Kafka;
using EventDriven.Reactor.Alerts;
using EventDriven.Reactor.Api;
using EventDriven.Reactor.Pipeline;
using EventDriven.Reactor.ReadModels;
using EventDriven.Reactor.Rebuild;
using EventDriven.Reactor.Reconciliation;
using EventDriven.Reactor.Styles;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.ServiceDefaults.Postgres;
using Npgsql;
using EventDriven.Contracts;

namespace EventDriven.Reactor;

public static class ReactorServices
{
    /// <summary>The named HTTP client for Transactions' API (https+http://transactions).</summary>
    public const string TransactionsApi = "transactions";

    /// <summary>Reactor's client at the identity server (its secret: <c>Identity:ClientSecret</c>), and its tokens' audience.</summary>
    public const string ClientId = "reactor";

    /// <summary>
    /// Bearer tokens for the <c>reactor</c> audience and Reactor's policies (its endpoints name them, so whoever hosts
    /// them — Program, the Reactor benchmark — trusts the identity server with them), PostgreSQL (read models, inbox,
    /// dead letters), Kafka, the consumer and its handlers (the shared pipeline), the alert rules, the rebuilder and the
    /// push channel.
    /// </summary>
    public static WebApplicationBuilder AddReactorServices(this WebApplicationBuilder builder)
    {
        builder.AddServiceAuthentication(ClientId);
        ReactorPolicies.Add(builder.Services.AddAuthorizationBuilder());
        builder.AddNpgsqlDataSource("reactordb", configureDataSourceBuilder: ServicePostgres.Configure);
        builder.AddServiceKafkaProducer("kafka");
        // Reactor's own tokens (client credentials): the notification style's reads, reconciliation and lineage.
        builder.Services.AddHttpClient(StyleHandlers.AccountApi, client => client.BaseAddress = new Uri("https+http://account"))
            .AddClientCredentialsToken(ClientId, ServiceScopes.AccountRead);
        builder.Services.AddHttpClient(TransactionsApi, client => client.BaseAddress = new Uri("https+http://transactions"))
            .AddClientCredentialsToken(ClientId, ServiceScopes.TransactionsRead);
        builder.AddServiceKafkaConsumer<ReactorMessages>("kafka", "reactor", consumers =>
        {
            consumers.AddConsumer<ReadModelHandler>();
            consumers.AddConsumer<StyleHandlers>();
        }, ReactorMessages.PartitionsInParallel);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<AlertOptions>().Bind(builder.Configuration.GetSection("Reactor:Alerts"));
        builder.Services.AddOptions<ReconciliationOptions>().Bind(builder.Configuration.GetSection("Reactor:Reconciliation"));
        builder.Services.AddSingleton<Projector>();
        builder.Services.AddSingleton<ReadModelQueries>();
        builder.Services.AddSingleton<ReadModelChanges>();
        builder.Services.AddSingleton<AlertRules>();
        builder.Services.AddSingleton<StyleStats>();
        builder.AddKeyedKafkaConsumer<string, byte[]>(ReadModelRebuilder.ConsumerKey, "kafka", settings =>
        {
            // Partitions are assigned and nothing is committed; the group id is only librdkafka's requirement. A rebuild
            // reads history: its messages' spans would join journeys long finished.
            settings.Config.GroupId ??= ReadModelRebuilder.ConsumerKey;
            settings.Config.EnableAutoCommit = false;
            settings.Config.AutoOffsetReset = AutoOffsetReset.Earliest;
            settings.DisableTracing = true;
            settings.DisableHealthChecks = true;
        });
        builder.Services.AddSingleton<RebuildStatusStore>();
        builder.Services.AddSingleton<ReadModelRebuilder>();
        builder.AddKeyedKafkaConsumer<string, byte[]>(AccountStateTopicReader.ConsumerKey, "kafka", settings =>
        {
            // Reconciliation reads accounts.state to its end: partitions assigned, nothing committed, no spans (the
            // messages' traces are journeys long finished); the group id is only librdkafka's requirement.
            settings.Config.GroupId ??= AccountStateTopicReader.ConsumerKey;
            settings.Config.EnableAutoCommit = false;
            settings.Config.EnableAutoOffsetStore = false;
            settings.Config.AutoOffsetReset = AutoOffsetReset.Earliest;
            settings.DisableTracing = true;
            settings.DisableHealthChecks = true;
        });
        builder.Services.AddSingleton<AccountStateTopicReader>();
        builder.Services.AddSingleton<ReactorCopiesReader>();
        builder.Services.AddSingleton<Reconciler>();

        // Hosted services start in order: the schema is there before the consumer runs.
        builder.Services.AddPostgresMigration(ReadModelSchema.MigrationLock, ReadModelSchema.Script);
        builder.Services.AddHostedService<KafkaConsumerService>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<ReadModelRebuilder>());
        return builder;
    }
}
