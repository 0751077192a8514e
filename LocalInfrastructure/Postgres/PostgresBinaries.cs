namespace EventDriven.LocalInfrastructure.Postgres;

/// <summary>The folder holding <c>postgres</c> and <c>initdb</c> (Debian keeps them out of PATH, per major version).</summary>
internal sealed record PostgresBinaries(string Directory)
{
    public string Postgres => Path.Combine(Directory, "postgres");

    public string InitDb => Path.Combine(Directory, "initdb");

    public static PostgresBinaries Locate(string? configured)
    {
        IEnumerable<string> candidates = configured is { Length: > 0 }
            ? [configured]
            : [
                // Debian/Ubuntu: /usr/lib/postgresql/<major>/bin, newest first.
                .. (System.IO.Directory.Exists("/usr/lib/postgresql")
                    ? System.IO.Directory.GetDirectories("/usr/lib/postgresql")
                        .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var major) ? major : 0)
                        .Select(d => Path.Combine(d, "bin"))
                    : []),
                .. (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries),
            ];

        return candidates.Select(d => new PostgresBinaries(d)).FirstOrDefault(b => File.Exists(b.Postgres) && File.Exists(b.InitDb))
            ?? throw new InvalidOperationException(
                "Local mode needs the PostgreSQL server binaries (postgres, initdb): on Debian/Ubuntu `apt-get install postgresql`, " +
                "or set LocalInfrastructure:PostgresBinDirectory. With a container runtime, run with Infrastructure:Mode=containers instead.");
    }
}
