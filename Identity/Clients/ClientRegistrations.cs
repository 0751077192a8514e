using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace EventDriven.Identity.Clients;

/// <summary>
/// Makes the stored scopes and clients what <see cref="ClientCatalog"/> and the configuration say, on every start: a
/// client's secret or address changed in configuration (the AppHost generates secrets) is updated, not added twice.
/// A confidential client without a configured secret is not registered; the password-grant client only in development.
/// </summary>
internal sealed partial class ClientRegistrations(
    IOpenIddictApplicationManager applications, IOpenIddictScopeManager scopes, IdentitySettings settings, IHostEnvironment environment, ILogger<ClientRegistrations> logger)
{
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        foreach (var (name, resources) in ClientCatalog.ApiScopes)
        {
            var descriptor = new OpenIddictScopeDescriptor { Name = name };
            descriptor.Resources.UnionWith(resources);
            if (await scopes.FindByNameAsync(name, cancellationToken) is { } existing)
            {
                await scopes.UpdateAsync(existing, descriptor, cancellationToken);
            }
            else
            {
                await scopes.CreateAsync(descriptor, cancellationToken);
            }
        }

        foreach (var client in ClientCatalog.All)
        {
            var existing = await applications.FindByClientIdAsync(client.Id, cancellationToken);
            if (Describe(client) is not { } descriptor)
            {
                if (existing is not null)
                {
                    await applications.DeleteAsync(existing, cancellationToken);
                }

                LogNotRegistered(logger, client.Id);
                continue;
            }

            if (existing is not null)
            {
                await applications.UpdateAsync(existing, descriptor, cancellationToken);
            }
            else
            {
                await applications.CreateAsync(descriptor, cancellationToken);
            }
        }
    }

    private OpenIddictApplicationDescriptor? Describe(ClientCatalog.Client client)
    {
        var configured = settings.Clients.GetValueOrDefault(client.Id);
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = client.Id,
            DisplayName = client.DisplayName,
            ConsentType = ConsentTypes.Implicit,
            Permissions = { Permissions.Endpoints.Token },
        };
        foreach (var scope in client.Scopes)
        {
            descriptor.Permissions.Add(Permissions.Prefixes.Scope + scope);
        }

        switch (client.Kind)
        {
            case ClientCatalog.Kind.WebApp:
                if (configured is not { Secret.Length: > 0, RedirectUri: not null })
                {
                    return null;
                }

                descriptor.ClientType = ClientTypes.Confidential;
                descriptor.ClientSecret = configured.Secret;
                descriptor.RedirectUris.Add(configured.RedirectUri);
                if (configured.PostLogoutRedirectUri is { } postLogout)
                {
                    descriptor.PostLogoutRedirectUris.Add(postLogout);
                    descriptor.Permissions.Add(Permissions.Endpoints.EndSession);
                }

                descriptor.Permissions.Add(Permissions.Endpoints.Authorization);
                descriptor.Permissions.Add(Permissions.GrantTypes.AuthorizationCode);
                descriptor.Permissions.Add(Permissions.GrantTypes.RefreshToken);
                descriptor.Permissions.Add(Permissions.ResponseTypes.Code);
                descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
                if (client.OwnScopes is { Count: > 0 } own)
                {
                    descriptor.Permissions.Add(Permissions.GrantTypes.ClientCredentials);
                    descriptor.Permissions.UnionWith(own.Select(scope => Permissions.Prefixes.Scope + scope));
                }

                return descriptor;

            case ClientCatalog.Kind.Service:
                if (configured is not { Secret.Length: > 0 })
                {
                    return null;
                }

                descriptor.ClientType = ClientTypes.Confidential;
                descriptor.ClientSecret = configured.Secret;
                descriptor.Permissions.Add(Permissions.GrantTypes.ClientCredentials);
                return descriptor;

            case ClientCatalog.Kind.DevelopmentCli:
                if (!environment.IsDevelopment())
                {
                    return null;
                }

                descriptor.ClientType = ClientTypes.Public;
                descriptor.Permissions.Add(Permissions.GrantTypes.Password);
                descriptor.Permissions.Add(Permissions.GrantTypes.RefreshToken);
                return descriptor;

            default:
                throw new InvalidOperationException($"Unknown client kind {client.Kind}.");
        }
    }

    [LoggerMessage(LogLevel.Warning, "Client {ClientId} is not registered: its settings (Identity:Clients:{ClientId}) are missing, or it exists in development only.")]
    private static partial void LogNotRegistered(ILogger logger, string clientId);
}
