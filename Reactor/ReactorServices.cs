using EventDriven.Reactor.Alerts;
using EventDriven.Reactor.DeadLettering;
using EventDriven.Reactor.Pipeline;
using EventDriven.Reactor.ReadModels;
using EventDriven.Reactor.Rebuild;
using EventDriven.Reactor.Styles;
using EventDriven.ServiceDefaults.Postgres;
using MassTransit;
using Npgsql;

namespace EventDriven.Reactor;

public static class ReactorServices
{
    /// <summary>
    /// PostgreSQL (read models, inbox, dead letters), Kafka, the consumer and its in-process handlers (MassTransit's
    /// mediator, with retries for transient failures), the alert rules, the rebuilder and the push channel.
    /// </summary>
    public static WebApplicationBuilder AddReactorServices(this WebApplicationBuilder builder)
    {
        builder.AddNpgsqlDataSource("reactordb", configureDataSourceBuilder: ServicePostgres.Configure);
        builder.AddServiceKafkaProducer("kafka");
        builder.AddServiceKafkaConsumer("kafka", ReactorConsumer.GroupId);
        builder.Services.AddHttpClient(StyleHandlers.AccountApi, client => client.BaseAddress = new Uri("https+http://account"));

        builder.Services.AddMediator(mediator =>
        {
            mediator.AddConsumer<ReadModelHandler>();
            mediator.AddConsumer<StyleHandlers>();
            mediator.ConfigureMediator((_, configurator) =>
                // Transient failures (the database restarting, Account's API away) are retried with backoff; what
                // still fails is dead-lettered by the consumer.
                configurator.UseMessageRetry(retry => retry.Exponential(4, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(100))));
        });

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<AlertOptions>().Bind(builder.Configuration.GetSection("Reactor:Alerts"));
        builder.Services.AddSingleton<ReadModelGenerations>();
        builder.Services.AddSingleton<Projector>();
        builder.Services.AddSingleton<ReadModelQueries>();
        builder.Services.AddSingleton<ProjectionGate>();
        builder.Services.AddSingleton<ReadModelChanges>();
        builder.Services.AddSingleton<AlertRules>();
        builder.Services.AddSingleton<StyleStats>();
        builder.Services.AddSingleton<DeadLetterStore>();
        builder.Services.AddSingleton<ReadModelRebuilder>();

        // Hosted services start in order: the schema and the live generations are known before the consumer runs.
        builder.Services.AddPostgresMigration(ReadModelSchema.MigrationLock, ReadModelSchema.Script);
        builder.Services.AddHostedService<GenerationLoader>();
        builder.Services.AddHostedService<ReactorConsumer>();
        return builder;
    }

    private sealed class GenerationLoader(NpgsqlDataSource dataSource, ReadModelGenerations generations) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => generations.LoadAsync(dataSource, cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
