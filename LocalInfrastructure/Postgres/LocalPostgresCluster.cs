using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace EventDriven.LocalInfrastructure.Postgres;

/// <summary>
/// A private PostgreSQL cluster in one folder: <c>data/</c> (initdb'd on first run) and <c>password</c> (generated
/// once, 0600). As root everything in the folder belongs to the <c>postgres</c> user, and the server and initdb are
/// started through <c>setpriv</c> as that user, because PostgreSQL refuses to run as root.
/// </summary>
internal sealed partial class LocalPostgresCluster(string folder, PostgresBinaries binaries)
{
    private const string ServiceUser = "postgres";

    /// <summary>The cluster's superuser, as in the PostgreSQL container image.</summary>
    public const string UserName = "postgres";

    public string DataDirectory { get; } = Path.Combine(folder, "data");

    private string PasswordFile => Path.Combine(folder, "password");

    /// <summary>
    /// The command DCP starts: a shell that starts the server (as root through <c>setpriv</c>, which becomes the
    /// postgres user and execs it) and turns the stop signal into a fast shutdown (<see cref="StopAsFastShutdown"/>).
    /// </summary>
    public static string ServerCommand => "/bin/sh";

    /// <summary>
    /// An orchestrator stops a process with SIGTERM, which is PostgreSQL's smart shutdown: it waits until every
    /// session has ended, and the services' leadership and replication sessions do not end, so the server is killed
    /// seconds later, leaving its backends and shared memory behind and the next start failing. The official image
    /// sets <c>STOPSIGNAL SIGINT</c> for this reason; here the shell in front of the server passes SIGTERM (and SIGINT)
    /// on as SIGINT, PostgreSQL's fast shutdown (sessions ended, a checkpoint, exit). A fast shutdown still waits for
    /// each logical replication sender until its client has confirmed the whole WAL, and the CDC relay confirms only
    /// what Kafka acknowledged: with the broker away it never does. So after 3 seconds the shell asks for an immediate
    /// shutdown (SIGQUIT: the server ends at once, and the next start recovers from the WAL as after a crash, losing
    /// nothing committed), well before an orchestrator would kill the shell and leave the server behind it. The shell
    /// exits with the server's status. <see cref="RestartSignal"/> stops the server the same way and starts it again,
    /// the shell (the orchestrator's process) staying up.
    /// </summary>
    private const string StopAsFastShutdown =
        """
        escalation=
        restarting=
        stopping=
        stop() {
          kill -INT "$server" 2>/dev/null
          [ -n "$escalation" ] || { (sleep 3; kill -QUIT "$server" 2>/dev/null) & escalation=$!; }
        }
        trap 'stopping=1; stop' INT TERM
        trap 'restarting=1; stop' USR1
        trap 'kill -QUIT "$server" 2>/dev/null' QUIT
        while :; do
          "$@" &
          server=$!
          while :; do
            wait "$server"
            status=$?
            kill -0 "$server" 2>/dev/null || break
          done
          [ -z "$escalation" ] || kill "$escalation" 2>/dev/null
          escalation=
          [ -n "$restarting" ] && [ -z "$stopping" ] || exit "$status"
          restarting=
        done
        """;

    /// <summary>
    /// The signal that restarts the server in place (a fast shutdown, immediate after 3 seconds, then a start): sent to
    /// the process the orchestrator started, which stays up, so a restart does not depend on how quickly an orchestrator
    /// stops and starts processes.
    /// </summary>
    public const string RestartSignal = "USR1";

    /// <summary>The running server's process id (its <c>postmaster.pid</c>), or null while none runs.</summary>
    public int? ServerProcessId()
    {
        try
        {
            using var reader = new StreamReader(Path.Combine(DataDirectory, "postmaster.pid"));
            return int.TryParse(reader.ReadLine(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null;
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public IEnumerable<string> ServerArguments(int port) =>
        [
            "-c", StopAsFastShutdown, "local-postgres",
            .. AsServiceUser(binaries.Postgres),
            "-D", DataDirectory,
            "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c", "listen_addresses=localhost",
            "-c", "unix_socket_directories=",
            // Logical decoding for the Account service's CDC relay (pgoutput, a slot per relay).
            "-c", "wal_level=logical",
            "-c", "max_wal_senders=10",
            "-c", "max_replication_slots=10",
        ];

    public string EnsurePassword()
    {
        // Private from the first byte: the folder (0700) and the password file (0600) are created with their modes.
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            // The parents as usual (as root, the postgres user must be able to pass through them), this one private.
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(folder))!);
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            // A cluster made before that: made private now.
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (File.Exists(PasswordFile))
            {
                File.SetUnixFileMode(PasswordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        if (!File.Exists(PasswordFile))
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var writer = new StreamWriter(PasswordFile, options))
            {
                // Letters and digits only, so it needs no quoting in a connection string.
                writer.Write(RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", 24));
            }

            GiveToServiceUser(PasswordFile);
        }

        return File.ReadAllText(PasswordFile).Trim();
    }

    public async Task EnsureInitialisedAsync(ILogger logger, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            return;
        }

        // A half-made cluster (initdb interrupted) is started over.
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }

        Directory.CreateDirectory(DataDirectory);
        GiveToServiceUser(folder);
        LogInitialising(logger, DataDirectory);
        var stopwatch = Stopwatch.StartNew();
        string[] command =
        [
            .. AsServiceUser(binaries.InitDb),
            "-D", DataDirectory,
            "-U", LocalPostgresCluster.UserName,
            "--pwfile", PasswordFile,
            "--auth", "scram-sha-256",
            "--encoding", "UTF8",
            "--locale", "C",
            "--no-instructions",
        ];
        var (exitCode, output) = await RunAsync(command[0], command[1..], cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"initdb failed ({exitCode}):\n{output}");
        }

        LogInitialised(logger, stopwatch.ElapsedMilliseconds);
    }

    /// <summary>As root: <c>setpriv</c> and its arguments to become the postgres user, then the program; else the program.</summary>
    private static IEnumerable<string> AsServiceUser(string program) =>
        LocalUser.IsRoot ? ["setpriv", "--reuid", ServiceUser, "--regid", ServiceUser, "--init-groups", "--", program] : [program];

    private static void GiveToServiceUser(string path)
    {
        if (!LocalUser.IsRoot)
        {
            return;
        }

        var (exitCode, output) = RunAsync("chown", ["-R", $"{ServiceUser}:{ServiceUser}", path], CancellationToken.None).GetAwaiter().GetResult();
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"Running as root, the cluster folder must belong to the '{ServiceUser}' user (apt-get install postgresql creates it): {output}");
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string command, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"Could not start {command}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }

    [LoggerMessage(LogLevel.Information, "Initialising a PostgreSQL cluster in {DataDirectory}")]
    private static partial void LogInitialising(ILogger logger, string dataDirectory);

    [LoggerMessage(LogLevel.Information, "PostgreSQL cluster initialised in {Elapsed} ms")]
    private static partial void LogInitialised(ILogger logger, long elapsed);
}
