using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace EventDriven.AppHost.Hosting;

/// <summary>How the AppHost runs PostgreSQL, Kafka and KurrentDB.</summary>
public enum InfrastructureMode
{
    /// <summary>Official container images, through Docker or Podman.</summary>
    Containers,

    /// <summary>No container runtime: the machine's PostgreSQL binaries and .NET stand-ins for Kafka and KurrentDB.</summary>
    Local,
}

public static class InfrastructureModeSelection
{
    /// <summary><c>auto</c> (the default), <c>containers</c> or <c>local</c>; also <c>--infrastructure local</c> on the command line.</summary>
    public const string ConfigurationKey = "Infrastructure:Mode";

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromMilliseconds(800);

    /// <summary>
    /// The forced mode when configuration names one; otherwise containers when a container runtime answers, local when not.
    /// The probe asks the runtime's CLI for its server version and gives up after 0.8 s, so the choice is quick.
    /// </summary>
    public static InfrastructureMode Select(IConfiguration configuration)
    {
        var configured = configuration[ConfigurationKey] ?? configuration["infrastructure"] ?? "auto";
        return configured.Trim().ToLowerInvariant() switch
        {
            "containers" or "container" => InfrastructureMode.Containers,
            "local" => InfrastructureMode.Local,
            "auto" or "" => ContainerRuntimeAnswers(configuration) ? InfrastructureMode.Containers : InfrastructureMode.Local,
            _ => throw new InvalidOperationException($"'{ConfigurationKey}' is '{configured}'; use auto, containers or local."),
        };
    }

    private static bool ContainerRuntimeAnswers(IConfiguration configuration)
    {
        // Aspire's own setting for the runtime, when given; else Docker, then Podman.
        var preferred = configuration["ASPIRE_CONTAINER_RUNTIME"] ?? configuration["DOTNET_ASPIRE_CONTAINER_RUNTIME"];
        string[] runtimes = preferred is { Length: > 0 } ? [preferred] : ["docker", "podman"];
        return runtimes.Any(Answers);
    }

    private static bool Answers(string runtime)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, ["info", "--format", "{{json .}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null)
            {
                return false;
            }

            // Drain output so a chatty CLI cannot block on a full pipe.
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(ProbeTimeout))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // not installed
        }
    }
}
