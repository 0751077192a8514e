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

    private static readonly string[] Resources = ["identity", "account", "transactions", "reactor", "web"];

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"eventdriven-web-tests-{Guid.NewGuid():N}");
    private DistributedApplication? _app;
    private IPlaywright? _playwright;
    private readonly SemaphoreSlim _signingIn = new(1, 1);
    private readonly Dictionary<Person, string> _signedIn = [];

    public IBrowser Browser { get; private set; } = null!;

    public Uri WebAddress { get; private set; } = null!;

    /// <summary>Identity, where the web app sends people to sign in.</summary>
    public Uri IdentityAddress { get; private set; } = null!;

    /// <summary>The Aspire dashboard (unsecured for the tests), where the pages' trace links lead.</summary>
    public Uri DashboardAddress { get; private set; } = null!;

    /// <summary>Where each test's screenshots go (kept as test artifacts).</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(RepositoryRoot(), "TestResults", "screenshots");

    public async ValueTask InitializeAsync()
    {
        _app = await LocalAppHost.StartAsync(_dataDirectory, Resources, LocalAppHost.FreeLocalAddress());
        WebAddress = _app.GetEndpoint("web", "http");
        IdentityAddress = _app.GetEndpoint("identity", "http");
        // Where the AppHost put it: with the tests' randomized ports, the dashboard is reached through a proxy port.
        DashboardAddress = _app.GetEndpoint(LocalAppHost.DashboardResource, "http");

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true });
        Directory.CreateDirectory(ScreenshotDirectory);
        // A page that waits on the services (a new account reaching Transactions through Kafka) may take a while.
        Assertions.SetDefaultExpectTimeout(20_000);
    }

    /// <summary>
    /// A fresh browser context (its own circuit) with a page on the web app, signed in as <paramref name="person"/>
    /// (the customer unless said): the person signs in once, through Identity's form, and each new context starts with
    /// that browser's cookies, as a person's second tab would (Identity limits sign-ins per address and minute).
    /// </summary>
    public async Task<IPage> NewPageAsync(Person? person = null, BrowserNewContextOptions? options = null)
    {
        var state = await SignedInStateAsync(person ?? Person.Customer);
        options ??= new();
        options.BaseURL = WebAddress.ToString();
        options.Locale ??= "en-US";
        options.StorageState = state;
        var context = await Browser.NewContextAsync(options);
        return await context.NewPageAsync();
    }

    /// <summary>A browser no one has signed in with.</summary>
    public async Task<IPage> NewAnonymousPageAsync()
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = WebAddress.ToString(), Locale = "en-US" });
        return await context.NewPageAsync();
    }

    private async Task<string> SignedInStateAsync(Person person)
    {
        await _signingIn.WaitAsync();
        try
        {
            if (!_signedIn.TryGetValue(person, out var state))
            {
                var page = await NewAnonymousPageAsync();
                await SignIn.AsAsync(page, person);
                state = await page.Context.StorageStateAsync();
                await page.Context.CloseAsync();
                _signedIn[person] = state;
            }

            return state;
        }
        finally
        {
            _signingIn.Release();
        }
    }

    /// <summary>An HttpClient for a service's API, with <paramref name="person"/>'s access token (password grant, as scripts get one).</summary>
    public async Task<HttpClient> CreateHttpClientAsync(string resource, Person person)
    {
        var http = CreateHttpClient(resource);
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await TokenAsync(person));
        return http;
    }

    /// <summary>A token for the three services as <paramref name="person"/>, from Identity's development client <c>cli</c>.</summary>
    public async Task<string> TokenAsync(Person person)
    {
        using var identity = CreateHttpClient("identity");
        using var response = await identity.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = "cli",
            ["username"] = person.Email,
            ["password"] = person.Password,
            ["scope"] = "account transactions reactor",
        }));
        response.EnsureSuccessStatusCode();
        using var answer = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return answer.RootElement.GetProperty("access_token").GetString()!;
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
