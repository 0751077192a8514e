using System.Text.Json;
using System.Text.Json.Serialization;
using EventDriven.ServiceDefaults.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Scalar.AspNetCore;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every service's HTTP API shares: problem details for every refusal and every error, the wire's JSON (enums as
/// camelCase strings, as on the topics) and an OpenAPI document, with a reference UI in development.
/// </summary>
public static class ServiceApiExtensions
{
    /// <summary>Problem details, the API's JSON, and an OpenAPI document titled <paramref name="title"/>.</summary>
    public static TBuilder AddServiceApi<TBuilder>(this TBuilder builder, string title, string description) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = title;
                document.Info.Description = description;
                return Task.CompletedTask;
            });
            options.AddOperationTransformer<OpenApiRequestHeaders>();
            // Responses in status order, whichever order the endpoint and its groups declared them in.
            options.AddOperationTransformer((operation, _, _) =>
            {
                if (operation.Responses is { Count: > 1 } responses)
                {
                    var sorted = responses.OrderBy(response => response.Key, StringComparer.Ordinal).ToList();
                    responses.Clear();
                    foreach (var (status, response) in sorted)
                    {
                        responses.Add(status, response);
                    }
                }

                return Task.CompletedTask;
            });
        });
        builder.Services.AddSingleton<ServiceApiMarker>();
        return builder;
    }

    /// <summary>
    /// Exceptions (an unreadable body, a dependency away, a bug) and bare status codes answer as problem details,
    /// with the status <see cref="ServiceProblemDetails.StatusCodeOf"/> picks.
    /// </summary>
    public static WebApplication UseServiceApi(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = ServiceProblemDetails.StatusCodeOf });
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>The OpenAPI document (<c>/openapi/v1.json</c>) in every environment; its reference UI (Scalar, <c>/scalar</c>) in development.</summary>
    internal static void MapServiceApiReference(this WebApplication app)
    {
        if (app.Services.GetService<ServiceApiMarker>() is null)
        {
            return;
        }

        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference();
        }
    }

    /// <summary>Says that <see cref="AddServiceApi{TBuilder}"/> ran, so the service has an OpenAPI document to serve.</summary>
    private sealed class ServiceApiMarker;
}
