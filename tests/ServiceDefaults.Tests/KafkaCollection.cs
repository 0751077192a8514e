using EventDriven.Tests;

namespace EventDriven.ServiceDefaults.Tests;

[CollectionDefinition(Name)]
public sealed class KafkaCollection : ICollectionFixture<LocalKafkaBroker>
{
    public const string Name = "local kafka broker";
}
