using Microsoft.AspNetCore.Http;

namespace EventDriven.ServiceDefaults.Http;

/// <summary>
/// A request header an endpoint reads, as endpoint metadata: what the OpenAPI document shows (name, required or not,
/// what it means) and, for <see cref="RequestValidation"/>'s filter, how to read it.
/// </summary>
public abstract class RequestHeader(string name, bool required, string description)
{
    public string Name { get; } = name;

    public bool Required { get; } = required;

    public string Description { get; } = description;

    /// <summary>The type of the handler parameter that receives the header's value.</summary>
    internal abstract Type ValueType { get; }

    /// <summary>The header's value for the handler, or <c>null</c> when it is missing (and required) or malformed.</summary>
    internal abstract object? Read(HttpContext context);
}

/// <summary>A header read as a <typeparamref name="TValue"/>: <c>null</c> from the parser means the header is not acceptable.</summary>
public sealed class RequestHeader<TValue>(string name, bool required, string description, Func<string, TValue?> parse, TValue? absent = null)
    : RequestHeader(name, required, description)
    where TValue : class
{
    internal override Type ValueType => typeof(TValue);

    internal override object? Read(HttpContext context) =>
        context.Request.Headers[Name].ToString() is { Length: > 0 } value ? parse(value) : Required ? null : absent;

    /// <summary>
    /// What minimal APIs bind to a <typeparamref name="TValue"/> parameter before any filter runs: a stand-in that the
    /// validation filter replaces with the header's value. An endpoint that takes the parameter without declaring the
    /// header has a bug, and says so.
    /// </summary>
    internal static ValueTask<TValue?> BindPlaceholder(HttpContext context, TValue placeholder) =>
        context.GetEndpoint()?.Metadata.GetMetadata<RequestHeader<TValue>>() is null
            ? throw new InvalidOperationException($"{context.GetEndpoint()?.DisplayName} takes a {typeof(TValue).Name} but does not declare its header.")
            : ValueTask.FromResult<TValue?>(placeholder);
}
