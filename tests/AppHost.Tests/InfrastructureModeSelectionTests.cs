using System.Runtime.Versioning;
using EventDriven.AppHost.Hosting;
using Microsoft.Extensions.Configuration;

namespace EventDriven.AppHost.Tests;

public sealed class InfrastructureModeSelectionTests
{
    [Theory]
    [InlineData("containers", InfrastructureMode.Containers)]
    [InlineData("local", InfrastructureMode.Local)]
    [InlineData("LOCAL", InfrastructureMode.Local)]
    public void A_configured_mode_is_used_as_given(string configured, InfrastructureMode expected) =>
        Assert.Equal(expected, InfrastructureModeSelection.Select(Configuration(("Infrastructure:Mode", configured))));

    [Fact]
    public void An_unknown_mode_is_refused_with_the_valid_ones()
    {
        var error = Assert.Throws<InvalidOperationException>(() => InfrastructureModeSelection.Select(Configuration(("Infrastructure:Mode", "kubernetes"))));

        Assert.Contains("auto, containers or local", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_without_a_container_runtime_chooses_local() =>
        Assert.Equal(InfrastructureMode.Local, InfrastructureModeSelection.Select(Configuration(("ASPIRE_CONTAINER_RUNTIME", "no-such-container-runtime"))));

    [Fact]
    [UnsupportedOSPlatform("windows")] // the stand-in CLI is a shell script
    public void Auto_with_a_runtime_that_does_not_answer_gives_up_on_it_and_chooses_local()
    {
        // A CLI whose daemon hangs: it would answer "yes" after a minute, but the probe stops waiting long before.
        var hanging = Path.Combine(Directory.CreateTempSubdirectory("hanging-runtime-").FullName, "hanging-runtime");
        File.WriteAllText(hanging, "#!/bin/sh\nsleep 60\n");
        File.SetUnixFileMode(hanging, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        Assert.Equal(InfrastructureMode.Local, InfrastructureModeSelection.Select(Configuration(("ASPIRE_CONTAINER_RUNTIME", hanging))));
    }

    [Fact]
    public void Auto_with_a_runtime_that_answers_chooses_containers()
    {
        // `true` stands in for a runtime CLI whose `info` succeeds; `false` for one whose daemon is down.
        Assert.Equal(InfrastructureMode.Containers, InfrastructureModeSelection.Select(Configuration(("ASPIRE_CONTAINER_RUNTIME", "true"))));
        Assert.Equal(InfrastructureMode.Local, InfrastructureModeSelection.Select(Configuration(("ASPIRE_CONTAINER_RUNTIME", "false"))));
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();
}
