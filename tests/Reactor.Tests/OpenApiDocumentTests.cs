using EventDriven.Tests;

namespace EventDriven.Reactor.Tests;

[Collection(ReactorCollection.Name)]
public sealed class OpenApiDocumentTests(ReactorFixture service)
{
    [Fact]
    public async Task The_served_OpenAPI_document_is_the_checked_in_one()
    {
        if (await CheckedInOpenApi.DifferenceAsync(service.Client, "reactor", "Reactor.Tests", TestContext.Current.CancellationToken) is { } difference)
        {
            Assert.Fail(difference);
        }
    }
}
