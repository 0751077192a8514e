using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventDriven.ServiceDefaults;

/// <summary>
/// A service run by an orchestrator ends itself when it has not exited <c>Hosting:StopDeadline</c> after it was asked
/// to stop. The orchestrator kills a process that overruns its stop timeout, but in local mode the process it started
/// is <c>dotnet run</c>, not the service: killed, it leaves the service running on, orphaned, still holding its port,
/// its leadership locks and its replication slot, and the instance started in its place cannot work. Ending itself
/// like a crash loses nothing (every effect is in a database, the event store or the broker, applied at most once),
/// which is what the design promises of any crash. Off unless configured: a service hosted inside a test process must
/// never end that process.
/// </summary>
internal sealed partial class StopDeadline(IHostApplicationLifetime lifetime, IConfiguration configuration, ILogger<StopDeadline> logger) : IHostedService
{
    public const string ConfigurationKey = "Hosting:StopDeadline";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (configuration.GetValue<TimeSpan?>(ConfigurationKey) is { } deadline && deadline > TimeSpan.Zero)
        {
            lifetime.ApplicationStopping.Register(() => new Thread(() => EndAfter(deadline)) { IsBackground = true, Name = "stop deadline" }.Start());
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void EndAfter(TimeSpan deadline)
    {
        Thread.Sleep(deadline);
        LogEnding(logger, deadline.TotalSeconds);
        // The console logger writes from a queue of its own: give the line a moment to get out.
        Thread.Sleep(200);
        Process.GetCurrentProcess().Kill();
    }

    [LoggerMessage(LogLevel.Warning, "Still stopping {Seconds} s after the stop was asked for: ending the process now, as a crash would")]
    private static partial void LogEnding(ILogger logger, double seconds);
}
