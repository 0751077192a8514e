namespace Microsoft.Extensions.Hosting;

/// <summary>The activity sources and meters of the project's own integrations, registered once by the service defaults.</summary>
public static class EventDrivenTelemetry
{
    public static readonly string[] ActivitySourceNames =
    [
        EventDriven.ServiceDefaults.Kafka.KafkaTelemetry.ActivitySourceName,
        EventDriven.KurrentDB.Client.KurrentDBTelemetry.ActivitySourceName,
        "MassTransit", // in-process dispatch in Reactor (the mediator's consume spans)
        // The gRPC call under a KurrentDB client span: its HTTP request (and so KurrentDB's server span) names it as
        // parent, so without it the event store's side of a journey hangs off a span the trace does not have.
        "Grpc.Net.Client",
    ];

    public static readonly string[] MeterNames = [EventDriven.ServiceDefaults.Kafka.KafkaTelemetry.MeterName];
}
