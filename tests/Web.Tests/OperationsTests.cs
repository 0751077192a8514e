using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static EventDriven.Web.Tests.AccessibilityTests;
using static EventDriven.Web.Tests.AccountPages;
using static Microsoft.Playwright.Assertions;

namespace EventDriven.Web.Tests;

[Collection(nameof(WebAppCollection))]
public sealed partial class OperationsTests(WebAppFixture fixture)
{
    [GeneratedRegex(@"^\d[\d,]*\+?$")]
    private static partial Regex Count();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_message_that_cannot_be_applied_appears_under_operations_and_re_driving_it_works()
    {
        // A delta Reactor can never read, on the real topic of the running app: Reactor parks it.
        var key = Guid.NewGuid().ToString();
        await ProduceAsync("accounts.deltas", key, $$"""{"accountId": "{{key}}", this is not JSON""");

        var page = await fixture.NewPageAsync(Person.Operator);
        await page.GotoAsync("/operations");
        var rows = page.Locator($"[data-testid='dead-letter-row'][data-key='{key}']");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows).ToContainTextAsync("Reactor");
        await Expect(rows).ToContainTextAsync("parked");

        await rows.GetByRole(AriaRole.Button).ClickAsync();
        var letter = page.GetByTestId("dead-letter");
        await Expect(letter.GetByTestId("dead-letter-body")).ToContainTextAsync("this is not JSON");
        await Expect(letter.GetByTestId("dead-letter-error")).ToContainTextAsync("JsonException");
        await Expect(letter.GetByTestId("dead-letter-headers")).ToContainTextAsync("account.delta.v1");
        AssertNoSeriousViolations("operations with a dead letter open", await page.RunAxe());
        await ScreenshotAsync(page, "operations-dead-letter");

        await letter.GetByRole(AriaRole.Button, new() { Name = "Re-drive" }).ClickAsync();

