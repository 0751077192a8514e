using EventDriven.Tests;

namespace EventDriven.Transactions.Tests;

[Collection(TransactionsCollection.Name)]
public sealed class OpenApiDocumentTests(TransactionsFixture service)
{
    [Fact]
    public async Task The_served_OpenAPI_document_is_the_checked_in_one()
    {
        if (await CheckedInOpenApi.DifferenceAsync(service.Client, "transactions", "Transactions.Tests", TestContext.Current.CancellationToken) is { } difference)
        {
            Assert.Fail(difference);
        }
    }
}
