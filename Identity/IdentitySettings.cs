namespace EventDriven.Identity;

/// <summary>The <c>Identity</c> configuration section: clients' secrets and addresses, demo users, limits.</summary>
public sealed class IdentitySettings
{
    public const string Section = "Identity";

    /// <summary>Per client id: its secret (confidential clients) and where it may be sent back to (web).</summary>
    public Dictionary<string, ClientSettings> Clients { get; init; } = [];

    /// <summary>Seeded in development only, with the documented demo passwords.</summary>
    public List<DemoUser> DemoUsers { get; init; } = [];

    public RateLimitSettings RateLimit { get; init; } = new();

    /// <summary>Short, so that a leaked access token is worth little; the web app refreshes.</summary>
    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Failed passwords in a row before an account is locked, and for how long.</summary>
    public int MaxFailedAttempts { get; init; } = 5;

    public TimeSpan LockoutDuration { get; init; } = TimeSpan.FromMinutes(5);
}

public sealed class ClientSettings
{
    public string? Secret { get; init; }

    public Uri? RedirectUri { get; init; }

    public Uri? PostLogoutRedirectUri { get; init; }
}

/// <summary>A demo user: a stable id (the token's <c>sub</c>, so that seeded data can name its owner), e-mail, password, role.</summary>
public sealed class DemoUser
{
    public string Id { get; init; } = "";

    public string Email { get; init; } = "";

    public string Password { get; init; } = "";

    public string Role { get; init; } = "";
}

/// <summary>Attempts per client IP address and minute at the sign-in form and at the token endpoint.</summary>
public sealed class RateLimitSettings
{
    public int SignInPerMinute { get; init; } = 10;

    public int TokenPerMinute { get; init; } = 60;
}
