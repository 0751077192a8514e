using System.Net;
using System.Net.Sockets;

namespace EventDriven.AppHost.Hosting;

internal static class FreePort
{
    /// <summary>The preferred port when nothing listens on it, otherwise one the kernel picks.</summary>
    public static int PreferOrPick(int preferred)
    {
        if (preferred > 0 && IsFree(preferred))
        {
            return preferred;
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
