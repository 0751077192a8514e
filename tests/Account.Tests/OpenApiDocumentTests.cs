using System.Net;
using EventDriven.Tests;

namespace EventDriven.Accounts.Tests;

[Collection(AccountServiceCollection.Name)]
public sealed class OpenApiDocumentTests(AccountServiceFixture service)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_served_OpenAPI_document_is_the_checked_in_one()
    {
        if (await CheckedInOpenApi.DifferenceAsync(service.Client, "account", "Account.Tests", Ct) is { } difference)
        {
            Assert.Fail(difference);
        }
    }

    [Fact]
    public async Task In_development_the_API_reference_is_served_at_scalar()
    {
        using var response = await service.Client.GetAsync(new Uri("/scalar", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }
}
