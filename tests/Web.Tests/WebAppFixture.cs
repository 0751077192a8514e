using Aspire.Hosting;
using Aspire.Hosting.Testing;
using EventDriven.Tests;
using Microsoft.Playwright;

namespace EventDriven.Web.Tests;

/// <summary>
/// The whole AppHost in local mode (PostgreSQL from the machine's binaries on a fresh data folder, the local Kafka
/// broker and KurrentDB server, the four services, the Aspire dashboard), and Debian's Chromium driven by Playwright —
/// no browser download.
/// </summary>
public sealed class WebAppFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] Resources = ["account", "transactions", "reactor", "web"];

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"eventdriven-web-tests-{Guid.NewGuid():N}");
    private DistributedApplication? _app;
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public Uri WebAddress { get; private set; } = null!;

    /// <summary>The Aspire dashboard (unsecured for the tests), where the pages' trace links lead.</summary>
    public Uri DashboardAddress { get; private set; } = null!;

    /// <summary>Where each test's screenshots go (kept as test artifacts).</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(RepositoryRoot(), "TestResults", "screenshots");

    public async ValueTask InitializeAsync()
    {
        _app = await LocalAppHost.StartAsync(_dataDirectory, Resources, LocalAppHost.FreeLocalAddress());
        WebAddress = _app.GetEndpoint("web", "http");
        // Where the AppHost put it: with the tests' randomized ports, the dashboard is reached through a proxy port.
        DashboardAddress = _app.GetEndpoint(LocalAppHost.DashboardResource, "http");

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true });
        Directory.CreateDirectory(ScreenshotDirectory);
        // A page that waits on the services (a new account reaching Transactions through Kafka) may take a while.
        Assertions.SetDefaultExpectTimeout(20_000);
    }

    /// <summary>A fresh browser context (its own circuit and cookies) with a page on the web app.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = WebAddress.ToString(), Locale = "en-US" });
        return await context.NewPageAsync();
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "EventDriven.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? AppContext.BaseDirectory;
    }

    public HttpClient CreateHttpClient(string resource) => _app!.CreateHttpClient(resource, "http");

    /// <summary>The AppHost's Kafka broker, for a test that puts a message on a topic itself.</summary>
    public async Task<string> KafkaConnectionStringAsync() =>
        await _app!.GetConnectionStringAsync("kafka") ?? throw new InvalidOperationException("The AppHost gives no Kafka connection string.");

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        Directory.Delete(_dataDirectory, recursive: true);
    }
}

[CollectionDefinition(nameof(WebAppCollection))]
public sealed class WebAppCollection : ICollectionFixture<WebAppFixture>;
