using System.Text.Json;
using System.Text.Json.Nodes;

namespace EventDriven.Tests;

/// <summary>
/// Each service's OpenAPI document is checked in (<c>docs/openapi/{name}.json</c>), so that a change to an API is a
/// change someone reviews: the served document must equal the checked-in copy. <c>UPDATE_OPENAPI=1</c> rewrites the
/// copy instead. Only the part that does not depend on where the service runs is compared (no <c>servers</c>).
/// </summary>
public static class CheckedInOpenApi
{
    public const string UpdateVariable = "UPDATE_OPENAPI";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, IndentSize = 2 };

    /// <summary>How the served document differs from the checked-in one, with how to update it; <c>null</c> if it does not.</summary>
    public static async Task<string?> DifferenceAsync(HttpClient service, string name, string testProject, CancellationToken cancellationToken)
    {
        var served = Normalise(await service.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), cancellationToken));
        var relativePath = $"docs/openapi/{name}.json";
        var path = Path.Combine(RepositoryRoot(), relativePath);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, served, cancellationToken);
            return null;
        }

        var checkedIn = File.Exists(path) ? Normalise(await File.ReadAllTextAsync(path, cancellationToken)) : null;
        if (served == checkedIn)
        {
            return null;
        }

        var where = checkedIn is null ? $"{relativePath} does not exist." : FirstDifference(checkedIn, served);
        return $"""
            The {name} service's OpenAPI document is not the checked-in {relativePath}. {where}
            An API change is a reviewed change. If this one is intended, rewrite the copy and commit it with the change:
                {UpdateVariable}=1 dotnet test --project tests/{testProject} --filter-class "*OpenApi*"
            """;
    }

    /// <summary>The checked-in document of service <paramref name="name"/>: every operation it has, where a test needs them all.</summary>
    public static JsonElement Read(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "openapi", $"{name}.json"))).RootElement.Clone();

    /// <summary>The document as it is checked in: indented, <c>\n</c> line ends, without the servers it was fetched from.</summary>
    private static string Normalise(string json)
    {
        var document = JsonNode.Parse(json)!.AsObject();
        document.Remove("servers");
        return document.ToJsonString(Indented).ReplaceLineEndings("\n") + "\n";
    }

    private static string FirstDifference(string checkedIn, string served)
    {
        var (expected, actual) = (checkedIn.Split('\n'), served.Split('\n'));
        var shorter = Math.Min(expected.Length, actual.Length);
        var line = Enumerable.Range(0, shorter).FirstOrDefault(i => expected[i] != actual[i], shorter);
        string At(string[] lines) => line < lines.Length ? lines[line].Trim() : "(end of document)";
        return $"""
            The first difference is on line {line + 1}:
                checked in: {At(expected)}
                served:     {At(actual)}
            """;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "EventDriven.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No EventDriven.sln above {AppContext.BaseDirectory}.");
    }
}
