using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace EventDriven.ServiceDefaults.Http;

/// <summary>
/// The version a change is based on, from an optional <c>If-Match: "3"</c> (the ETag the resource was read with);
/// <see cref="Any"/> without the header. Endpoints declare it with <see cref="RequestValidation.AcceptIfMatch{TBuilder}"/>.
/// </summary>
public sealed record ExpectedVersion : IBindableFromHttpContext<ExpectedVersion>
{
    public const string HeaderName = "If-Match";

    /// <summary>No <c>If-Match</c>: the change applies to whatever version is current.</summary>
    public static readonly ExpectedVersion Any = new((long?)null);

    private static readonly ExpectedVersion Placeholder = new((long?)null);

    private ExpectedVersion(long? version) => Version = version;

    public long? Version { get; }

    internal static RequestHeader<ExpectedVersion> Header(string description) =>
        new(HeaderName, required: false, description, Parse, absent: Any);

    public static ValueTask<ExpectedVersion?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        RequestHeader<ExpectedVersion>.BindPlaceholder(context, Placeholder);

    /// <summary>A strong or weak ETag of a version number: <c>"3"</c> or <c>W/"3"</c>.</summary>
    private static ExpectedVersion? Parse(string ifMatch) =>
        long.TryParse(ifMatch.Replace("W/", "", StringComparison.Ordinal).Trim('"'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var version)
            ? new ExpectedVersion(version)
            : null;
}
