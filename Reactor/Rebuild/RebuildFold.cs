using Confluent.Kafka;
using EventDriven.Contracts.Transactions;
using EventDriven.Reactor.Pipeline;
using EventDriven.Reactor.ReadModels;
using EventDriven.ServiceDefaults.Kafka;

namespace EventDriven.Reactor.Rebuild;

/// <summary>A read model folded in memory from the topics; each event id counts once.</summary>
internal sealed class RebuildFold(ReadModel model, IMessageReader reader)
{
    private readonly Dictionary<Guid, AccountOverview> _overviews = [];
    private readonly Dictionary<(Guid, long), HistoryLine> _history = [];
    private readonly Dictionary<(DateOnly, string), DailyTotal> _totals = [];

    public HashSet<Guid> Seen { get; } = [];

    public long Events { get; private set; }

    public void Add(ConsumeResult<string, byte[]> result)
    {
        object message;
        try
        {
            message = reader.Read(result)!;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return; // The live consumer dead-lettered it; the rebuild skips it the same way.
        }

        Events++;
        switch (model, message)
        {
            case (ReadModel.AccountOverview, AccountStateReceived { Event: var changed }) when Seen.Add(changed.EventId):
                _overviews[changed.AccountId] = Overview(changed.AccountId).Apply(changed);
                break;
            case (ReadModel.AccountOverview, LedgerEventReceived { Event: var e }) when Seen.Add(e.EventId):
                _overviews[e.AccountId] = Overview(e.AccountId).Apply(e);
                break;
            case (ReadModel.TransactionHistory, LedgerEventReceived { Event: var e }) when HistoryLine.From(e) is { } line && Seen.Add(e.EventId):
                _history.TryAdd((line.AccountId, line.Version), line);
                break;
            case (ReadModel.DailyTotals, LedgerEventReceived { Event: var e }) when DailyTotal.KeyOf(e) is var (day, currency) && Seen.Add(e.EventId):
                _totals[(day, currency)] = (_totals.GetValueOrDefault((day, currency)) ?? new DailyTotal(day, currency, 0m, 0m, 0m, 0)).Apply(e);
                break;
        }
    }

    public (string Columns, IEnumerable<object?[]> Rows) Rows() => model switch
    {
        ReadModel.AccountOverview => (ReadModelRowsSql.OverviewColumns, _overviews.Values.Select(ReadModelRowsSql.Values)),
        ReadModel.TransactionHistory => (ReadModelRowsSql.HistoryColumns, _history.Values.Select(ReadModelRowsSql.Values)),
        _ => (ReadModelRowsSql.TotalsColumns, _totals.Values.Select(ReadModelRowsSql.Values)),
    };

    private AccountOverview Overview(Guid accountId) => _overviews.GetValueOrDefault(accountId) ?? AccountOverview.Empty(accountId);
}
