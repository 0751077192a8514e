using System.Text.Json;
using System.Text.Json.Serialization;
using EventDriven.ServiceDefaults.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
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
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // An unreadable body says where and why (the JSON path and the reader's complaint), not only "Bad Request".
            if (context.Exception is BadHttpRequestException { InnerException: JsonException json })
            {
                context.ProblemDetails.Detail = json.Path is { } path ? $"{path}: {json.Message}" : json.Message;
            }
        });
        // Binding failures (an unreadable body) reach the exception handler, and with it the detail above, in every environment.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
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
            options.AddDocumentTransformer<OpenApiBearerSecurity>();
            options.AddOperationTransformer<OpenApiBearerSecurity>();
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
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = ServiceProblemDetails.StatusCodeOf,
            // A client's bad request is answered, not logged as an error; only what answers 5xx is.
            SuppressDiagnosticsCallback = context => ServiceProblemDetails.StatusCodeOf(context.Exception) < StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        app.Use(PlainText.RefuseControlCharacters);
        return app;
    }

    /// <summary>The OpenAPI document (<c>/openapi/v1.json</c>) in every environment; its reference UI (Scalar, <c>/scalar</c>) in development.</summary>
    internal static void MapServiceApiReference(this WebApplication app)
    {
        if (app.Services.GetService<ServiceApiMarker>() is null)
        {
            return;
        }

        // The API's description is public (it says how to get in, not what is inside).
        app.MapOpenApi().AllowAnonymous();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference().AllowAnonymous();
        }
    }

    /// <summary>Says that <see cref="AddServiceApi{TBuilder}"/> ran, so the service has an OpenAPI document to serve.</summary>
    private sealed class ServiceApiMarker;
}
