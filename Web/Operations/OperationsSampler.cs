using EventDriven.Web.Services;

namespace EventDriven.Web.Operations;

/// <summary>
/// Asks the services for their status every few seconds and keeps the last few minutes of figures (a bounded ring),
/// so that the operations page can chart them from the moment it opens, and every open page sees the same samples. A
/// service that does not answer leaves a gap in its series, not a zero.
/// </summary>
public sealed partial class OperationsSampler(IHttpClientFactory httpClientFactory, IConfiguration configuration, ILogger<OperationsSampler> logger) : BackgroundService
{
    public const string AccountClientName = "account-operations";
    public const string TransactionsClientName = "transactions-operations";
    public const string ReactorClientName = "reactor-operations";

    /// <summary>How many samples are kept: with the default interval, five minutes.</summary>
    public const int Capacity = 60;

    private readonly TimeSpan _interval = configuration.GetValue("Web:Operations:SampleInterval", TimeSpan.FromSeconds(5));
    private readonly Queue<OperationsSample> _samples = new(Capacity);
    private readonly Lock _lock = new();

    /// <summary>Raised after each sample (on the sampler's thread); pages re-render from <see cref="Latest"/> and <see cref="Samples"/>.</summary>
    public event Action? Sampled;

    /// <summary>The last answers in full (null before the first sample).</summary>
    public OperationsSnapshot? Latest { get; private set; }

    public IReadOnlyList<OperationsSample> Samples
    {
        get
        {
            lock (_lock)
            {
                return [.. _samples];
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval);
        do
        {
            try
            {
                await SampleAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The clients turn a service that is away into a result; anything else must not stop the sampler (a
                // hosted service that throws stops the app).
                LogSampleFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One sample: every service asked at once.</summary>
    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        var account = new AccountClient(httpClientFactory.CreateClient(AccountClientName));
        var ledger = new LedgerClient(httpClientFactory.CreateClient(TransactionsClientName));
        var reactor = new ReactorClient(httpClientFactory.CreateClient(ReactorClientName));
        var accountLag = account.GetConsumerLagAsync(cancellationToken);
        var ledgerLag = ledger.GetConsumerLagAsync(cancellationToken);
        var reactorLag = reactor.GetConsumerLagAsync(cancellationToken);
        var outbox = account.GetOutboxStatusAsync(cancellationToken);
        var publisher = ledger.GetPublisherStatusAsync(cancellationToken);
        var snapshot = new OperationsSnapshot(DateTimeOffset.UtcNow, await accountLag, await ledgerLag, await reactorLag, await outbox, await publisher);
        lock (_lock)
        {
            if (_samples.Count == Capacity)
            {
                _samples.Dequeue();
            }

            _samples.Enqueue(OperationsSample.Of(snapshot));
            Latest = snapshot;
        }

        Sampled?.Invoke();
    }

    [LoggerMessage(LogLevel.Warning, "Sampling the services' status failed; trying again at the next interval")]
    private static partial void LogSampleFailed(ILogger logger, Exception exception);
}

/// <summary>The services' answers at one moment.</summary>
public sealed record OperationsSnapshot(
    DateTimeOffset At,
    ApiResult<IReadOnlyList<ConsumerLag>> AccountConsumers,
    ApiResult<IReadOnlyList<ConsumerLag>> TransactionsConsumers,
    ApiResult<IReadOnlyList<ConsumerLag>> ReactorConsumers,
    ApiResult<OutboxStatus> Outbox,
    ApiResult<PublisherStatus> Publisher)
{
    /// <summary>Each service's consumers, by service name.</summary>
    public IEnumerable<(string Service, ApiResult<IReadOnlyList<ConsumerLag>> Consumers)> Consumers =>
    [
        (AccountClient.Service, AccountConsumers),
        (LedgerClient.Service, TransactionsConsumers),
        (ReactorClient.Service, ReactorConsumers),
    ];
}

/// <summary>The figures charted, at one moment; null where the service did not answer.</summary>
public sealed record OperationsSample(
    DateTimeOffset At, long? AccountLag, long? TransactionsLag, long? ReactorLag, long? OutboxBacklog, long? PublisherEventsBehind)
{
    public static OperationsSample Of(OperationsSnapshot snapshot) => new(
        snapshot.At,
        TotalLag(snapshot.AccountConsumers),
        TotalLag(snapshot.TransactionsConsumers),
        TotalLag(snapshot.ReactorConsumers),
        snapshot.Outbox is ApiResult<OutboxStatus>.Success { Value: var outbox } ? outbox.Backlog : null,
        snapshot.Publisher is ApiResult<PublisherStatus>.Success { Value: var publisher } ? publisher.EventsBehind : null);

    private static long? TotalLag(ApiResult<IReadOnlyList<ConsumerLag>> consumers) =>
        consumers is ApiResult<IReadOnlyList<ConsumerLag>>.Success { Value: var all } ? all.Sum(c => c.Lag) : null;
}
