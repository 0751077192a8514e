using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace EventDriven.Accounts.Tests;

/// <summary>The command headers (<c>Idempotency-Key</c>, <c>If-Match</c>): checked with the body, and documented.</summary>
[Collection(AccountServiceCollection.Name)]
public sealed class CommandHeaderTests(AccountServiceFixture service)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Bad_headers_and_a_bad_body_are_named_together_in_one_400_problem()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/accounts/{Guid.NewGuid()}/contact") { Content = JsonContent.Create(new { email = "not-an-email" }) };
        request.Headers.TryAddWithoutValidation("If-Match", "\"three\"");

        using var response = await service.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        Assert.Equal(["email", "Idempotency-Key", "If-Match"], errors.EnumerateObject().Select(e => e.Name));
    }

    [Fact]
    public async Task The_OpenAPI_document_shows_which_commands_need_which_headers()
    {
        var document = await service.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);

        Assert.Equal([("Idempotency-Key", true)], Headers(document, "/accounts", "post"));
        Assert.Equal([("Idempotency-Key", true), ("If-Match", false)], Headers(document, "/accounts/{id}/freeze", "post"));
        Assert.Empty(Headers(document, "/accounts/{id}", "get"));
    }

    private static IEnumerable<(string, bool)> Headers(JsonElement document, string path, string method) =>
        document.GetProperty("paths").GetProperty(path).GetProperty(method).TryGetProperty("parameters", out var parameters)
            ? parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "header")
                .Select(p => (p.GetProperty("name").GetString()!, p.TryGetProperty("required", out var required) && required.GetBoolean()))
            : [];
}
