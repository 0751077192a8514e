using System.Reflection;

namespace EventDriven.AppHost.Hosting;

/// <summary>Where the build put the local stand-ins' entry assemblies (recorded by AppHost.csproj at build time).</summary>
internal static class LocalInfrastructureAssemblies
{
    public static string Path(string key)
    {
        var path = typeof(LocalInfrastructureAssemblies).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(attribute => attribute.Key == key)?.Value;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InvalidOperationException($"The local stand-in '{key}' was not built (expected at '{path}'). Build the AppHost, which builds it.");
        }

        return path;
    }
}
