using EventDriven.Tests;

namespace EventDriven.KurrentDB.Tests;

[CollectionDefinition(Name)]
public sealed class KurrentDBServerCollection : ICollectionFixture<LocalKurrentDBServer>
{
    public const string Name = "local kurrentdb server";
}
