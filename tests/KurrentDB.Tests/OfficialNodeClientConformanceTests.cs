using System.Diagnostics;
using System.Reflection;
using EventDriven.Tests;

namespace EventDriven.KurrentDB.Tests;

/// <summary>
/// The official KurrentDB Node.js client (@kurrent/kurrentdb-client) runs each scenario of
/// tests/KurrentDB.Conformance against the local server: anything it accepts, a real client accepts.
/// </summary>
[Collection(KurrentDBServerCollection.Name)]
public sealed class OfficialNodeClientConformanceTests(LocalKurrentDBServer server)
{
    private static readonly string SuiteDirectory = typeof(OfficialNodeClientConformanceTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ConformanceSuiteDirectory").Value!;

    [Theory]
    [InlineData("append with each expected state")]
    [InlineData("wrong expected version")]
    [InlineData("idempotent re-append of the same event ids")]
    [InlineData("read forwards and backwards")]
    [InlineData("read a missing stream")]
    [InlineData("delete and tombstone")]
    [InlineData("$all subscription catches up then goes live")]
    [InlineData("filtered $all subscription with checkpoints")]
    [InlineData("resume a subscription from a position")]
    [InlineData("stream subscription from a revision")]
    public async Task The_official_node_client_passes(string scenario)
    {
        Assert.True(Directory.Exists(Path.Combine(SuiteDirectory, "node_modules", "@kurrent", "kurrentdb-client")),
            $"Install the suite's packages first: npm ci --prefix {SuiteDirectory} (test.sh does).");

        var start = new ProcessStartInfo("node", ["--test", "--test-reporter=tap", $"--test-name-pattern=^{EscapeRegex(scenario)}$", "conformance.test.js"])
        {
            WorkingDirectory = SuiteDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["KURRENTDB_CONNECTION_STRING"] = server.ConnectionString },
        };
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = node.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await node.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);

        var report = await output + await errors;
        Assert.True(node.ExitCode == 0, report);
        Assert.Contains("# pass 1", report, StringComparison.Ordinal);
        Assert.Contains("# fail 0", report, StringComparison.Ordinal);
    }

    private static string EscapeRegex(string text) => System.Text.RegularExpressions.Regex.Escape(text);
}
