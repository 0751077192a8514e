using System.Collections.Concurrent;

namespace EventDriven.Chaos.Tests;

/// <summary>How a command ended for the client: accepted, refused (a definite 4xx), or no definite answer at all.</summary>
public enum Outcome
{
    Accepted,
    Refused,
    Unresolved,
}

/// <summary>
/// An account as the client knows it from the answers it got. Only its owner (one worker) sends it account commands,
/// one at a time, so the last accepted change is the one that must show.
/// </summary>
public sealed class AccountModel(Guid id, string currency, string street)
{
    public Guid Id { get; } = id;

    public string Currency { get; } = currency;

    public string Street { get; set; } = street;

    /// <summary>"open" or "frozen": what the last accepted freeze or unfreeze left.</summary>
    public string Status { get; set; } = "open";

    /// <summary>A closure was accepted: the account ends closed, or back where it was if the ledger refused.</summary>
    public bool ClosureRequested { get; set; }
}

/// <summary>A deposit, withdrawal or transfer the client sent, with its own transaction id.</summary>
public sealed record MoneyCommand(string Kind, Guid AccountId, Guid TransactionId, decimal Amount, string Currency, Guid? ToAccountId, Outcome Outcome);

/// <summary>Everything the client sent and what it was told, shared by the workers.</summary>
public sealed class ClientModel
{
    private readonly List<AccountModel> _accounts = [];

    public ConcurrentQueue<MoneyCommand> Money { get; } = new();

    public IReadOnlyList<AccountModel> Accounts
    {
        get
        {
            lock (_accounts)
            {
                return [.. _accounts];
            }
        }
    }

    public void Add(AccountModel account)
    {
        lock (_accounts)
        {
            _accounts.Add(account);
        }
    }

    public AccountModel? Pick(Random random, Guid not)
    {
        lock (_accounts)
        {
            var others = _accounts.Where(a => a.Id != not).ToList();
            return others.Count == 0 ? null : others[random.Next(others.Count)];
        }
    }
}
