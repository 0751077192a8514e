using EventDriven.Identity.Clients;
using EventDriven.Identity.Endpoints;
using EventDriven.Identity.Keys;
using EventDriven.Identity.SignIn;
using EventDriven.Identity.Storage;
using EventDriven.Identity.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace EventDriven.Identity;

public static class IdentityServices
{
    /// <summary>
    /// PostgreSQL (identitydb) for users and OpenIddict's stores; ASP.NET Core Identity with lockout; the OpenIddict
    /// server with its flows, scopes and stored keys; the sign-in limits; and the start-up that prepares them.
    /// </summary>
    public static WebApplicationBuilder AddIdentityServices(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(IdentitySettings.Section).Get<IdentitySettings>() ?? new IdentitySettings();
        builder.Services.AddSingleton(settings);
        var development = builder.Environment.IsDevelopment();

        builder.AddNpgsqlDataSource(IdentityDb.ConnectionName, configureDataSourceBuilder: ServicePostgres.Configure);
        builder.Services.AddDbContext<IdentityDb>((provider, options) => options
            .UseNpgsql(provider.GetRequiredService<NpgsqlDataSource>())
            .UseOpenIddict());

        builder.Services.AddIdentity<IdentityUser, IdentityRole>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = settings.MaxFailedAttempts;
                options.Lockout.DefaultLockoutTimeSpan = settings.LockoutDuration;
                // Length, not composition rules (NIST SP 800-63B): a long passphrase beats "Passw0rd!".
                options.Password.RequiredLength = 12;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
            })
            .AddEntityFrameworkStores<IdentityDb>()
            .AddDefaultTokenProviders();
        builder.Services.ConfigureApplicationCookie(options =>
        {
            options.LoginPath = SignInPage.Path;
            options.Cookie.Name = "eventdriven.identity";
            options.Cookie.SameSite = SameSiteMode.Lax;
        });

        builder.Services.AddOpenIddict()
            .AddCore(options => options.UseEntityFrameworkCore().UseDbContext<IdentityDb>())
            .AddServer(options =>
            {
                options.SetAuthorizationEndpointUris(ConnectEndpoints.Authorize.TrimStart('/'))
                    .SetTokenEndpointUris(ConnectEndpoints.Token.TrimStart('/'))
                    .SetEndSessionEndpointUris(ConnectEndpoints.EndSession.TrimStart('/'));

                options.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange()
                    .AllowRefreshTokenFlow()
                    .AllowClientCredentialsFlow();
                if (development)
                {
                    // Scripts and tests get people's tokens without a browser; never outside development.
                    options.AllowPasswordFlow();
                }

                options.RegisterScopes([Scopes.Email, Scopes.Profile, Scopes.Roles, .. ClientCatalog.ApiScopes.Keys]);
                options.SetAccessTokenLifetime(settings.AccessTokenLifetime);
                // Signed JWTs the services validate with JwtBearer; codes and refresh tokens stay encrypted.
                options.DisableAccessTokenEncryption();

                var aspNetCore = options.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough();
                if (development)
                {
                    // Local mode is plain HTTP on loopback.
                    aspNetCore.DisableTransportSecurityRequirement();
                }
            });

        builder.Services.AddSingleton<IdentityKeys>();
        builder.Services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, ServerKeysConfiguration>();
        builder.Services.AddScoped<ClientRegistrations>();
        builder.Services.AddScoped<DemoUsers>();
        builder.Services.AddScoped<TokenPrincipals>();
        builder.Services.AddHostedService<IdentityStartup>();

        builder.Services.AddSignInRateLimits(settings.RateLimit);
        builder.Services.AddAuthorization();
        builder.Services.AddAntiforgery();
        builder.Services.AddProblemDetails();
        return builder;
    }
}
