using System.Globalization;
using System.Threading.RateLimiting;
using EventDriven.Identity.Endpoints;
using Microsoft.AspNetCore.RateLimiting;

namespace EventDriven.Identity.SignIn;

/// <summary>
/// Password guessing costs time: sign-in form posts and token requests are limited per client IP address (a fixed
/// window of a minute, <c>Identity:RateLimit</c>), before any password is hashed. Beyond the limit the answer is 429
/// with <c>Retry-After</c>. Lockout (per account) is the other half: it stops guessing one account from many addresses.
/// Behind a reverse proxy the client's address must come from forwarded headers, or every client shares one limit.
/// </summary>
public static class SignInRateLimits
{
    public static IServiceCollection AddSignInRateLimits(this IServiceCollection services, RateLimitSettings settings) =>
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var limit = Limited(context.Request) switch
                {
                    "signin" => settings.SignInPerMinute,
                    "token" => settings.TokenPerMinute,
                    _ => 0,
                };
                if (limit == 0)
                {
                    return RateLimitPartition.GetNoLimiter("unlimited");
                }

                var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetFixedWindowLimiter($"{Limited(context.Request)}:{address}", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limit,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = async (context, cancellationToken) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                await TypedResults.Problem(
                    title: "Too many attempts",
                    detail: "Too many sign-in or token requests from this address; try again in a minute.",
                    statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context.HttpContext);
            };
        });

    private static string? Limited(HttpRequest request) =>
        !HttpMethods.IsPost(request.Method) ? null
        : request.Path.Equals(SignInPage.Path, StringComparison.OrdinalIgnoreCase) ? "signin"
        : request.Path.Equals(ConnectEndpoints.Token, StringComparison.OrdinalIgnoreCase) ? "token"
        : null;
}
