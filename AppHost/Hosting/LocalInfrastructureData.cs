using EventDriven.LocalInfrastructure.Postgres;
using Microsoft.Extensions.Configuration;

namespace EventDriven.AppHost.Hosting;

/// <summary>Where local mode keeps what must survive a restart (PostgreSQL's cluster, later KurrentDB's log).</summary>
internal static class LocalInfrastructureData
{
    public const string ConfigurationKey = "LocalInfrastructure:DataDirectory";

    /// <summary>
    /// <c>LocalInfrastructure:DataDirectory</c> when set; else <c>~/.local/share/eventdriven</c>, or
    /// <c>/var/lib/eventdriven</c> for root, whose home the <c>postgres</c> user cannot enter.
    /// </summary>
    public static string Directory(IConfiguration configuration, string component)
    {
        var root = configuration[ConfigurationKey] is { Length: > 0 } configured
            ? System.IO.Path.GetFullPath(configured)
            : LocalUser.IsRoot
                ? "/var/lib/eventdriven"
                : System.IO.Path.Combine(
                    Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg ? xdg : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share"),
                    "eventdriven");
        return System.IO.Path.Combine(root, component);
    }
}
