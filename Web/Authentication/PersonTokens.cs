using Microsoft.AspNetCore.Authentication;

namespace EventDriven.Web.Authentication;

/// <summary>A signed-in person's tokens from Identity: the access token the services take, and what renews it.</summary>
public sealed record PersonTokens(string AccessToken, string? RefreshToken, DateTimeOffset ExpiresAt)
{
    /// <summary>The names ASP.NET Core's authentication properties keep them under (<c>SaveTokens</c>).</summary>
    public const string AccessTokenName = "access_token";
    public const string RefreshTokenName = "refresh_token";
    public const string ExpiresAtName = "expires_at";

    /// <summary>The tokens the cookie keeps, or null when it keeps none (or no expiry, which no refresh could keep).</summary>
    public static PersonTokens? From(AuthenticationProperties properties) =>
        properties.GetTokenValue(AccessTokenName) is { Length: > 0 } access
        && DateTimeOffset.TryParse(properties.GetTokenValue(ExpiresAtName), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.RoundtripKind, out var expiresAt)
            ? new PersonTokens(access, properties.GetTokenValue(RefreshTokenName), expiresAt)
            : null;

    /// <summary>Writes these tokens into the cookie's properties (the next response re-issues the cookie).</summary>
    public void WriteTo(AuthenticationProperties properties)
    {
        properties.UpdateTokenValue(AccessTokenName, AccessToken);
        if (RefreshToken is not null && !properties.UpdateTokenValue(RefreshTokenName, RefreshToken))
        {
            properties.StoreTokens([.. properties.GetTokens().Where(t => t.Name != RefreshTokenName), new() { Name = RefreshTokenName, Value = RefreshToken }]);
        }

        properties.UpdateTokenValue(ExpiresAtName, ExpiresAt.ToString("o", System.Globalization.CultureInfo.InvariantCulture));
    }
}
