using EventDriven.Tests;

namespace EventDriven.Accounts.Tests;

[Collection(AccountServiceCollection.Name)]
public sealed class OpenApiDocumentTests(AccountServiceFixture service)
{
    [Fact]
    public async Task The_served_OpenAPI_document_is_the_checked_in_one()
    {
        if (await CheckedInOpenApi.DifferenceAsync(service.Client, "account", "Account.Tests", TestContext.Current.CancellationToken) is { } difference)
        {
            Assert.Fail(difference);
        }
    }
}
