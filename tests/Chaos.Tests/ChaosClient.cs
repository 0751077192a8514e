using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventDriven.Tests;

namespace EventDriven.Chaos.Tests;

/// <summary>What a command got in the end: its outcome, the last status and body, and how many attempts it took.</summary>
public sealed record Answer(Outcome Outcome, int? Status, JsonElement Body, int Attempts);

/// <summary>
/// A correct client meeting faults: a command is sent again, with the same idempotency key or transaction id, after a
/// timeout, a connection error or a 5xx, until it gets a definite answer (2xx accepted, 4xx refused) or the drill's
/// deadline for answers passes.
/// </summary>
public static class ChaosClient
{
    /// <summary>A client of one service acting as <paramref name="person"/>, with a token from <paramref name="tokens"/> on every request.</summary>
    public static HttpClient For(Uri endpoint, IdentityTokens tokens, TestUser person)
    {
        var client = tokens.Client(endpoint, person);
        client.Timeout = TimeSpan.FromSeconds(10);
        return client;
    }

    public static async Task<Answer> SendAsync(HttpClient http, HttpMethod method, string path, object? body, string? idempotencyKey, CancellationToken giveUp)
    {
        var attempts = 0;
        int? lastStatus = null;
        while (!giveUp.IsCancellationRequested)
        {
            attempts++;
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }

            if (idempotencyKey is not null)
            {
                request.Headers.Add("Idempotency-Key", idempotencyKey);
            }

            try
            {
                using var response = await http.SendAsync(request, giveUp);
                lastStatus = (int)response.StatusCode;
                if (lastStatus < 500 && response.StatusCode is not HttpStatusCode.RequestTimeout and not HttpStatusCode.TooManyRequests)
                {
                    var text = await response.Content.ReadAsStringAsync(giveUp);
                    var json = text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true
                        ? JsonDocument.Parse(text).RootElement.Clone()
                        : default;
                    return new Answer(response.IsSuccessStatusCode ? Outcome.Accepted : Outcome.Refused, lastStatus, json, attempts);
                }
            }
            catch (HttpRequestException)
            {
                // No answer: the service, its proxy or what it needs is away. Same request again.
            }
            catch (IdentityTokens.RefusedException)
            {
                // No token (Identity's database restarting): the request was never sent. Same request again.
            }
            catch (TaskCanceledException) when (!giveUp.IsCancellationRequested)
            {
                // The client's own timeout: the command may or may not have been applied. Same request again.
            }
            catch (OperationCanceledException) when (giveUp.IsCancellationRequested)
            {
                break;
            }

            // Pacing between attempts, growing to a second, so a restart is not met with a flood.
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 50 * attempts)), giveUp);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return new Answer(Outcome.Unresolved, lastStatus, default, attempts);
    }

    /// <summary>A read that must answer; null on 404.</summary>
    public static async Task<JsonElement?> ReadAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }
}
