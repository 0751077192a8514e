using Microsoft.Extensions.Configuration;

namespace EventDriven.ServiceDefaults.Authentication;

/// <summary>
/// Where the identity server is: <c>Identity:Authority</c> when set (a service run outside the AppHost, a real
/// provider), otherwise the address the AppHost gives every service that references <c>identity</c>
/// (<c>services:identity:https:0</c> or <c>services:identity:http:0</c>).
/// </summary>
public static class IdentityAuthority
{
    public const string ConfigurationKey = "Identity:Authority";

    public static Uri Resolve(IConfiguration configuration)
    {
        var configured = configuration[ConfigurationKey]
            ?? configuration["services:identity:https:0"]
            ?? configuration["services:identity:http:0"]
            ?? throw new InvalidOperationException(
                $"No identity server: set {ConfigurationKey}, or reference the identity resource in the AppHost.");
        return new Uri(configured.EndsWith('/') ? configured : configured + "/", UriKind.Absolute);
    }

    /// <summary>The token endpoint of <paramref name="authority"/> (OpenIddict's, as Identity maps it).</summary>
    public static Uri TokenEndpoint(Uri authority) => new(authority, "connect/token");
}
