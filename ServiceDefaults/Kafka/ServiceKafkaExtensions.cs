using Confluent.Kafka;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.ServiceDefaults.Lineage;
using EventDriven.ServiceDefaults.Status;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>The Kafka clients every service here registers, with the settings their guarantees rest on.</summary>
public static class ServiceKafkaExtensions
{
    /// <summary>The service's producer: retries never duplicate or reorder a partition's messages; acks from all in-sync replicas.</summary>
    public static void AddServiceKafkaProducer(this IHostApplicationBuilder builder, string connectionName) =>
        builder.AddKafkaProducer<string, byte[]>(connectionName, settings =>
        {
            settings.Config.EnableIdempotence = true;
            settings.Config.Acks = Acks.All;
            settings.Config.LingerMs ??= 1;
        });

    /// <summary>
    /// Everything a service's <see cref="KafkaConsumerService"/> needs, but the hosted service itself (add it with
    /// <c>AddHostedService&lt;KafkaConsumerService&gt;()</c> where it should start, after the schema it writes to):
    /// <list type="bullet">
    /// <item>its consumer, a member of <paramref name="groupId"/> (unless configured otherwise) that starts at the
    /// beginning of partitions its group has no offset for;</item>
    /// <item>the service's <typeparamref name="TReader"/>;</item>
    /// <item>MassTransit's mediator with the service's <paramref name="consumers"/> and the retry policy every service
    /// shares;</item>
    /// <item>the <see cref="DeadLetterStore"/> and its table; the <see cref="LineageStore"/>, its tables and writer; the <see cref="ConsumerGate"/>; its lag for <c>/status/consumers</c>.</item>
    /// </list>
    /// The service stores a message's offset once it is applied or parked; librdkafka commits the stored offsets every
    /// second (and when partitions are revoked or the consumer closes), so a committed offset is always a handled one,
    /// without a commit request per message.
    /// </summary>
    /// <param name="partitionsInParallel">How many partitions may apply at once (the <see cref="ConsumerGate"/>'s permits).</param>
    public static void AddServiceKafkaConsumer<TReader>(
        this IHostApplicationBuilder builder, string connectionName, string groupId, Action<IMediatorRegistrationConfigurator> consumers, int partitionsInParallel = 1)
        where TReader : class, IMessageReader
    {
        // The group as configured (a deployment or a test may name another): spans, dead letters and re-drives name it.
        var effectiveGroupId = groupId;
        builder.AddKafkaConsumer<string, byte[]>(connectionName, settings =>
        {
            effectiveGroupId = settings.Config.GroupId ??= groupId;
            settings.Config.EnableAutoCommit = true;
            settings.Config.EnableAutoOffsetStore = false;
            settings.Config.AutoCommitIntervalMs ??= 1_000;
            // A member that vanished (a crash, or a restart that did not leave the group) holds its partitions this long.
            settings.Config.SessionTimeoutMs ??= 10_000;
            settings.Config.AutoOffsetReset = AutoOffsetReset.Earliest;
        });

        builder.Services.AddMediator(mediator =>
        {
            consumers(mediator);
            mediator.ConfigureMediator((_, configurator) => configurator.UseMessageRetry(retry =>
            {
                // Transient failures get a few quick tries in process; after that the consumer service tries again
                // every second for as long as they last. A handler's refusal for good is not retried: it is parked at once.
                retry.Exponential(4, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(100));
                retry.Ignore<Exception>(MessageFailures.IsPermanent);
            }));
        });
        DeadLetterStore.AddTo(builder.Services);
        LineageStore.AddTo(builder.Services);
        builder.Services.AddSingleton<IMessageReader, TReader>();
        builder.Services.AddSingleton(new ConsumerPipeline(effectiveGroupId, TimeSpan.FromSeconds(1)));
        builder.Services.AddSingleton(new ConsumerGate(partitionsInParallel));
        builder.Services.AddSingleton<IConsumerLagSource, PipelineConsumerLag>();
    }
}
