using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventDriven.ServiceDefaults.Lineage;

/// <summary>
/// Records lineage off the hot path: a relay, the publisher or the consumer pipeline hands over a record and goes on,
/// and this writes what has gathered in one statement per kind, as soon as it comes (no waiting to fill a batch). A
/// busy service then pays one round trip per burst, not one per message, and no step waits for it. The price: a record
/// still in memory when the process dies is lost (the event and its effects are not), and while the database is away
/// records wait here up to <see cref="Capacity"/>, beyond which they are dropped and counted in a warning.
/// </summary>
public sealed partial class LineageRecorder(LineageStore store, ILogger<LineageRecorder> logger) : BackgroundService
{
    public const int Capacity = 10_000;
    private const int MaxBatch = 1_000;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly Channel<object> _records = Channel.CreateBounded<object>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    private long _dropped;

    public void Published(PublishedEvent publication) => Enqueue(publication);

    public void Applied(AppliedEvent application) => Enqueue(application);

    private void Enqueue(object record)
    {
        if (!_records.Writer.TryWrite(record))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Background work: its database calls belong to no journey's trace.
        Activity.Current = null;
        var publications = new List<PublishedEvent>();
        var applications = new List<AppliedEvent>();
        try
        {
            while (await _records.Reader.WaitToReadAsync(stoppingToken))
            {
                Drain(publications, applications);
                await WriteUntilDoneAsync(publications, applications, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what has gathered gets one last try.
            Drain(publications, applications);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await store.WriteAsync(publications, applications, timeout.Token);
            }
            catch (Exception exception)
            {
                LogWriteFailed(logger, publications.Count + applications.Count, exception);
            }
        }
    }

    private void Drain(List<PublishedEvent> publications, List<AppliedEvent> applications)
    {
        while (publications.Count + applications.Count < MaxBatch && _records.Reader.TryRead(out var record))
        {
            switch (record)
            {
                case PublishedEvent publication:
                    publications.Add(publication);
                    break;
                case AppliedEvent application:
                    applications.Add(application);
                    break;
            }
        }
    }

    private async Task WriteUntilDoneAsync(List<PublishedEvent> publications, List<AppliedEvent> applications, CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await store.WriteAsync(publications, applications, stoppingToken);
                publications.Clear();
                applications.Clear();
                if (Interlocked.Exchange(ref _dropped, 0) is > 0 and var dropped)
                {
                    LogDropped(logger, dropped);
                }

                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogWriteFailed(logger, publications.Count + applications.Count, exception);
                await Task.Delay(RetryDelay, stoppingToken);
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Writing {Count} lineage records failed; trying again")]
    private static partial void LogWriteFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(LogLevel.Warning, "{Count} lineage records were dropped while the database was away (the buffer was full)")]
    private static partial void LogDropped(ILogger logger, long count);
}
