using EventDriven.ServiceDefaults.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>Service-to-service calls with the calling service's own token.</summary>
public static class ClientCredentialsExtensions
{
    /// <summary>The configuration key of the calling service's client secret (the AppHost generates it as a secret parameter).</summary>
    public const string ClientSecretKey = "Identity:ClientSecret";

    /// <summary>
    /// Every request of this HttpClient carries a bearer token the service got for itself, as client
    /// <paramref name="clientId"/> with <paramref name="scope"/> (space-separated scopes), from the identity server's
    /// token endpoint; the secret is <c>Identity:ClientSecret</c>. The token is shared by every client registered with
    /// the same client id and scope, and renewed before it expires.
    /// </summary>
    public static IHttpClientBuilder AddClientCredentialsToken(this IHttpClientBuilder builder, string clientId, string scope)
    {
        var key = $"{clientId} {scope}";
        builder.Services.AddHttpClient(TokenClientName);
        builder.Services.AddKeyedSingleton(key, (provider, _) =>
        {
            var configuration = provider.GetRequiredService<IConfiguration>();
            var secret = configuration[ClientSecretKey] is { Length: > 0 } configured
                ? configured
                : throw new InvalidOperationException($"{ClientSecretKey} is required for client {clientId}.");
            return new ClientCredentialsTokens(
                provider.GetRequiredService<IHttpClientFactory>().CreateClient(TokenClientName),
                IdentityAuthority.TokenEndpoint(IdentityAuthority.Resolve(configuration)),
                clientId, secret, scope, provider.GetService<TimeProvider>() ?? TimeProvider.System);
        });
        return builder.AddHttpMessageHandler(provider => new ClientCredentialsHandler(provider.GetRequiredKeyedService<ClientCredentialsTokens>(key)));
    }

    private const string TokenClientName = "identity-token";
}
