using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace EventDriven.ServiceDefaults.Http;

/// <summary>
/// The client's name for one command (the <c>Idempotency-Key</c> header, 1-200 characters), the same on every retry:
/// a repeat gets the first answer and has no second effect. Endpoints declare it with
/// <see cref="RequestValidation.RequireIdempotencyKey{TBuilder}"/> and handlers take it as a parameter.
/// </summary>
public sealed record IdempotencyKey : IBindableFromHttpContext<IdempotencyKey>
{
    public const string HeaderName = "Idempotency-Key";

    public const int MaxLength = 200;

    internal static readonly RequestHeader<IdempotencyKey> Header = new(HeaderName, required: true,
        $"Every command needs an Idempotency-Key header (1-{MaxLength} characters), the same on every retry.",
        value => value.Length <= MaxLength ? new IdempotencyKey(value) : null);

    private static readonly IdempotencyKey Placeholder = new("");

    private IdempotencyKey(string value) => Value = value;

    public string Value { get; }

    public override string ToString() => Value;

    public static ValueTask<IdempotencyKey?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        RequestHeader<IdempotencyKey>.BindPlaceholder(context, Placeholder);
}
