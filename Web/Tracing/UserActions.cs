using System.Diagnostics;
using EventDriven.Web.Services;

namespace EventDriven.Web.Tracing;

/// <summary>
/// Starts each thing a person does on a page (open an account, deposit, freeze, …) as the root span of its own trace.
/// With interactive server rendering a click is not an HTTP request: without this, the typed clients' calls would hang
/// under the circuit's long-lived WebSocket request, or start separate traces. The whole journey (web → service →
/// store → relay/publisher → Kafka → consumers → projection) shares the action's trace id, which the page shows.
/// </summary>
public sealed class UserActions
{
    public const string ActivitySourceName = "EventDriven.Web";

    private static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>
    /// Runs <paramref name="action"/> under a new root span named <paramref name="name"/> and returns its result with the
    /// trace id (null when nothing records traces). Only ids go into the span: never names, e-mails or addresses.
    /// </summary>
    public async Task<Traced<ApiResult<T>>> RunAsync<T>(string name, Guid? accountId, Func<CancellationToken, Task<ApiResult<T>>> action,
        CancellationToken cancellationToken = default)
    {
        // A root, not a child of whatever span the circuit's execution context carries. The change to Activity.Current
        // stays inside this async method; the caller's own context is untouched.
        Activity.Current = null;
        using var activity = Source.StartActivity(name, ActivityKind.Internal);
        if (accountId is { } id)
        {
            activity?.SetTag("account.id", id.ToString());
        }

        var result = await action(cancellationToken);
        if (activity is not null)
        {
            var outcome = result switch
            {
                ApiResult<T>.Success => "success",
                ApiResult<T>.Refused => "refused",
                _ => "unavailable",
            };
            activity.SetTag("eventdriven.outcome", outcome);
            if (result is ApiResult<T>.Refused refused)
            {
                activity.SetTag("http.response.status_code", (int)refused.Status);
            }

            if (result is ApiResult<T>.Unavailable)
            {
                activity.SetStatus(ActivityStatusCode.Error, "The service did not answer.");
            }
        }

        return new Traced<ApiResult<T>>(result, activity?.TraceId.ToHexString());
    }
}

/// <summary>What an action came to, and the id of its trace (null when nothing records traces).</summary>
public sealed record Traced<T>(T Result, string? TraceId);
