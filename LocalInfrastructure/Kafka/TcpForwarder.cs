using System.Net;
using System.Net.Sockets;

namespace EventDriven.LocalKafka;

/// <summary>Accepts connections on a fixed loopback port and pipes each to the mock broker's own listener.</summary>
internal sealed partial class TcpForwarder : IDisposable
{
    private readonly List<TcpListener> _listeners = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly int _targetPort;
    private readonly ILogger _logger;

    private TcpForwarder(int targetPort, ILogger logger)
    {
        _targetPort = targetPort;
        _logger = logger;
    }

    public int Port { get; private set; }

    /// <summary>Listens on IPv4 loopback (and IPv6 loopback where the machine has it) at <paramref name="port"/>.</summary>
    public static TcpForwarder Start(int port, int targetPort, ILogger logger)
    {
        var forwarder = new TcpForwarder(targetPort, logger);
        var v4 = new TcpListener(IPAddress.Loopback, port);
        v4.Start();
        forwarder.Port = ((IPEndPoint)v4.LocalEndpoint).Port;
        forwarder._listeners.Add(v4);
        if (Socket.OSSupportsIPv6)
        {
            try
            {
                var v6 = new TcpListener(IPAddress.IPv6Loopback, forwarder.Port);
                v6.Start();
                forwarder._listeners.Add(v6);
            }
            catch (SocketException)
            {
                // No IPv6 loopback here: clients resolving "localhost" fall back to 127.0.0.1.
            }
        }

        foreach (var listener in forwarder._listeners)
        {
            _ = forwarder.AcceptLoopAsync(listener);
        }

        return forwarder;
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

    private async Task PipeAsync(Socket client)
    {
        using var _ = client;
        using var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _stopping.Token);
            await using var clientStream = new NetworkStream(client, ownsSocket: false);
            await using var upstreamStream = new NetworkStream(upstream, ownsSocket: false);
            // When either side closes, close both: a broker taken down must look down to the client.
            var first = await Task.WhenAny(
                clientStream.CopyToAsync(upstreamStream, _stopping.Token),
                upstreamStream.CopyToAsync(clientStream, _stopping.Token));
            await first;
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A refused or reset connection ends this pipe only; the client sees its connection closed.
            LogPipeClosed(_logger, exception.Message);
        }
        finally
        {
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

    [LoggerMessage(LogLevel.Debug, "Forwarded connection closed: {Reason}")]
    private static partial void LogPipeClosed(ILogger logger, string reason);
}
