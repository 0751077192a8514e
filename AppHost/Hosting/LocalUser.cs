namespace EventDriven.AppHost.Hosting;

internal static class LocalUser
{
    public static bool IsRoot => !OperatingSystem.IsWindows() && Environment.IsPrivilegedProcess;
}
