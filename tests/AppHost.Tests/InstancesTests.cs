using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using EventDriven.Tests;

namespace EventDriven.AppHost.Tests;

/// <summary>
/// The AppHost with <c>Services:Replicas=2</c>: two instances of Account, Transactions and Reactor behind their
/// proxied endpoints, sharing the work (one relay, one publisher, consumer groups split), and the dashboard's commands
/// working on one instance.
/// </summary>
public sealed class InstancesTests(ITestOutputHelper output)
{
    // Web too, though the test does not use it: an AppHost disposed while web still starts left the web process running.
    private static readonly string[] Awaited = ["postgres", "accountdb", "transactionsdb", "reactordb", "kafka", "kurrentdb", "identitydb", "identity", "web"];
    private static readonly string[] Services = ["account", "transactions", "reactor"];
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_instances_of_each_service_come_up_share_the_work_and_move_money_end_to_end()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"eventdriven-instances-{Guid.NewGuid():N}");
        await using (var app = await LocalAppHost.StartAsync(dataDirectory, Awaited, arguments: ["--Services:Replicas=2"]))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromMinutes(3));
            var instances = new Dictionary<string, IReadOnlyList<string>>();
            foreach (var service in Services)
            {
                instances[service] = await LocalAppHost.WaitForEveryInstanceHealthyAsync(app, service, 2, timeout.Token);
                Assert.Equal(2, instances[service].Distinct().Count());
            }

            output.WriteLine(string.Join("; ", instances.Select(i => $"{i.Key}: {string.Join(", ", i.Value)}")));

            // The customer's money moves through the proxied endpoints, whichever instance each request reaches (each
            // validates the token itself).
            using var tokens = app.CreateIdentityTokens();
            using var account = tokens.Client(app.GetEndpoint("account", "http"), TestUser.Customer);
            using var transactions = tokens.Client(app.GetEndpoint("transactions", "http"), TestUser.Customer);
            using var reactor = tokens.Client(app.GetEndpoint("reactor", "http"), TestUser.Customer);
            using var operations = tokens.Client(app.GetEndpoint("reactor", "http"), TestUser.Operator);
            var opened = await account.OpenAccountAsync("EUR", Ct);
            await Poll.UntilAsync(async () => (await transactions.GetAsync($"/ledgers/{opened}", Ct)).IsSuccessStatusCode, Patience, "Transactions to know the account");
            using (var deposit = await transactions.PostAsJsonAsync($"/ledgers/{opened}/deposits", new { transactionId = Guid.NewGuid(), amount = 42.5m, currency = "EUR" }, Ct))
            {
                Assert.Equal(HttpStatusCode.OK, deposit.StatusCode);
            }

            await Poll.UntilAsync(async () => await BalanceAsync(reactor, opened) == 42.5m, Patience, "Reactor's overview to show the deposit");

            // One relay and one publisher: asked on fresh connections, both instances answer, and exactly one leads.
            var @operator = await tokens.BearerAsync(TestUser.Operator);
            Assert.Equal(1, await LeadersAsync(app, "account", "/status/outbox", @operator));
            Assert.Equal(1, await LeadersAsync(app, "transactions", "/status/publisher", @operator));

            // A dashboard command on one instance: the rebuild runs once, and every instance shows its end.
            var result = await app.ResourceCommands.ExecuteCommandAsync(instances["reactor"][1], "rebuild-daily_totals", Ct);
            Assert.True(result.Success, result.Message);
            await Poll.UntilAsync(async () =>
            {
                var view = await operations.GetFromJsonAsync<JsonElement>("/read-models", Ct);
                return view.GetProperty("lastRebuild").GetProperty("state").GetString() == "done"
                    && view.GetProperty("models").EnumerateArray().Any(m => m.GetProperty("name").GetString() == "daily_totals" && m.GetProperty("generation").GetInt32() == 2);
            }, Patience, "daily_totals to be rebuilt");
            await Poll.UntilAsync(async () => await BalanceAsync(reactor, opened) == 42.5m, Patience, "the overview after the rebuild");
        }

        Directory.Delete(dataDirectory, recursive: true);
    }

    /// <summary>
    /// Asks <paramref name="path"/> on new connections (the proxy picks an instance per connection) until both instances
    /// answered, then how many of them said they lead. Status is for operators.
    /// </summary>
    private static async Task<int> LeadersAsync(DistributedApplication app, string service, string path, System.Net.Http.Headers.AuthenticationHeaderValue @operator)
    {
        var answers = new Dictionary<string, bool>();
        await Poll.UntilAsync(async () =>
        {
            using var http = app.CreateHttpClient(service);
            using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { ConnectionClose = true, Authorization = @operator } };
            using var response = await http.SendAsync(request, Ct);
            var status = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            answers[status.GetProperty("instance").GetString()!] = status.GetProperty("leading").GetBoolean();
            return answers.Count == 2 && answers.Values.Any(leads => leads);
        }, Patience, $"both {service} instances to answer {path}, one of them at least leading");
        return answers.Values.Count(leads => leads);
    }

    private static async Task<decimal?> BalanceAsync(HttpClient reactor, Guid accountId)
    {
        using var response = await reactor.GetAsync($"/overview/{accountId}", Ct);
        return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("balance").GetDecimal() : null;
    }
}
