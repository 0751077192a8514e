using Microsoft.AspNetCore.Http;

namespace EventDriven.ServiceDefaults.Http;

/// <summary>
/// Which status an exception that escaped a handler answers with (as problem details). An unreadable body is the
/// client's fault: its 400, never a 500. A dependency that did not answer (another service's API, a timeout) is worth
/// a retry with the same idempotency key or transaction id: 503. Anything else is a bug: 500.
/// </summary>
public static class ServiceProblemDetails
{
    public static int StatusCodeOf(Exception exception) => exception switch
    {
        BadHttpRequestException bad => bad.StatusCode,
        HttpRequestException or TimeoutException => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };
}
