namespace EventDriven.KurrentDB.Client;

/// <summary>Validation shared by the filter factories, so that a useless filter fails where it is built.</summary>
internal static class FilterArguments
{
    public static string[] Prefixes(string[] prefixes)
    {
        ArgumentNullException.ThrowIfNull(prefixes);
        if (prefixes.Length == 0 || prefixes.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("A prefix filter needs at least one prefix, and no empty ones.", nameof(prefixes));
        }

        return [.. prefixes];
    }

    public static string Regex(string regex)
    {
        ArgumentException.ThrowIfNullOrEmpty(regex);
        return regex;
    }

    public static uint? Window(uint? maxSearchWindow) =>
        maxSearchWindow is 0
            ? throw new ArgumentOutOfRangeException(nameof(maxSearchWindow), "The search window must be at least 1.")
            : maxSearchWindow;
}
