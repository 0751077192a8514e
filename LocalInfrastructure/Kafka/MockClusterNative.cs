using System.Reflection;
using System.Runtime.InteropServices;

namespace EventDriven.LocalKafka;

/// <summary>
/// P/Invoke into the mock-cluster API of the librdkafka that Confluent.Kafka ships (<c>rdkafka_mock.h</c>).
/// </summary>
internal static partial class MockClusterNative
{
    private const string Library = "librdkafka";

    public const int ProducerType = 0;

    static MockClusterNative() => NativeLibrary.SetDllImportResolver(typeof(MockClusterNative).Assembly, Resolve);

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_new")]
    public static partial nint ConfNew();

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ConfSet(nint conf, string name, string value, byte[] errorText, nuint errorTextSize);

    [LibraryImport(Library, EntryPoint = "rd_kafka_new")]
    public static partial nint KafkaNew(int type, nint conf, byte[] errorText, nuint errorTextSize);

    [LibraryImport(Library, EntryPoint = "rd_kafka_destroy")]
    public static partial void KafkaDestroy(nint handle);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_cluster_new")]
    public static partial nint ClusterNew(nint handle, int brokerCount);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    public static partial void ClusterDestroy(nint cluster);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    public static partial nint ClusterBootstraps(nint cluster);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int TopicCreate(nint cluster, string topic, int partitions, int replicationFactor);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_broker_set_host_port", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int BrokerSetHostPort(nint cluster, int brokerId, string host, int port);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_broker_set_down")]
    public static partial int BrokerSetDown(nint cluster, int brokerId);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_broker_set_up")]
    public static partial int BrokerSetUp(nint cluster, int brokerId);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_group_initial_rebalance_delay_ms")]
    public static partial void GroupInitialRebalanceDelayMs(nint cluster, int delayMs);

    [LibraryImport(Library, EntryPoint = "rd_kafka_err2str")]
    public static partial nint ErrorToString(int error);

    public static string Describe(int error) => Marshal.PtrToStringUTF8(ErrorToString(error)) ?? $"error {error}";

    /// <summary>
    /// The same file Confluent.Kafka loads: its default build first, then the variants it falls back to (on Debian 12
    /// the default needs libsasl2.so.3, which is missing, and the centos8 build is the one that loads).
    /// </summary>
    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Library)
        {
            return 0;
        }

        var native = Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier.StartsWith("linux-arm", StringComparison.Ordinal) ? "linux-arm64" : "linux-x64", "native");
        string[] candidates = ["librdkafka.so", "centos8-librdkafka.so", "alpine-librdkafka.so", "centos7-librdkafka.so"];
        foreach (var candidate in candidates)
        {
            if (NativeLibrary.TryLoad(Path.Combine(native, candidate), out var handle))
            {
                return handle;
            }
        }

        return NativeLibrary.TryLoad(name, assembly, searchPath, out var fallback) ? fallback : 0;
    }
}
