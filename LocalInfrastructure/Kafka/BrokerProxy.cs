using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace EventDriven.LocalKafka;

/// <summary>
/// Accepts connections on a fixed loopback port and relays them, request by request, to the mock broker's own listener.
/// The broker advertises this port, so every client's traffic passes here. One thing is changed on the way, so that the
/// mock behaves like a real broker: the mock answers a Fetch that finds no data only when the fetch's wait runs out
/// (<c>fetch.wait.max.ms</c>, 500 ms by default) and is not woken when a message arrives. The proxy therefore sends
/// each fetch on with no wait, and when the answer is empty it holds it and asks again as soon as a produce completes,
/// or answers with it when the client's wait runs out. An idle consumer costs nothing; a message is fetched as soon as
/// it is acknowledged.
/// </summary>
internal sealed partial class BrokerProxy : IDisposable
{
    private TaskCompletionSource _produced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<TcpListener> _listeners = [];
    private readonly CancellationTokenSource _stopping = new();
    private const int MaxFrameBytes = 256 * 1024 * 1024;
    private readonly int _targetPort;
    private readonly ILogger _logger;

    private BrokerProxy(int targetPort, ILogger logger)
    {
        _targetPort = targetPort;
        _logger = logger;
    }

    public int Port { get; private set; }

