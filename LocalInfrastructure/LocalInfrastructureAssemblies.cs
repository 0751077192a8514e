using System.Reflection;

namespace EventDriven.LocalInfrastructure;

/// <summary>
/// Where the build put the local stand-ins' entry assemblies. LocalInfrastructure.targets records the paths in the
/// importing assembly at build time, and compiles this file into it.
/// </summary>
internal static class LocalInfrastructureAssemblies
{
    public static string LocalKafka => Path("LocalKafkaAssembly");

    public static string LocalKurrentDB => Path("LocalKurrentDBAssembly");

    private static string Path(string key)
    {
        var path = typeof(LocalInfrastructureAssemblies).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(attribute => attribute.Key == key)?.Value;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InvalidOperationException($"The local stand-in '{key}' was not built (expected at '{path}'); build the project that references it.");
        }

        return path;
    }
}
