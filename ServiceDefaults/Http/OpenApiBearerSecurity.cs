using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace EventDriven.ServiceDefaults.Http;

/// <summary>
/// Says in the OpenAPI document how to get in: a bearer security scheme (the identity server's JWT access tokens) when
/// the service validates them, and that scheme on every operation that needs a token — those that name a policy, and,
/// with the fallback policy every service sets, all that do not say AllowAnonymous. A reader (or Scalar) then knows
/// which calls need <c>Authorization: Bearer …</c> without trying.
/// </summary>
internal sealed class OpenApiBearerSecurity : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public const string SchemeName = "Bearer";

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        if (!await ValidatesTokensAsync(context.ApplicationServices))
        {
            return;
        }

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "An access token from the identity server (Identity) whose audience is this service.",
        };
    }

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any() || !await ValidatesTokensAsync(context.ApplicationServices))
        {
            return;
        }

        var fallback = context.ApplicationServices.GetRequiredService<IOptions<AuthorizationOptions>>().Value.FallbackPolicy;
        if (fallback is null && !metadata.OfType<IAuthorizeData>().Any())
        {
            return;
        }

        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] });
    }

    private static async Task<bool> ValidatesTokensAsync(IServiceProvider services) =>
        services.GetService<IAuthenticationSchemeProvider>() is { } schemes
        && await schemes.GetSchemeAsync(JwtBearerDefaults.AuthenticationScheme) is not null;
}