    /// <summary>Listens on IPv4 loopback (and IPv6 loopback where the machine has it) at <paramref name="port"/>.</summary>
    public static BrokerProxy Start(int port, int targetPort, ILogger logger)
    {
        var proxy = new BrokerProxy(targetPort, logger);
        var v4 = new TcpListener(IPAddress.Loopback, port);
        v4.Start();
        proxy.Port = ((IPEndPoint)v4.LocalEndpoint).Port;
        proxy._listeners.Add(v4);
        if (Socket.OSSupportsIPv6)
        {
            try
            {
                var v6 = new TcpListener(IPAddress.IPv6Loopback, proxy.Port);
                v6.Start();
                proxy._listeners.Add(v6);
            }
            catch (SocketException)
            {
                // No IPv6 loopback here: clients resolving "localhost" fall back to 127.0.0.1.
            }
        }

        foreach (var listener in proxy._listeners)
        {
            _ = proxy.AcceptLoopAsync(listener);
        }

        return proxy;
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = PipeAsync(client);
        }
    }

    /// <summary>Completes when a produce request next completes (data may then be there for held fetches).</summary>
    private Task NextProduce => Volatile.Read(ref _produced).Task;

    private void SignalProduced() =>
        Interlocked.Exchange(ref _produced, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private async Task PipeAsync(Socket client)
    {
        using var _ = client;
        using var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, closing.Token);
            await using var connection = new Connection(this, new NetworkStream(client, ownsSocket: false), new NetworkStream(upstream, ownsSocket: false), closing.Token);
            // When either side closes, close both: a broker taken down must look down to the client.
            var first = await Task.WhenAny(connection.RequestsAsync(), connection.ResponsesAsync());
            await first;
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException or EndOfStreamException)
        {
            // A refused or reset connection ends this pipe only; the client sees its connection closed.
            LogPipeClosed(_logger, exception.Message);
        }
        finally
        {
            await closing.CancelAsync();
            client.Close();
            upstream.Close();
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        foreach (var listener in _listeners)
        {
            listener.Stop();
        }

        _stopping.Dispose();
    }

    /// <summary>One client's connection and its connection to the mock.</summary>
    private sealed class Connection(BrokerProxy proxy, NetworkStream client, NetworkStream upstream, CancellationToken closing) : IAsyncDisposable
    {
        private readonly SemaphoreSlim _toClient = new(1, 1);
        private readonly SemaphoreSlim _toUpstream = new(1, 1);
        private readonly ConcurrentDictionary<int, HeldFetch> _fetches = new();
        private readonly ConcurrentDictionary<int, bool> _produces = new();

        /// <summary>Client → mock: every request as it is, but a waiting fetch with no wait, and produces remembered.</summary>
        public async Task RequestsAsync()
        {
            while (await ReadFrameAsync(client) is { } frame)
            {
                var request = frame.AsSpan(4);
                var correlationId = KafkaWire.CorrelationId(request, isResponse: false);
                if (KafkaWire.TakeFetchWait(request) is { } wait)
                {
                    _fetches[correlationId] = new HeldFetch(frame, KafkaWire.ApiVersion(request), Environment.TickCount64 + wait, proxy.NextProduce);
                }
                else if (KafkaWire.ApiKey(request) == KafkaWire.ProduceKey)
                {
                    _produces[correlationId] = true;
                }

                await WriteAsync(_toUpstream, upstream, frame);
            }
        }

        /// <summary>Mock → client: every response as it is, except an empty answer to a fetch whose wait has not run out.</summary>
        public async Task ResponsesAsync()
        {
            while (await ReadFrameAsync(upstream) is { } frame)
            {
                var correlationId = KafkaWire.CorrelationId(frame.AsSpan(4), isResponse: true);
                if (_fetches.TryGetValue(correlationId, out var fetch) && IsEmpty(frame, fetch.Version) && Environment.TickCount64 < fetch.Deadline)
                {
                    _ = HoldAsync(correlationId, fetch, frame);
                    continue;
                }

                _fetches.TryRemove(correlationId, out _);
                await WriteAsync(_toClient, client, frame);
                if (_produces.TryRemove(correlationId, out _))
                {
                    proxy.SignalProduced();
                }
            }
        }

        /// <summary>Waits for a produce (then asks the mock again) or for the client's wait to run out (then answers empty).</summary>
        private async Task HoldAsync(int correlationId, HeldFetch fetch, byte[] emptyAnswer)
        {
            try
            {
                var remaining = TimeSpan.FromMilliseconds(Math.Max(0, fetch.Deadline - Environment.TickCount64));
                var woken = await Task.WhenAny(fetch.Wake, Task.Delay(remaining, closing)) == fetch.Wake;
                if (woken)
                {
                    // Whatever completes after this re-fetch is sent wakes it again.
                    _fetches[correlationId] = fetch with { Wake = proxy.NextProduce };
                    await WriteAsync(_toUpstream, upstream, fetch.Request);
                }
                else
                {
                    _fetches.TryRemove(correlationId, out _);
                    await WriteAsync(_toClient, client, emptyAnswer);
                }
            }
            catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The connection is closing: the client retries its fetch on a new one.
            }
        }

        private static bool IsEmpty(byte[] frame, short version)
        {
            try
            {
                return KafkaWire.IsEmptyFetchResponse(frame.AsSpan(4), version);
            }
            catch (Exception exception) when (exception is FormatException or ArgumentOutOfRangeException or IndexOutOfRangeException)
            {
                return false; // not understood: passed on as it is
            }
        }

        /// <summary>A whole frame, its 4-byte size first; null when the other side closed.</summary>
        private async Task<byte[]?> ReadFrameAsync(NetworkStream stream)
        {
            var size = new byte[4];
            if (await stream.ReadAtLeastAsync(size, 4, throwOnEndOfStream: false, closing) < 4)
            {
                return null;
            }

            var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(size);
            if (length is < 8 or > MaxFrameBytes)
            {
                throw new IOException($"A Kafka frame of {length} bytes is not believable.");
            }

            var frame = new byte[4 + length];
            size.CopyTo(frame, 0);
            await stream.ReadExactlyAsync(frame.AsMemory(4), closing);
            return frame;
        }

        private async Task WriteAsync(SemaphoreSlim gate, NetworkStream stream, byte[] frame)
        {
            await gate.WaitAsync(closing);
            try
            {
                await stream.WriteAsync(frame, closing);
            }
            finally
            {
                gate.Release();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await client.DisposeAsync();
            await upstream.DisposeAsync();
            _toClient.Dispose();
            _toUpstream.Dispose();
        }
    }

    /// <summary>A fetch request (with its wait set to zero), when its client's wait runs out, and what wakes it.</summary>
    private sealed record HeldFetch(byte[] Request, short Version, long Deadline, Task Wake);

    [LoggerMessage(LogLevel.Debug, "Forwarded connection closed: {Reason}")]
    private static partial void LogPipeClosed(ILogger logger, string reason);
}
