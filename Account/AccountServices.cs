using EventDriven.Accounts.Choreography;
using EventDriven.Accounts.Features;
using EventDriven.Accounts.Relay;
using EventDriven.Accounts.Storage;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.ServiceDefaults.Postgres;

namespace EventDriven.Accounts;

public static class AccountServices
{
    /// <summary>PostgreSQL, Kafka, the schema, the command handler and the configured outbox relay (<c>Account:Relay:Mode</c>).</summary>
    public static WebApplicationBuilder AddAccountServices(this WebApplicationBuilder builder)
    {
        // Tokens for this service's audience and its own policies, with the services, so that any host of Account's
        // endpoints (the service, a benchmark) authorises them.
        builder.AddServiceAuthentication(AccountAccess.Audience);
        builder.Services.AddAuthorization(AccountAccess.AddPolicies);
        builder.AddNpgsqlDataSource(AccountDatabase.ConnectionName, configureDataSourceBuilder: ServicePostgres.Configure);
        // The data source hides the password from its connection string; replication and leadership need it whole.
        builder.Services.AddSingleton(new AccountDatabase(builder.Configuration.GetConnectionString(AccountDatabase.ConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{AccountDatabase.ConnectionName} is required.")));
        builder.AddServiceKafkaProducer("kafka");

        builder.AddServiceKafkaConsumer<ChoreographyMessages>("kafka", "account", consumers => consumers.AddConsumer<ChoreographyReactions>());

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<AccountStore>();
        builder.Services.AddSingleton<AccountCommandHandler>();
        builder.Services.AddSingleton<OutboxPublisher>();
        builder.Services.AddSingleton<OutboxStatusReader>();
        builder.Services.AddOptions<RelayOptions>().Bind(builder.Configuration.GetSection("Account:Relay"));

        // Hosted services start in order: the schema exists before any relay runs.
        builder.Services.AddPostgresMigration(Schema.MigrationLock, Schema.Script);
        switch (builder.Configuration.GetValue("Account:Relay:Mode", RelayMode.Cdc))
        {
            case RelayMode.Cdc:
                builder.Services.AddHostedService<CdcRelay>();
                break;
            case RelayMode.Polling:
                builder.Services.AddHostedService<PollingRelay>();
                break;
        }

        builder.Services.AddHostedService<KafkaConsumerService>();
        builder.Services.AddHostedService<OutboxBacklog>();

        return builder;
    }

    /// <summary>The Account database's connection string, for the connections a data source cannot hand out.</summary>
    public sealed record AccountDatabase(string ConnectionString)
    {
        public const string ConnectionName = "accountdb";
    }
}
