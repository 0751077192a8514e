using System.Diagnostics.Metrics;
using EventDriven.Transactions.Domain;
using Microsoft.Extensions.Options;

namespace EventDriven.Transactions.AccountCopy;

/// <summary>
/// Answers "what does Transactions know of this account?" from its own copy. In <see cref="AccountStateBootstrap.Lazy"/>
/// mode an account missing from the copy is fetched from Account once and kept; the topic keeps it current after.
/// </summary>
public sealed class AccountDirectory
{
    private readonly AccountCopyStore _copy;
    private readonly AccountApiClient _accounts;
    private readonly AccountCopyStart _start;
    private readonly bool _lazy;
    private readonly Counter<long> _fetched;

    public AccountDirectory(AccountCopyStore copy, AccountApiClient accounts, AccountCopyStart start, IOptions<AccountStateOptions> options, IMeterFactory meters)
    {
        _start = start;
        _copy = copy;
        _accounts = accounts;
        _lazy = options.Value.Mode == AccountStateBootstrap.Lazy;
        _fetched = meters.Create(TransactionsTelemetry.Name).CreateCounter<long>(
            "transactions.account_copy.fetched", "{account}", "Accounts fetched from Account's API because the copy did not know them (lazy mode).");
    }

    public async Task<AccountView?> FindAsync(Guid accountId, CancellationToken cancellationToken)
    {
        var known = await _copy.FindAsync(accountId, cancellationToken);
        if (known is not null || !_lazy)
        {
            return known;
        }

        // Fetch only once the topic's position is fixed: a change made after the fetch is then read from the topic.
        await _start.Started.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        if (await _accounts.GetAsync(accountId, cancellationToken) is not { } fetched)
        {
            return null;
        }

        _fetched.Add(1);
        await _copy.ApplyAsync([fetched], [], cancellationToken);
        return await _copy.FindAsync(accountId, cancellationToken);
    }
}

/// <summary>Completes once the account copy knows where it reads <c>accounts.state</c> from.</summary>
public sealed class AccountCopyStart
{
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
