using EventDriven.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>How a service trusts tokens: JWT bearer tokens issued by the identity server for its own audience.</summary>
public static class ServiceAuthenticationExtensions
{
    /// <summary>
    /// Validates bearer tokens from the identity server (<see cref="IdentityAuthority"/>; its signing keys from its
    /// discovery document) whose audience is <paramref name="audience"/>, so a token issued for another service is
    /// refused, and registers the <see cref="ServicePolicies"/>. Plain-HTTP metadata is allowed only from a loopback
    /// authority (local mode). Claims keep their JWT names (<c>sub</c>, <c>role</c>, <c>scope</c>).
    /// </summary>
    public static TBuilder AddServiceAuthentication<TBuilder>(this TBuilder builder, string audience) where TBuilder : IHostApplicationBuilder
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(audience);
        var authority = IdentityAuthority.Resolve(builder.Configuration);

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(options =>
            {
                options.Authority = authority.ToString();
                options.RequireHttpsMetadata = !authority.IsLoopback;
                options.Audience = audience;
                options.MapInboundClaims = false;
                options.TokenValidationParameters.ValidAudience = audience;
                options.TokenValidationParameters.NameClaimType = ServicePolicies.SubjectClaim;
                options.TokenValidationParameters.RoleClaimType = ServicePolicies.RoleClaim;
                // Access tokens live 15 minutes; five minutes' grace (the default) would be a third more.
                options.TokenValidationParameters.ClockSkew = TimeSpan.FromSeconds(30);
            });
        builder.Services.AddAuthorization(ServicePolicies.Add);
        builder.Services.AddSingleton<IAuthorizationPolicyProvider, ServicePolicies.Provider>();
        return builder;
    }
}