        var outcome = page.GetByTestId("redrive-outcome");
        await Expect(outcome).ToContainTextAsync("Re-driven");
        await Expect(outcome).ToBeFocusedAsync();
        await Expect(letter.GetByRole(AriaRole.Button, new() { Name = "Re-drive" })).ToBeDisabledAsync();
        // Produced again to its topic and consumed again: still unreadable, so parked again, naming where it came from.
        using var reactor = await fixture.CreateHttpClientAsync("reactor", Person.Operator);
        var original = (await reactor.GetFromJsonAsync<List<Letter>>("/dead-letters?all=true", Ct))!.Single(l => l.Key == key && !l.Headers.ContainsKey("redriven_from"));
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Filter(new() { HasText = $"parked again (re-driven from {original.Id})" })).ToHaveCountAsync(1);
        await Expect(rows.Filter(new() { HasText = "re-driven " }).Filter(new() { HasNotText = "parked again" })).ToHaveCountAsync(1);
        var letters = (await reactor.GetFromJsonAsync<List<Letter>>("/dead-letters?all=true", Ct))!.Where(l => l.Key == key).ToList();
        Assert.NotNull(letters.Single(l => l.Id == original.Id).RedrivenAt);
        var again = letters.Single(l => l.Id != original.Id);
        Assert.Equal((original.Value, original.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), (again.Value, again.Headers["redriven_from"]));
        Assert.Null(again.RedrivenAt);
        await ScreenshotAsync(page, "operations-redriven");
    }

    [Fact]
    public async Task The_operations_page_shows_every_status_with_figures_and_charts_and_rebuilds_a_read_model()
    {
        // An account opened first: the relay has relayed something, so its lag is a figure.
        var page = await fixture.NewPageAsync(Person.Operator);
        await OpenAccountAsync(page, "Operations Relay");
        await page.GotoAsync("/operations");

        await Expect(page.GetByTestId("outbox-backlog")).ToHaveTextAsync(Count());
        await Expect(page.GetByTestId("relay-lag")).ToHaveTextAsync(new Regex(@"^\d[\d,]*\.\d ms at \d\d:\d\d:\d\d$"));
        await Expect(page.GetByTestId("publisher-events-behind")).ToHaveTextAsync(Count());
        foreach (var consumer in new[] { "lag-Account-pipeline", "lag-Transactions-pipeline", "lag-Transactions-account-copy", "lag-Reactor-pipeline" })
        {
            await Expect(page.GetByTestId(consumer)).ToHaveTextAsync(Count());
        }

        // The sampler keeps the last minutes: lines once there are two samples.
        await Expect(page.GetByTestId("consumer-lag-chart").Locator("svg path").First).ToBeAttachedAsync();
        await Expect(page.GetByTestId("backlog-chart").Locator("svg path").First).ToBeAttachedAsync();

        var models = page.GetByTestId("read-model");
        await Expect(models).ToHaveCountAsync(3);
        using var reactor = await fixture.CreateHttpClientAsync("reactor", Person.Operator);
        var before = (await reactor.GetFromJsonAsync<ReadModels>("/read-models", Ct))!.Models.Single(m => m.Name == "daily_totals").Generation;
        var totals = page.Locator("[data-testid='read-model'][data-name='daily_totals']");
        await Expect(totals.GetByTestId("generation")).ToHaveTextAsync(before.ToString(System.Globalization.CultureInfo.InvariantCulture));
        AssertNoSeriousViolations("operations", await page.RunAxe());
        await ScreenshotAsync(page, "operations");

        await totals.GetByRole(AriaRole.Button, new() { Name = "Rebuild daily_totals" }).ClickAsync();

        await Expect(page.GetByTestId("rebuild-state")).ToHaveTextAsync("done");
        await Expect(totals.GetByTestId("generation")).ToHaveTextAsync((before + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(page.GetByRole(AriaRole.Progressbar, new() { Name = "Rebuild progress" })).ToHaveAttributeAsync("aria-valuenow", "100");
        await ScreenshotAsync(page, "operations-rebuilt");
    }

    /// <summary>
    /// Whatever the collection's other tests left (transfers, closures, freezes, address changes), once their events
    /// are applied every copy agrees with the sources. A run during their tails may see a copy behind, so runs are
    /// repeated until one is clean or the deadline passes; the last run's differences are the failure's message.
    /// </summary>
    [Fact]
    public async Task Reconciliation_finds_every_copy_in_agreement_once_the_system_is_quiet()
    {
        var page = await fixture.NewPageAsync(Person.Operator);
        await page.GotoAsync("/operations");
        var section = page.GetByTestId("reconciliation");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string? lastTrace = null;
        while (true)
        {
            await section.GetByRole(AriaRole.Button, new() { Name = "Run reconciliation" }).ClickAsync();
            // Each run is its own action with its own trace: a new trace id means this run's report is shown.
            var traceId = section.GetByTestId("trace-id");
            await Expect(traceId).Not.ToHaveTextAsync(lastTrace ?? "");
            lastTrace = await traceId.TextContentAsync();
            await Expect(section.GetByTestId("reconciliation-totals")).ToBeVisibleAsync();
            if (await section.GetByTestId("reconciliation-clean").CountAsync() == 1)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Differences remain: {await section.GetByTestId("reconciliation-differences").InnerTextAsync()}");
            await Task.Delay(TimeSpan.FromMilliseconds(500), Ct);
        }

        await Expect(section.GetByTestId("reconciliation-status")).ToHaveTextAsync("Reconciled: no differences.");
        AssertNoSeriousViolations("operations after a reconciliation", await page.RunAxe());
        await ScreenshotAsync(page, "operations-reconciled");
    }

    private async Task ProduceAsync(string topic, string key, string value)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = await fixture.KafkaConnectionStringAsync() }).Build();
        await producer.ProduceAsync(topic, new Message<string, byte[]>
        {
            Key = key,
            Value = Encoding.UTF8.GetBytes(value),
            Headers = new Headers { { "ce_type", "account.delta.v1"u8.ToArray() }, { "ce_id", Encoding.UTF8.GetBytes(Guid.NewGuid().ToString()) } },
        }, Ct);
    }

    private sealed record Letter(long Id, string? Key, string? Value, Dictionary<string, string> Headers, DateTimeOffset? RedrivenAt);

    private sealed record ReadModel(string Name, int Generation);

    private sealed record ReadModels(List<ReadModel> Models);
}
