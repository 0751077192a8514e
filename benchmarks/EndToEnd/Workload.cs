using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace EventDriven.Benchmarks.EndToEnd;

public enum Operation
{
    Open,
    ChangeAddress,
    ChangeContact,
    Deposit,
    Withdrawal,
    Transfer,
    FreezeOrUnfreeze,
}

/// <summary>
/// One command, sent as a user's click would be (with its own trace), timed from the request to the moment Reactor
/// pushed its effect. <see cref="TraceId"/> finds its spans.
/// </summary>
public sealed record Sample(Operation Operation, string TraceId, DateTime SentAt, double CommandMs, double VisibleMs, bool Failed);

/// <summary>
/// The realistic mix the system is driven with: accounts opened, their address and contact details changed, deposits,
/// withdrawals and transfers between them, and accounts frozen and unfrozen. An account has at most one command in
/// flight, so "visible" is unambiguous: an account command waits for its new version, a ledger command for its event's
/// version, a transfer for the source's <c>transfer-completed</c> (debit → credit → completed, by choreography).
/// The demo customer opens the accounts and moves the money; freezing and unfreezing is the operator's
/// (<paramref name="accountOperator"/>).
/// </summary>
public sealed class Workload(HttpClient account, HttpClient transactions, HttpClient accountOperator, ReactorChanges changes)
{
    private const string Currency = "EUR";
    private static readonly TimeSpan VisibleWithin = TimeSpan.FromSeconds(30);

    private static readonly (Operation Operation, int Weight)[] Mix =
    [
        (Operation.Open, 5), (Operation.ChangeAddress, 10), (Operation.ChangeContact, 10), (Operation.Deposit, 30),
        (Operation.Withdrawal, 15), (Operation.Transfer, 20), (Operation.FreezeOrUnfreeze, 10),
    ];

    /// <summary>Reactor's push channel, on which the users see their commands take effect.</summary>
    public ReactorChanges Changes => changes;

    private readonly ConcurrentQueue<Guid> _idleMoneyAccounts = new();
    private readonly ConcurrentQueue<Guid> _idleFreezeAccounts = new();
    private readonly ConcurrentDictionary<Guid, bool> _frozen = new();
    private int _counter;

    public static string Describe() => string.Join(", ", Mix.Select(m => $"{m.Operation} {m.Weight}%"));

