using EventDriven.KurrentDB.Protocol;
using EventDriven.KurrentDB.Protocol.ServerFeatures;
using Grpc.Core;

namespace EventDriven.LocalKurrentDB.Api;

/// <summary>
/// What this server supports. BatchAppend is not offered, so clients use Append. The version is the KurrentDB release
/// whose v1 Streams API this server follows (clients parse it as numbers, so it must be one).
/// </summary>
internal sealed class ServerFeaturesService : ServerFeatures.ServerFeaturesBase
{
    private const string StreamsService = "event_store.client.streams.streams";

    public override Task<SupportedMethods> GetSupportedMethods(Empty request, ServerCallContext context) =>
        Task.FromResult(new SupportedMethods
        {
            EventStoreServerVersion = "25.1.0",
            Methods =
            {
                new SupportedMethod { ServiceName = StreamsService, MethodName = "read", Features = { "position", "events" } },
                new SupportedMethod { ServiceName = StreamsService, MethodName = "append" },
                new SupportedMethod { ServiceName = StreamsService, MethodName = "delete" },
                new SupportedMethod { ServiceName = StreamsService, MethodName = "tombstone" },
                new SupportedMethod { ServiceName = "event_store.client.server_features.serverfeatures", MethodName = "getsupportedmethods" },
            },
        });
}
