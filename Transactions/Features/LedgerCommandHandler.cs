using EventDriven.KurrentDB.Client;
using EventDriven.Transactions.AccountCopy;
using EventDriven.Transactions.Domain;
using EventDriven.Transactions.Storage;
using Microsoft.Extensions.Options;

namespace EventDriven.Transactions.Features;

/// <summary>
/// Runs a ledger command: the account as Transactions knows it, the ledger, a decision, and an append that expects
/// the revision the decision was made on. When another writer got there first the ledger is caught up and the command
/// decided again, a bounded number of times. Within this process, commands on one account take turns, so conflicts
/// come only from other instances.
/// </summary>
public sealed class LedgerCommandHandler(LedgerStore store, AccountDirectory accounts, IOptions<LedgerOptions> options)
{
    private readonly SemaphoreSlim[] _turns = [.. Enumerable.Range(0, 256).Select(_ => new SemaphoreSlim(1, 1))];
    private readonly int _maxAttempts = Math.Max(1, options.Value.MaxAttempts);

    /// <summary>A command no one asked for (a step of the choreography): its events record no actor.</summary>
    public Task<LedgerOutcome> ExecuteAsync(LedgerCommand command, CancellationToken cancellationToken) =>
        ExecuteAsync(command, actor: null, cancellationToken);

    /// <summary>A command <paramref name="actor"/> (the caller's token subject) asked for: its events record who.</summary>
    public async Task<LedgerOutcome> ExecuteAsync(LedgerCommand command, string? actor, CancellationToken cancellationToken)
    {
        var turn = _turns[(command.AccountId.GetHashCode() & int.MaxValue) % _turns.Length];
        await turn.WaitAsync(cancellationToken);
        try
        {
            // Only money movements ask about the account; finishing a transfer or answering a closure does not.
            var account = command is Deposit or Withdraw or Transfer or CreditTransfer
                ? await accounts.FindAsync(command.AccountId, cancellationToken)
                : null;
            var ledger = await store.LoadAsync(command.AccountId, cancellationToken);
            for (var attempt = 1; ; attempt++)
            {
                switch (LedgerDecisions.Decide(ledger, account, command))
                {
                    case LedgerDecision.Refused refused:
                        return new LedgerOutcome.Refused(refused.Kind, refused.Reason);
                    case LedgerDecision.AlreadyDone done:
                        return new LedgerOutcome.Done(await store.ReadEventAsync(command.AccountId, done.Entry.Version, cancellationToken), Repeated: true);
                    case LedgerDecision.Append append:
                        try
                        {
                            var recorded = await store.AppendAsync(ledger, append.Events, actor, cancellationToken);
                            return new LedgerOutcome.Done(recorded[^1], Repeated: false);
                        }
                        catch (WrongExpectedVersionException) when (attempt < _maxAttempts)
                        {
                            // Another instance wrote first; a short random pause keeps two from colliding again and again.
                            await Task.Delay(Random.Shared.Next(attempt * 2), cancellationToken);
                            ledger = await store.CatchUpAsync(ledger, cancellationToken);
                        }
                        catch (WrongExpectedVersionException)
                        {
                            return new LedgerOutcome.Busy(attempt);
                        }

                        break;
                }
            }
        }
        finally
        {
            turn.Release();
        }
    }
}

/// <summary>How a ledger command ended.</summary>
public abstract record LedgerOutcome
{
    /// <summary>Applied now, or found applied already (<paramref name="Repeated"/>): <paramref name="Recorded"/> recorded it.</summary>
    public sealed record Done(RecordedLedgerEvent Recorded, bool Repeated) : LedgerOutcome
    {
        /// <summary>The domain event that recorded it.</summary>
        public LedgerEvent Event => Recorded.Event;
    }

    public sealed record Refused(RefusalKind Kind, string Reason) : LedgerOutcome;

    /// <summary>Other writers changed the ledger first every time; nothing was appended.</summary>
    public sealed record Busy(int Attempts) : LedgerOutcome;
}
