using System.Net.Http.Json;
using Confluent.Kafka;
using EventDriven.LocalInfrastructure;
using Xunit;

namespace EventDriven.Tests;

/// <summary>
/// The local Kafka stand-in (librdkafka's mock cluster) as a separate process on free ports, started once per test
/// collection. Tests use their own topics or groups, so they do not depend on each other.
/// </summary>
public sealed class LocalKafkaBroker : IAsyncLifetime
{
    private ChildProcess? _process;

    public string BootstrapServers { get; private set; } = "";

    public Uri ControlUri { get; private set; } = new("http://localhost");

    public async ValueTask InitializeAsync()
    {
        var kafkaPort = FreePort.Pick();
        var controlPort = FreePort.Pick();
        BootstrapServers = $"localhost:{kafkaPort}";
        ControlUri = new Uri($"http://127.0.0.1:{controlPort}");
        _process = ChildProcess.StartDotnet(LocalInfrastructureAssemblies.LocalKafka, [], new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = ControlUri.ToString(),
            ["LocalKafka__Port"] = kafkaPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        using var http = new HttpClient { BaseAddress = ControlUri };
        try
        {
            await Poll.UntilAsync(
                async () => (await http.GetFromJsonAsync<BrokerState>("/broker"))?.Up == true,
                TimeSpan.FromSeconds(30),
                $"the local Kafka broker to answer on {ControlUri}");
        }
        catch (TimeoutException exception)
        {
            var report = $"{exception.Message} (exited: {_process.HasExited}) Its stderr:\n{_process.StandardError}";
            await _process.DisposeAsync();
            _process = null;
            throw new TimeoutException(report, exception);
        }
    }

    /// <summary>Creates a topic through the stand-in's control API (the mock has no CreateTopics).</summary>
    public async Task CreateTopicAsync(string topic, int partitions = 3)
    {
        using var http = new HttpClient { BaseAddress = ControlUri };
        using var response = await http.PutAsync(new Uri($"/topics/{Uri.EscapeDataString(topic)}?partitions={partitions}", UriKind.Relative), content: null);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Creates each of <paramref name="topics"/> (e.g. <c>Topics.All</c>, as the AppHost does).</summary>
    public async Task CreateTopicsAsync(IEnumerable<string> topics)
    {
        foreach (var topic in topics)
        {
            await CreateTopicAsync(topic);
        }
    }

    /// <summary>Takes the broker down or brings it back (the stand-in's fault drill).</summary>
    public async Task SetBrokerAsync(bool up)
    {
        using var http = new HttpClient { BaseAddress = ControlUri };
        using var response = await http.PostAsync(new Uri(up ? "/broker/up" : "/broker/down", UriKind.Relative), content: null);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// The messages about one account (the key of every topic in the system) on a topic, in order, once there are
    /// <paramref name="count"/> of them (or 30 s passed).
    /// </summary>
    public Task<IReadOnlyList<Message<string, string>>> ReadAsync(string topic, Guid accountId, int count) =>
        ReadAsync(topic, accountId.ToString(), count, TimeSpan.Zero);

    /// <summary>
    /// For "exactly <paramref name="count"/>": waits for that many as <see cref="ReadAsync(string, Guid, int)"/> does, then
    /// goes on reading for two more seconds, so that a message too many is in the answer.
    /// </summary>
    public Task<IReadOnlyList<Message<string, string>>> ReadExactlyAsync(string topic, Guid accountId, int count) =>
        ReadAsync(topic, accountId.ToString(), count, TimeSpan.FromSeconds(2));

    private async Task<IReadOnlyList<Message<string, string>>> ReadAsync(string topic, string key, int count, TimeSpan settle)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = BootstrapServers,
            GroupId = $"test-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        // Assigned, not subscribed, where the topic exists: no group to join, so the time allowed is all spent reading.
        using (var admin = new DependentAdminClientBuilder(consumer.Handle).Build())
        {
            var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions;
            if (partitions.Count == 0)
            {
                consumer.Subscribe(topic);
            }
            else
            {
                consumer.Assign(partitions.Select(p => new TopicPartitionOffset(topic, p.PartitionId, Offset.Beginning)));
            }
        }

        var found = new List<Message<string, string>>();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var settling = false;
        while (DateTime.UtcNow < until)
        {
            if (!settling && found.Count >= count)
            {
                // All there: from now on only a message too many is looked for.
                (settling, until) = (true, DateTime.UtcNow + settle);
                continue;
            }

            // Consume blocks its thread: keep the caller's free.
            if (await Task.Run(() => consumer.Consume(TimeSpan.FromMilliseconds(200))) is { Message.Key: var k } result && k == key)
            {
                found.Add(result.Message);
            }
        }

        consumer.Close();
        return found;
    }

    /// <summary>
    /// Commits, for <paramref name="groupId"/>, the end of every partition of the <paramref name="topics"/>: a consumer
    /// group that starts later reads only what is produced from now on, as if the topics' history were gone.
    /// </summary>
    public void CommitEndOffsets(string groupId, IEnumerable<string> topics)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = BootstrapServers, GroupId = groupId, EnableAutoCommit = false }).Build();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        consumer.Commit([.. topics.SelectMany(topic => admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Select(p =>
            new TopicPartitionOffset(topic, p.PartitionId, consumer.QueryWatermarkOffsets(new TopicPartition(topic, p.PartitionId), TimeSpan.FromSeconds(10)).High)))]);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    private sealed record BrokerState(bool Up);
}
