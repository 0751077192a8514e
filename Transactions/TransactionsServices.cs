using EventDriven.ServiceDefaults.Kafka;
using EventDriven.ServiceDefaults.Postgres;
using EventDriven.ServiceDefaults.Status;
using EventDriven.Transactions.AccountCopy;
using EventDriven.Transactions.Choreography;
using EventDriven.Transactions.Features;
using EventDriven.Transactions.Publishing;
using EventDriven.Transactions.Reconciliation;
using EventDriven.Transactions.Storage;
using EventDriven.Transactions.Transfers;
using EventDriven.Contracts;

namespace EventDriven.Transactions;

public static class TransactionsServices
{
    /// <summary>
    /// KurrentDB (the ledgers), PostgreSQL (account copy, snapshots, checkpoint), Kafka, the command handler, the
    /// publisher, the choreography, the account copy (bootstrapped as <c>Transactions:AccountState:Mode</c> says) and the
    /// tracker of transfers under way (its gauges).
    /// </summary>
    public static WebApplicationBuilder AddTransactionsServices(this WebApplicationBuilder builder)
    {
        // Tokens for this service's audience, with the services, so that any host of its endpoints authorises them.
        builder.AddServiceAuthentication("transactions");
        builder.AddKurrentDBClient("kurrentdb");
        builder.AddNpgsqlDataSource(TransactionsDatabase.ConnectionName, configureDataSourceBuilder: ServicePostgres.Configure);
        // The data source hides the password from its connection string; leadership needs it whole.
        builder.Services.AddSingleton(new TransactionsDatabase(builder.Configuration.GetConnectionString(TransactionsDatabase.ConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{TransactionsDatabase.ConnectionName} is required.")));
        builder.AddServiceKafkaProducer("kafka");
        builder.AddServiceKafkaConsumer<ChoreographyMessages>(
            "kafka", "transactions", consumers => consumers.AddConsumer<LedgerChoreography>(), ChoreographyMessages.PartitionsInParallel);
        builder.AddKeyedKafkaConsumer<string, byte[]>(AccountStateConsumer.ServiceKey, "kafka", settings =>
        {
            // Partitions are assigned and offsets kept in PostgreSQL; the group id is only librdkafka's requirement.
            settings.Config.GroupId ??= AccountStateConsumer.GroupId;
            settings.Config.EnableAutoCommit = false;
            settings.Config.EnableAutoOffsetStore = false;
        });

        builder.Services.AddSingleton(TimeProvider.System);

        builder.Services.AddOptions<LedgerOptions>().Bind(builder.Configuration.GetSection("Transactions:Ledger"));
        builder.Services.AddOptions<AccountStateOptions>().Bind(builder.Configuration.GetSection("Transactions:AccountState"));
        builder.Services.AddOptions<PublisherOptions>().Bind(builder.Configuration.GetSection("Transactions:Publisher"));
        builder.Services.AddOptions<TransfersUnderWayOptions>().Bind(builder.Configuration.GetSection("Transactions:TransfersUnderWay"));
        builder.Services.AddMemoryCache(options =>
            options.SizeLimit = builder.Configuration.GetValue("Transactions:Ledger:CacheSize", new LedgerOptions().CacheSize));
        // Account answers the snapshot export and single accounts to services with account.read, as client 'transactions'.
        builder.Services.AddHttpClient<AccountApiClient>(client => client.BaseAddress = new Uri("https+http://account"))
            .AddClientCredentialsToken("transactions", ServiceScopes.AccountRead);

        builder.Services.AddSingleton<LedgerStore>();
        builder.Services.AddSingleton<PendingSnapshots>();
        builder.Services.AddSingleton<LedgerCommandHandler>();
        builder.Services.AddSingleton<AccountCopyStore>();
        builder.Services.AddSingleton<AccountDirectory>();
        builder.Services.AddSingleton<AccountCopyStart>();
        builder.Services.AddSingleton<PublisherCheckpoints>();
        builder.Services.AddSingleton<PublisherLag>();
        builder.Services.AddSingleton<IConsumerLagSource, AccountCopyLag>();
        builder.Services.AddSingleton<LedgerFactsReader>();
        builder.Services.AddSingleton<TransfersUnderWay>();

        // Hosted services start in order: the schema exists before anything reads or writes it.
        builder.Services.AddPostgresMigration(Schema.MigrationLock, Schema.Script);
        builder.Services.AddHostedService<LedgerSnapshotWriter>();
        builder.Services.AddHostedService<AccountStateConsumer>();
        if (builder.Configuration.GetValue("Transactions:Publisher:Enabled", true))
        {
            builder.Services.AddHostedService<LedgerPublisher>();
        }

        builder.Services.AddHostedService<TransfersUnderWayTracker>();
        builder.Services.AddHostedService<KafkaConsumerService>();
        return builder;
    }

    /// <summary>The Transactions database's connection string, for the connections a data source cannot hand out.</summary>
    public sealed record TransactionsDatabase(string ConnectionString)
    {
        public const string ConnectionName = "transactionsdb";
    }
}
