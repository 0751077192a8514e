using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Options;

namespace EventDriven.LocalKafka;

public sealed class LocalKafkaOptions
{
    /// <summary>The fixed port clients bootstrap from (the seed's 9092 when it is free); 0 lets the kernel pick.</summary>
    public int Port { get; set; }

    /// <summary>The host in <see cref="MockKafkaCluster.BootstrapServers"/>, with <see cref="Port"/>.</summary>
    public string AdvertisedHost { get; set; } = "localhost";

    /// <summary>Comma-separated topics to create at start, so consumers need no auto-creation.</summary>
    public string Topics { get; set; } = "";

    public int Partitions { get; set; } = 3;
}

/// <summary>
/// librdkafka's mock cluster (one broker, in memory). The mock listens on a port the kernel picks; clients reach it
/// through <see cref="BrokerProxy"/> on the fixed port, which the broker advertises in its metadata, so that a fetch is
/// answered as soon as there is data (the mock alone would hold an empty fetch for the client's whole wait).
/// </summary>
public sealed partial class MockKafkaCluster : IHostedService, IDisposable
{
    private const int BrokerId = 1;
    private readonly LocalKafkaOptions _options;
    private readonly ILogger<MockKafkaCluster> _logger;
    private nint _handle;
    private nint _cluster;
    private BrokerProxy? _proxy;
    private readonly SortedSet<string> _topics = new(StringComparer.Ordinal);

    public MockKafkaCluster(IOptions<LocalKafkaOptions> options, ILogger<MockKafkaCluster> logger)
    {
        _options = options.Value;
        _logger = logger;
    }

    public bool IsBrokerUp { get; private set; }

    public string BootstrapServers => $"{_options.AdvertisedHost}:{_proxy?.Port}";

    public IReadOnlyList<string> Topics
    {
        get
        {
            lock (_topics)
            {
                return [.. _topics];
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var errorText = new byte[512];
        _handle = MockClusterNative.KafkaNew(MockClusterNative.ProducerType, MockClusterNative.ConfNew(), errorText, (nuint)errorText.Length);
        if (_handle == 0)
        {
            throw new InvalidOperationException($"librdkafka could not create the handle that hosts the mock cluster: {Encoding.UTF8.GetString(errorText).TrimEnd('\0')}");
        }

        _cluster = MockClusterNative.ClusterNew(_handle, 1);
        if (_cluster == 0)
        {
            throw new InvalidOperationException("librdkafka could not create the mock cluster.");
        }

        // The mock waits 3 s before the first rebalance of a group by default; local runs should not.
        MockClusterNative.GroupInitialRebalanceDelayMs(_cluster, 0);

        var mockAddress = Marshal.PtrToStringUTF8(MockClusterNative.ClusterBootstraps(_cluster))!.Split(',')[0];
        var mockPort = int.Parse(mockAddress[(mockAddress.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        _proxy = BrokerProxy.Start(_options.Port, mockPort, _logger);
        Check(MockClusterNative.BrokerSetHostPort(_cluster, BrokerId, _options.AdvertisedHost, _proxy.Port), "advertise the proxy's port");

        var topics = _options.Topics.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var topic in topics)
        {
            CreateTopic(topic, _options.Partitions);
        }

        IsBrokerUp = true;
        LogStarted(_logger, BootstrapServers, mockAddress, topics.Length, _options.Partitions);
        return Task.CompletedTask;
    }

    /// <summary>Creates a topic (librdkafka leaves an existing one as it is).</summary>
    public void CreateTopic(string topic, int? partitions = null)
    {
        Check(MockClusterNative.TopicCreate(_cluster, topic, partitions ?? _options.Partitions, 1), $"create topic {topic}");
        lock (_topics)
        {
            _topics.Add(topic);
        }
    }

    /// <summary>Takes the broker down: connections are dropped and refused; the data stays.</summary>
    public void SetBrokerDown()
    {
        Check(MockClusterNative.BrokerSetDown(_cluster, BrokerId), "take the broker down");
        IsBrokerUp = false;
    }

    public void SetBrokerUp()
    {
        Check(MockClusterNative.BrokerSetUp(_cluster, BrokerId), "bring the broker up");
        IsBrokerUp = true;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _proxy?.Dispose();
        _proxy = null;
        if (_cluster != 0)
        {
            MockClusterNative.ClusterDestroy(_cluster);
            _cluster = 0;
        }

        if (_handle != 0)
        {
            MockClusterNative.KafkaDestroy(_handle);
            _handle = 0;
        }
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"Could not {what}: {MockClusterNative.Describe(error)}");
        }
    }

    [LoggerMessage(LogLevel.Information, "Kafka mock cluster on {Bootstrap} (through the proxy; the mock listens on {Mock}); {Topics} topics of {Partitions} partitions")]
    private static partial void LogStarted(ILogger logger, string bootstrap, string mock, int topics, int partitions);
}
