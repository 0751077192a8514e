using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using EventDriven.Contracts;
using EventDriven.Contracts.Lineage;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.ServiceDefaults.Lineage;
using EventDriven.Tests;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventDriven.ServiceDefaults.Tests;

/// <summary>
/// The one consumer pipeline (read → dispatch → retry → park) every service uses, against the local broker and a real
/// PostgreSQL: what can never apply is parked at once, what fails transiently is retried until it applies.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class ConsumerPipelineTests(LocalKafkaBroker broker, LocalPostgresServer postgres) : IClassFixture<LocalPostgresServer>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task What_can_never_apply_is_parked_at_once_and_the_partition_moves_on()
    {
        await using var pipeline = await StartAsync();
        await pipeline.ProduceAsync("first", "never: a handler's refusal", "not json", "last");

        await pipeline.WaitForAppliedAsync("first", "last");
        var parked = await Poll.UntilAsync(async () =>
        {
            var letters = (await pipeline.DeadLetters.ListAsync(includeRedriven: false, Ct)).Where(d => d.SourceTopic == pipeline.Topic).ToList();
            return letters.Count == 2 ? letters : null;
        }, Patience, "two dead letters");

        Assert.Equal(["never: a handler's refusal", "not json"], parked.Select(d => d.Value).Order(StringComparer.Ordinal));
        Assert.Contains(parked, d => d.Error.StartsWith(nameof(UnappliableMessageException), StringComparison.Ordinal));
        Assert.Contains(parked, d => d.Error.StartsWith(nameof(JsonException), StringComparison.Ordinal));
        // Parked on the first attempt: no retry can make them apply. The unreadable one never reached a handler.
        Assert.Equal(1, pipeline.Attempts.GetValueOrDefault("never: a handler's refusal"));
        Assert.False(pipeline.Attempts.ContainsKey("not json"));
        var onTopic = await broker.ReadAsync(Topics.DeadLetter(pipeline.Topic), pipeline.Key, 2);
        Assert.All(onTopic, m => Assert.Equal(pipeline.Topic, Encoding.UTF8.GetString(m.Headers.GetLastBytes("source_topic"))));
    }

    [Fact]
    public async Task A_re_driven_message_is_taken_again_only_by_the_group_that_parked_it()
    {
        // Two groups read one topic, as Transactions and Reactor read accounts.state; each parks the poison message.
        await using var parker = await StartAsync();
        await using var other = await StartAsync(topic: parker.Topic);
        await parker.ProduceAsync("never: parked by both", "first");
        await parker.WaitForAppliedAsync("first");
        await other.WaitForAppliedAsync("first");
        var letter = Assert.Single(await LettersAsync(parker));
        Assert.Single(await LettersAsync(other));

        Assert.True(await parker.DeadLetters.RedriveAsync(letter.Id, Ct));
        await parker.ProduceAsync("after the re-drive");

        // One partition, in order: a group that applied the message after the re-drive has passed the re-driven one.
        await parker.WaitForAppliedAsync("after the re-drive");
        await other.WaitForAppliedAsync("after the re-drive");
        var again = Assert.Single(await LettersAsync(parker), d => d.RedrivenAt is null);
        Assert.Equal(letter.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), again.Headers["redriven_from"]);
        Assert.Equal(parker.GroupId, again.Headers[DeadLetterStore.RedrivenFor]);
        Assert.Equal(2, parker.Attempts["never: parked by both"]);
        // The other group parked it once and never saw it again.
        Assert.Equal(1, other.Attempts["never: parked by both"]);
        Assert.Null(Assert.Single(await LettersAsync(other)).RedrivenAt);

        async Task<List<DeadLetter>> LettersAsync(Pipeline pipeline) =>
            [.. (await pipeline.DeadLetters.ListAsync(includeRedriven: true, Ct)).Where(d => d.SourceTopic == pipeline.Topic && d.ConsumerGroup == pipeline.GroupId)];
    }

    [Fact]
    public async Task A_transient_failure_is_retried_past_the_mediators_retries_until_it_applies_and_is_never_parked()
    {
        await using var pipeline = await StartAsync();
        // Fails seven times: more than one pass through the mediator's retries (1 + 4 tries), so the pipeline itself
        // must offer it again; the message after it waits, and applies after it.
        await pipeline.ProduceAsync("flaky 7", "after");

        await pipeline.WaitForAppliedAsync("flaky 7", "after");
        Assert.Equal(8, pipeline.Attempts["flaky 7"]);
        Assert.Equal(["flaky 7", "after"], pipeline.Applied);
        Assert.DoesNotContain(await pipeline.DeadLetters.ListAsync(includeRedriven: true, Ct), d => d.SourceTopic == pipeline.Topic);
    }

    [Fact]
    public async Task A_partition_held_up_by_a_failing_message_holds_up_only_itself_and_loses_nothing_however_far_it_falls_behind()
    {
        await using var pipeline = await StartAsync(partitions: 2);
        // Partition 0: a message that fails until released, then more than a lane holds, so that its partition is paused.
        var behind = Enumerable.Range(1, 150).Select(n => $"behind {n}").ToArray();
        await pipeline.ProduceAsync(0, ["blocked"]);
        await pipeline.ProduceAsync(0, behind);
        await pipeline.ProduceAsync(1, ["other partition"]);

        await pipeline.WaitForAppliedAsync("other partition");
        Assert.DoesNotContain("blocked", pipeline.Applied);

        pipeline.Release("blocked");
        await pipeline.WaitForAppliedAsync(behind);
        Assert.Equal(["blocked", .. behind], pipeline.Applied.Where(text => text != "other partition"));
    }

    [Fact]
    public async Task A_handler_sees_where_Kafka_delivered_its_message_also_on_a_retry()
    {
        await using var pipeline = await StartAsync(partitions: 2);
        var before = DateTimeOffset.UtcNow;
        await pipeline.ProduceAsync(1, ["first", "flaky 2"]);

        await pipeline.WaitForAppliedAsync("first", "flaky 2");
        var deliveries = pipeline.Deliveries;
        Assert.Equal((pipeline.Topic, 1, 0L), (deliveries["first"].Topic, deliveries["first"].Partition, deliveries["first"].Offset));
        // The last attempt of a message that failed twice still knows where it came from.
        Assert.Equal((pipeline.Topic, 1, 1L), (deliveries["flaky 2"].Topic, deliveries["flaky 2"].Partition, deliveries["flaky 2"].Offset));
        // Kafka's timestamp is the producer's create time (whole milliseconds).
        Assert.InRange(deliveries["first"].Timestamp!.Value, before.AddMilliseconds(-1), DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task An_applied_message_s_lineage_is_recorded_once_with_what_its_handler_reported_and_a_parked_one_has_none()
    {
        await using var pipeline = await StartAsync();
        var (first, flaky, never, last) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await pipeline.ProduceAsync(first, "first");
        await pipeline.ProduceAsync(flaky, "flaky 2");
        await pipeline.ProduceAsync(never, "never: parked");
        await pipeline.ProduceAsync(first, "first again"); // the same event delivered again, as after a republish
        await pipeline.ProduceAsync(last, "last");

        // One partition, recorded in order and written in order: once the last is there, so is everything before it.
        await Poll.UntilAsync(async () => await pipeline.Lineage.FindAsync(last, Ct) is not null, Patience, "the last message's lineage");

        var applied = Assert.Single((await pipeline.Lineage.FindAsync(first, Ct))!.Applications);
        Assert.Equal((pipeline.GroupId, pipeline.Topic, 0, 0L), (applied.ConsumerGroup, applied.Topic, applied.Partition, applied.Offset));
        Assert.Equal([new AppliedProduct("probe", 1)], applied.Produced);
        // Reported by the attempt that applied it (the third), not by the two that failed.
        Assert.Equal([new AppliedProduct("probe", 3)], Assert.Single((await pipeline.Lineage.FindAsync(flaky, Ct))!.Applications).Produced);
        Assert.Null(await pipeline.Lineage.FindAsync(never, Ct));
    }

    /// <summary>A pipeline of its own group and database, on a new topic or on <paramref name="topic"/>.</summary>
    private async Task<Pipeline> StartAsync(int partitions = 1, string? topic = null)
    {
        if (topic is null)
        {
            topic = $"pipeline.{Guid.NewGuid():N}";
            await broker.CreateTopicAsync(topic, partitions);
            await broker.CreateTopicAsync(Topics.DeadLetter(topic), partitions: 1);
        }

        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:kafka"] = broker.BootstrapServers,
            ["ConnectionStrings:pipelinedb"] = await postgres.CreateDatabaseAsync("pipeline"),
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddNpgsqlDataSource("pipelinedb");
        builder.AddServiceKafkaProducer("kafka");
        var groupId = $"pipeline-{Guid.NewGuid():N}";
        builder.AddServiceKafkaConsumer<ProbeReader>("kafka", groupId, consumers => consumers.AddConsumer<ProbeHandler>(), partitionsInParallel: partitions);
        builder.Services.AddSingleton(new ProbeTopic(topic));
        builder.Services.AddSingleton<ProbeLog>();
        builder.Services.AddHostedService<KafkaConsumerService>();
        var host = builder.Build();
        await host.StartAsync(Ct);
        return new Pipeline(host, topic, groupId);
    }

    /// <summary>The hosted pipeline under test, and what its handler saw.</summary>
    private sealed class Pipeline(IHost host, string topic, string groupId) : IAsyncDisposable
    {
        public string Topic => topic;

        public string GroupId => groupId;

        public LineageStore Lineage => host.Services.GetRequiredService<LineageStore>();

        /// <summary>Every message's key (one partition anyway).</summary>
        public Guid Key { get; } = Guid.NewGuid();

        public DeadLetterStore DeadLetters => host.Services.GetRequiredService<DeadLetterStore>();

        public ConcurrentDictionary<string, int> Attempts => host.Services.GetRequiredService<ProbeLog>().Attempts;

        public IReadOnlyList<string> Applied => host.Services.GetRequiredService<ProbeLog>().AppliedInOrder;

        public ConcurrentDictionary<string, KafkaDelivery> Deliveries => host.Services.GetRequiredService<ProbeLog>().Deliveries;

        public Task ProduceAsync(params string[] values) => ProduceAsync(0, values);

        public async Task ProduceAsync(int partition, string[] values)
        {
            var producer = host.Services.GetRequiredService<IProducer<string, byte[]>>();
            foreach (var value in values)
            {
                await producer.ProduceAsync(new TopicPartition(topic, partition), new Message<string, byte[]> { Key = Key.ToString(), Value = Encoding.UTF8.GetBytes(value) }, Ct);
            }
        }

        /// <summary>A message with a CloudEvents id, as every service's messages carry one.</summary>
        public async Task ProduceAsync(Guid eventId, string value)
        {
            var producer = host.Services.GetRequiredService<IProducer<string, byte[]>>();
            await producer.ProduceAsync(new TopicPartition(topic, 0), new Message<string, byte[]>
            {
                Key = Key.ToString(),
                Value = Encoding.UTF8.GetBytes(value),
                Headers = CloudEventHeaders.Create(eventId, "probe.v1", "/tests", DateTimeOffset.UtcNow, Key.ToString()),
            }, Ct);
        }

        /// <summary>Lets a "blocked" message apply from its next attempt on.</summary>
        public void Release(string text) => host.Services.GetRequiredService<ProbeLog>().Released[text] = true;

        public Task<string[]> WaitForAppliedAsync(params string[] values) =>
            Poll.UntilAsync(() => Task.FromResult(values.All(Applied.Contains) ? values : null), Patience, string.Join(", ", values));

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
        }
    }

    private sealed record ProbeTopic(string Name);

    private sealed record ProbeMessage(string Text);

    private sealed class ProbeLog
    {
        private readonly ConcurrentQueue<string> _applied = new();

        public ConcurrentDictionary<string, int> Attempts { get; } = new();

        public ConcurrentDictionary<string, bool> Released { get; } = new();

        /// <summary>Where each message's last attempt said Kafka delivered it.</summary>
        public ConcurrentDictionary<string, KafkaDelivery> Deliveries { get; } = new();

        public IReadOnlyList<string> AppliedInOrder => [.. _applied];

        public void Apply(string text) => _applied.Enqueue(text);
    }

    /// <summary>Reads the message's text; "not json" cannot be read.</summary>
    private sealed class ProbeReader(ProbeTopic topic) : IMessageReader
    {
        public IReadOnlyList<string> Topics => [topic.Name];

        public object Read(ConsumeResult<string, byte[]> result)
        {
            var text = Encoding.UTF8.GetString(result.Message.Value);
            return text == "not json" ? throw new JsonException("Not a probe message.") : new ProbeMessage(text);
        }
    }

    /// <summary>"never…" can never apply; "flaky N" fails N times before it applies; "blocked" fails until released; anything else applies.</summary>
    private sealed class ProbeHandler(ProbeLog log) : IConsumer<ProbeMessage>
    {
        public Task Consume(ConsumeContext<ProbeMessage> context)
        {
            var text = context.Message.Text;
            var attempt = log.Attempts.AddOrUpdate(text, 1, (_, n) => n + 1);
            if (KafkaDelivery.From(context) is { } delivery)
            {
                log.Deliveries[text] = delivery;
            }

            if (text.StartsWith("never", StringComparison.Ordinal))
            {
                throw new UnappliableMessageException("This probe message can never apply.");
            }

            if (text.StartsWith("flaky ", StringComparison.Ordinal) && attempt <= int.Parse(text[6..], System.Globalization.CultureInfo.InvariantCulture))
            {
                throw new InvalidOperationException($"Transient failure {attempt}.");
            }

            if (text == "blocked" && !log.Released.ContainsKey(text))
            {
                throw new InvalidOperationException("Blocked until the test releases it.");
            }

            AppliedLineage.Report("probe", attempt);
            log.Apply(text);
            return Task.CompletedTask;
        }
    }
}