    /// <summary>Opens the accounts the mix works on, with money to move, and waits until Reactor shows them.</summary>
    public async Task PrepareAsync(int moneyAccounts, int freezeAccounts)
    {
        using var gate = new SemaphoreSlim(16);
        await Task.WhenAll(Enumerable.Range(0, moneyAccounts + freezeAccounts).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var id = await OpenAsync(trace: null);
                await changes.WhenVisibleAsync(id, new Visibility(AccountVersion: 1)).WaitAsync(VisibleWithin);
                if (i < moneyAccounts)
                {
                    // Transactions learns of the account from Kafka: retry until its copy knows it.
                    var version = await RetryAsync(() => LedgerAsync(id, "deposits", 1_000_000m, toAccount: null, trace: null));
                    await changes.WhenVisibleAsync(id, new Visibility(LedgerVersion: version)).WaitAsync(VisibleWithin);
                    _idleMoneyAccounts.Enqueue(id);
                }
                else
                {
                    _idleFreezeAccounts.Enqueue(id);
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        changes.Trim();
    }

    /// <summary>The next operation of the mix (a fixed sequence, so runs compare).</summary>
    public Operation Next()
    {
        var n = Interlocked.Increment(ref _counter) % Mix.Sum(m => m.Weight);
        foreach (var (operation, weight) in Mix)
        {
            if (n < weight)
            {
                return operation;
            }

            n -= weight;
        }

        throw new UnreachableException();
    }

    /// <summary>Runs one command and waits until its effect shows in Reactor; null when no account was free for it.</summary>
    public async Task<Sample?> RunAsync(Operation operation)
    {
        var accounts = operation switch
        {
            Operation.Open => [],
            Operation.FreezeOrUnfreeze => Take(_idleFreezeAccounts, 1),
            Operation.Transfer => Take(_idleMoneyAccounts, 2),
            _ => Take(_idleMoneyAccounts, 1),
        };
        if (accounts is null)
        {
            return null;
        }

        var trace = ActivityTraceId.CreateRandom();
        var sentAt = DateTime.UtcNow;
        var start = Stopwatch.GetTimestamp();
        long answered = 0;
        try
        {
            var (visibleOn, visibility) = await SendAsync(operation, accounts, trace.ToHexString());
            answered = Stopwatch.GetTimestamp();
            var visible = await changes.WhenVisibleAsync(visibleOn, visibility).WaitAsync(VisibleWithin);
            return new Sample(operation, trace.ToHexString(), sentAt, Stopwatch.GetElapsedTime(start, answered).TotalMilliseconds,
                Stopwatch.GetElapsedTime(start, Math.Max(visible, answered)).TotalMilliseconds, Failed: false);
        }
        catch (Exception exception) when (exception is HttpRequestException or TimeoutException)
        {
            Console.Error.WriteLine($"{operation} failed: {exception.Message}");
            return new Sample(operation, trace.ToHexString(), sentAt, 0, 0, Failed: true);
        }
        finally
        {
            var pool = operation == Operation.FreezeOrUnfreeze ? _idleFreezeAccounts : _idleMoneyAccounts;
            foreach (var id in accounts)
            {
                pool.Enqueue(id);
            }
        }
    }

    /// <summary>
    /// Address changes over HTTP from <paramref name="senders"/> senders for a warm-up second and then
    /// <paramref name="duration"/>, without waiting for Reactor: the Account command path alone. Returns the commands
    /// per second in the window, once Reactor has caught up with all of them (so that the next run starts clean).
    /// </summary>
    public async Task<double> AccountCommandsPerSecondAsync(int senders, TimeSpan duration)
    {
        var latest = new ConcurrentDictionary<Guid, long>();
        var rate = await Drive.RateAsync(senders, duration, async (_, _) =>
        {
            var id = Take(_idleMoneyAccounts, 1)?[0] ?? throw new InvalidOperationException("Fewer accounts than senders.");
            try
            {
                latest[id] = await AccountCommandAsync(HttpMethod.Put, $"/accounts/{id}/address", Address(), ActivityTraceId.CreateRandom().ToHexString());
            }
            finally
            {
                _idleMoneyAccounts.Enqueue(id);
            }
        });
        await Task.WhenAll(latest.Select(a => changes.WhenVisibleAsync(a.Key, new Visibility(AccountVersion: a.Value)))).WaitAsync(TimeSpan.FromMinutes(2));
        changes.Trim();
        return rate;
    }

    private async Task<(Guid Account, Visibility Visibility)> SendAsync(Operation operation, Guid[] accounts, string trace)
    {
        switch (operation)
        {
            case Operation.Open:
                return (await OpenAsync(trace), new Visibility(AccountVersion: 1));
            case Operation.ChangeAddress:
                return (accounts[0], new Visibility(AccountVersion: await AccountCommandAsync(HttpMethod.Put, $"/accounts/{accounts[0]}/address", Address(), trace)));
            case Operation.ChangeContact:
                return (accounts[0], new Visibility(AccountVersion: await AccountCommandAsync(
                    HttpMethod.Put, $"/accounts/{accounts[0]}/contact", new { email = $"owner{Interlocked.Increment(ref _counter)}@example.com", phone = "+442079460000" }, trace)));
            case Operation.Deposit:
                return (accounts[0], new Visibility(LedgerVersion: await LedgerAsync(accounts[0], "deposits", 1.25m, null, trace)));
            case Operation.Withdrawal:
                return (accounts[0], new Visibility(LedgerVersion: await LedgerAsync(accounts[0], "withdrawals", 1.00m, null, trace)));
            case Operation.Transfer:
                var debited = await LedgerAsync(accounts[0], "transfers", 2.50m, accounts[1], trace);
                return (accounts[0], new Visibility(LedgerVersion: debited + 1, Cause: "ledger.transfer-completed.v1"));
            case Operation.FreezeOrUnfreeze:
                var frozen = _frozen.GetValueOrDefault(accounts[0]);
                var version = await AccountCommandAsync(HttpMethod.Post, $"/accounts/{accounts[0]}/{(frozen ? "unfreeze" : "freeze")}", new { reason = "Benchmark" }, trace, accountOperator);
                _frozen[accounts[0]] = !frozen;
                return (accounts[0], new Visibility(AccountVersion: version));
            default:
                throw new UnreachableException();
        }
    }

    private async Task<Guid> OpenAsync(string? trace)
    {
        var n = Interlocked.Increment(ref _counter);
        using var body = await SendAsync(account, HttpMethod.Post, "/accounts", new
        {
            ownerName = $"Owner {n}",
            email = $"owner{n}@example.com",
            address = Address(),
            currency = Currency,
        }, trace);
        return body.RootElement.GetProperty("accountId").GetGuid();
    }

    private async Task<long> AccountCommandAsync(HttpMethod method, string path, object body, string trace, HttpClient? client = null)
    {
        using var answer = await SendAsync(client ?? account, method, path, body, trace);
        return answer.RootElement.GetProperty("version").GetInt64();
    }

    private async Task<long> LedgerAsync(Guid accountId, string command, decimal amount, Guid? toAccount, string? trace)
    {
        using var answer = await SendAsync(transactions, HttpMethod.Post, $"/ledgers/{accountId}/{command}",
            new { transactionId = Guid.NewGuid(), toAccountId = toAccount, amount, currency = Currency }, trace);
        return answer.RootElement.GetProperty("version").GetInt64();
    }

    private object Address() => new { street = $"{Interlocked.Increment(ref _counter)} High Street", city = "London", postalCode = "SW1A 1AA", country = "GB" };

    private static async Task<JsonDocument> SendAsync(HttpClient client, HttpMethod method, string path, object body, string? trace)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        if (trace is not null)
        {
            // The benchmark plays the browser: each command starts a trace of its own.
            request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        }

        using var response = await client.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
    }

    private static async Task<long> RetryAsync(Func<Task<long>> send)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await send();
            }
            catch (HttpRequestException) when (attempt < 100)
            {
                await Task.Delay(100);
            }
        }
    }

    private static Guid[]? Take(ConcurrentQueue<Guid> pool, int count)
    {
        var taken = new Guid[count];
        for (var i = 0; i < count; i++)
        {
            if (!pool.TryDequeue(out taken[i]))
            {
                foreach (var id in taken[..i])
                {
                    pool.Enqueue(id);
                }

                return null;
            }
        }

        return taken;
    }
}
