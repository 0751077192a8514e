using System.Net.Security;
using EventDriven.KurrentDB.Protocol.Streams;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventDriven.KurrentDB.Client;

/// <summary>
/// A client of one KurrentDB node over the gRPC Streams API: append, read, subscribe, delete. Shaped like the official
/// KurrentDB.Client so that swapping it in later is a small change. Thread-safe; keep one per application.
/// </summary>
public sealed partial class KurrentDBClient : IDisposable, IAsyncDisposable
{
    // KurrentDB accepts events up to 16 MiB; gRPC's default 4 MiB limit would refuse reading them back.
    private const int MaxReceiveMessageSize = 17 * 1024 * 1024;

    private readonly KurrentDBClientSettings _settings;
    private readonly GrpcChannel _channel;
    private readonly Streams.StreamsClient _streams;
    private readonly ILogger _logger;

    public KurrentDBClient(KurrentDBClientSettings? settings = null)
    {
        _settings = settings ?? new KurrentDBClientSettings();
        _logger = _settings.LoggerFactory?.CreateLogger<KurrentDBClient>() ?? NullLogger<KurrentDBClient>.Instance;
        _channel = GrpcChannel.ForAddress(_settings.Address, new GrpcChannelOptions
        {
            HttpHandler = _settings.CreateHttpMessageHandler?.Invoke() ?? CreateHandler(_settings),
            DisposeHttpClient = true,
            LoggerFactory = _settings.LoggerFactory,
            MaxReceiveMessageSize = MaxReceiveMessageSize,
            // Cancellation surfaces as the usual OperationCanceledException rather than a CANCELLED RpcException.
            ThrowOperationCanceledOnCancellation = true,
        });
        _streams = new Streams.StreamsClient(_channel);
        Log.ClientCreated(_logger, _settings.ConnectionName, _settings.Address);
    }

    /// <summary>The connection name sent with every call.</summary>
    public string ConnectionName => _settings.ConnectionName;

    public void Dispose() => _channel.Dispose();

    public ValueTask DisposeAsync()
    {
        _channel.Dispose();
        return ValueTask.CompletedTask;
    }

    private CallOptions CreateCallOptions(TimeSpan? deadline, CancellationToken cancellationToken, bool unbounded = false)
    {
        var headers = new Metadata { { "connection-name", _settings.ConnectionName } };
        if (_settings.DefaultCredentials is { } credentials)
        {
            headers.Add("authorization", credentials.ToAuthorizationHeader());
        }

        var timeout = unbounded ? null : deadline ?? _settings.DefaultDeadline;
        DateTime? expiry = timeout is { } t && t != Timeout.InfiniteTimeSpan ? DateTime.UtcNow.Add(t) : null;
        return new CallOptions(headers, expiry, cancellationToken);
    }

    private System.Diagnostics.Activity? StartClientSpan(string operation, string stream) =>
        _settings.DisableTracing ? null : KurrentDBTelemetry.StartClientSpan(operation, stream, _settings.Address);

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5359", Justification = "An explicit opt-in of the connection string (tlsVerifyCert=false), as in the official client.")]
    private static SocketsHttpHandler CreateHandler(KurrentDBClientSettings settings)
    {
        var handler = new SocketsHttpHandler
        {
            // Subscriptions are long-lived streams; one connection's concurrent-stream limit must not block appends.
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = TimeSpan.FromSeconds(10),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        };
        if (!settings.TlsVerifyCert)
        {
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = AcceptAnyCertificate };
        }

        return handler;
    }

    // Only reached when the connection string says tlsVerifyCert=false, e.g. a development node's self-signed certificate.
    private static bool AcceptAnyCertificate(object sender, System.Security.Cryptography.X509Certificates.X509Certificate? certificate,
        System.Security.Cryptography.X509Certificates.X509Chain? chain, SslPolicyErrors errors) => true;
}
