using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace EventDriven.ServiceDefaults.Http;

/// <summary>
/// Shows the <see cref="RequestHeader"/>s an endpoint declares as header parameters in the OpenAPI document: the
/// filter that reads them binds them itself, so the generator does not see them.
/// </summary>
internal sealed class OpenApiRequestHeaders : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var header in context.Description.ActionDescriptor.EndpointMetadata.OfType<RequestHeader>())
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = header.Name,
                In = ParameterLocation.Header,
                Required = header.Required,
                Description = header.Description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }

        return Task.CompletedTask;
    }
}
