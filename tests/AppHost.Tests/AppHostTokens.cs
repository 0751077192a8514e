using Aspire.Hosting;
using Aspire.Hosting.Testing;

namespace EventDriven.Tests;

/// <summary>Signing in to the whole AppHost as a script does (shared by the AppHost and end-to-end tests, linked into both).</summary>
public static class AppHostTokens
{
    /// <summary>
    /// Tokens from the AppHost's own <c>identity</c>: the demo customer and operator (<see cref="TestUser.Customer"/>,
    /// <see cref="TestUser.Operator"/>) by the password grant through <c>cli</c>.
    /// </summary>
    public static IdentityTokens CreateIdentityTokens(this DistributedApplication app) => new(app.GetEndpoint("identity", "http"));
}
