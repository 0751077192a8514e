using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace EventDriven.ServiceDefaults.Http;

/// <summary>
/// What a request must be before its handler runs. One endpoint filter checks the body and the declared headers
/// together, so every problem is reported at once in a single 400 validation problem, the handler runs only on valid
/// input, and it receives the headers already parsed (<see cref="IdempotencyKey"/>, <see cref="ExpectedVersion"/>).
/// The rules are endpoint metadata, so the OpenAPI document shows the headers too.
/// </summary>
public static class RequestValidation
{
    /// <summary>Every request needs an <c>Idempotency-Key</c> header; the handler takes an <see cref="IdempotencyKey"/>.</summary>
    public static TBuilder RequireIdempotencyKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithRule(IdempotencyKey.Header);

    /// <summary>Requests may send <c>If-Match: "version"</c>; the handler takes an <see cref="ExpectedVersion"/>.</summary>
    public static TBuilder AcceptIfMatch<TBuilder>(this TBuilder builder, string description = "The ETag of the version the change is based on, such as \"3\".")
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithRule(ExpectedVersion.Header(description));

    /// <summary>The body must pass <paramref name="validate"/>, which names each bad field and what it should be.</summary>
    public static RouteHandlerBuilder Validate<TBody>(this RouteHandlerBuilder builder, Func<TBody, Dictionary<string, string[]>> validate) =>
        builder.WithRule(new BodyRule<TBody>(validate));

    private static TBuilder WithRule<TBuilder>(this TBuilder builder, object rule) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            var first = !endpoint.Metadata.Any(m => m is RequestHeader or IBodyRule);
            endpoint.Metadata.Add(rule);
            if (first)
            {
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(HttpValidationProblemDetails), ["application/problem+json"]));
                // Filters are built after every convention ran: by then the metadata holds all of the endpoint's rules.
                endpoint.FilterFactories.Add((context, next) => Filter(context, endpoint.Metadata, next));
            }
        });
        return builder;
    }

    private static EndpointFilterDelegate Filter(EndpointFilterFactoryContext context, IList<object> metadata, EndpointFilterDelegate next)
    {
        var parameters = context.MethodInfo.GetParameters();
        int ArgumentOf(Type type, object rule) => Array.FindIndex(parameters, p => p.ParameterType == type) is var index and >= 0
            ? index
            : throw new InvalidOperationException($"{context.MethodInfo.Name} declares {rule} but takes no {type.Name}.");

        // The body first, then the headers: the order the problem's fields have always been listed in.
        var bodies = metadata.OfType<IBodyRule>().Select(rule => (Rule: rule, Index: ArgumentOf(rule.BodyType, rule))).ToArray();
        var headers = metadata.OfType<RequestHeader>().Select(header => (Header: header, Index: ArgumentOf(header.ValueType, header.Name))).ToArray();
        return async invocation =>
        {
            var errors = new Dictionary<string, string[]>();
            foreach (var (rule, index) in bodies)
            {
                foreach (var (field, problems) in rule.Validate(invocation.Arguments[index]))
                {
                    errors[field] = problems;
                }
            }

            foreach (var (header, index) in headers)
            {
                if (header.Read(invocation.HttpContext) is { } value)
                {
                    invocation.Arguments[index] = value;
                }
                else
                {
                    errors[header.Name] = [header.Description];
                }
            }

            return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : await next(invocation);
        };
    }

    private interface IBodyRule
    {
        Type BodyType { get; }

        Dictionary<string, string[]> Validate(object? body);
    }

    private sealed class BodyRule<TBody>(Func<TBody, Dictionary<string, string[]>> validate) : IBodyRule
    {
        public Type BodyType => typeof(TBody);

        public Dictionary<string, string[]> Validate(object? body) => validate((TBody)body!);

        public override string ToString() => $"a {typeof(TBody).Name} rule";
    }
}
