namespace EventDriven.LocalInfrastructure.Postgres;

internal static class LocalUser
{
    public static bool IsRoot => !OperatingSystem.IsWindows() && Environment.IsPrivilegedProcess;
}
