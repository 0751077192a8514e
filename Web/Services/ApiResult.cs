using System.Net;
using System.Net.Http.Json;

namespace EventDriven.Web.Services;

/// <summary>
/// What a call to a service came to: a value, a refusal in problem details (with field errors for a 400), or no
/// answer at all (the service is down or timed out) — three outcomes the pages show differently.
/// </summary>
public abstract record ApiResult<T>
{
    private ApiResult() { }

    public sealed record Success(T Value, string? ETag = null) : ApiResult<T>;

    public sealed record Refused(HttpStatusCode Status, string Title, string? Detail, IReadOnlyDictionary<string, string[]> Errors) : ApiResult<T>
    {
        /// <summary>The sentence to show for a refusal that names no field.</summary>
        public string Sentence => Detail ?? Title;
    }

    public sealed record Unavailable(string Service) : ApiResult<T>;
}

internal static class ApiCalls
{
    private sealed record ProblemBody(string? Title, string? Detail, Dictionary<string, string[]>? Errors);

    /// <summary>Sends, and turns every outcome — including a service that does not answer — into an <see cref="ApiResult{T}"/>.</summary>
    public static async Task<ApiResult<T>> SendAsync<T>(string service, Func<CancellationToken, Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await send(cancellationToken);
        }
        // Polly's ExecutionRejectedException: the resilience handler's timeout or open circuit.
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or Polly.ExecutionRejectedException
                                   && !cancellationToken.IsCancellationRequested)
        {
            return new ApiResult<T>.Unavailable(service);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                // A 202 or 204 may have no body: the type stands for the answer (such as Accepted).
                var value = response.Content.Headers.ContentLength == 0 && typeof(T) == typeof(Accepted)
                    ? (T)(object)new Accepted()
                    : await response.Content.ReadFromJsonAsync<T>(cancellationToken);
                return new ApiResult<T>.Success(value!, response.Headers.ETag?.Tag);
            }

            if ((int)response.StatusCode >= 500)
            {
                return new ApiResult<T>.Unavailable(service);
            }

            ProblemBody? problem = null;
            if (response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json")
            {
                problem = await response.Content.ReadFromJsonAsync<ProblemBody>(cancellationToken);
            }

            return new ApiResult<T>.Refused(response.StatusCode, problem?.Title ?? response.ReasonPhrase ?? "Refused", problem?.Detail,
                problem?.Errors ?? []);
        }
    }
}
