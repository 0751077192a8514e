using System.Reflection;

namespace EventDriven.Tests;

/// <summary>Where the build put the services that tests start as processes (recorded by TestSupport.csproj at build time).</summary>
internal static class TestSupportAssemblies
{
    public static string Identity => Path("IdentityAssembly");

    private static string Path(string key)
    {
        var path = typeof(TestSupportAssemblies).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(attribute => attribute.Key == key)?.Value;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InvalidOperationException($"'{key}' was not built (expected at '{path}'); build TestSupport.");
        }

        return path;
    }
}
