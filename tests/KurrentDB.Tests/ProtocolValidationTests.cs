using EventDriven.KurrentDB.Protocol;
using EventDriven.KurrentDB.Protocol.Streams;
using EventDriven.Tests;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace EventDriven.KurrentDB.Tests;

/// <summary>Requests no well-behaved client sends, straight on the wire: refused as KurrentDB refuses them, nothing written.</summary>
[Collection(KurrentDBServerCollection.Name)]
public sealed class ProtocolValidationTests(LocalKurrentDBServer server)
{
    private static readonly Method<AppendReq, AppendResp> Append = new(
        MethodType.ClientStreaming, "event_store.client.streams.Streams", "Append",
        Marshallers.Create((AppendReq m) => m.ToByteArray(), AppendReq.Parser.ParseFrom),
        Marshallers.Create((AppendResp m) => m.ToByteArray(), AppendResp.Parser.ParseFrom));

    private static readonly Method<ReadReq, ReadResp> Read = new(
        MethodType.ServerStreaming, "event_store.client.streams.Streams", "Read",
        Marshallers.Create((ReadReq m) => m.ToByteArray(), ReadReq.Parser.ParseFrom),
        Marshallers.Create((ReadResp m) => m.ToByteArray(), ReadResp.Parser.ParseFrom));

    [Fact]
    public async Task An_event_without_type_or_content_type_is_refused_and_nothing_is_written()
    {
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress);
        var stream = $"no-metadata-{Guid.NewGuid():N}";
        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(Append, null, new CallOptions(cancellationToken: TestContext.Current.CancellationToken));
        await call.RequestStream.WriteAsync(new AppendReq
        {
            Options = new AppendReq.Types.Options { StreamIdentifier = Identifier(stream), Any = new Empty() },
        }, TestContext.Current.CancellationToken);
        await call.RequestStream.WriteAsync(new AppendReq
        {
            ProposedMessage = new AppendReq.Types.ProposedMessage { Id = new UUID { String = Guid.NewGuid().ToString() }, Data = ByteString.CopyFromUtf8("{}") },
        }, TestContext.Current.CancellationToken);
        await call.RequestStream.CompleteAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("missing-required-metadata-property", error.Trailers.GetValue("exception"));
        Assert.Equal(ReadResp.ContentOneofCase.StreamNotFound, (await ReadFirstAsync(channel, stream)).ContentCase);
    }

    [Fact]
    public async Task Ids_come_back_in_the_form_the_reader_asks_for()
    {
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress);
        var stream = $"uuid-{Guid.NewGuid():N}";
        var id = Guid.Parse("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
        using (var call = channel.CreateCallInvoker().AsyncClientStreamingCall(Append, null, new CallOptions(cancellationToken: TestContext.Current.CancellationToken)))
        {
            await call.RequestStream.WriteAsync(new AppendReq { Options = new AppendReq.Types.Options { StreamIdentifier = Identifier(stream), NoStream = new Empty() } }, TestContext.Current.CancellationToken);
            await call.RequestStream.WriteAsync(new AppendReq
            {
                ProposedMessage = new AppendReq.Types.ProposedMessage
                {
                    Id = new UUID { String = id.ToString() },
                    Metadata = { ["type"] = "T", ["content-type"] = "application/octet-stream" },
                },
            }, TestContext.Current.CancellationToken);
            await call.RequestStream.CompleteAsync();
            Assert.Equal(AppendResp.ResultOneofCase.Success, (await call.ResponseAsync).ResultCase);
        }

        var structured = (await ReadFirstAsync(channel, stream, asString: false)).Event.Event.Id.Structured;

        // The halves of the UUID in its textual (RFC 4122) byte order, as Java's UUID holds them.
        Assert.Equal(0x0a1b2c3d4e5f6071L, structured.MostSignificantBits);
        Assert.Equal(unchecked((long)0x8293a4b5c6d7e8f9UL), structured.LeastSignificantBits);
        Assert.Equal(id.ToString(), (await ReadFirstAsync(channel, stream, asString: true)).Event.Event.Id.String);
    }

    private static async Task<ReadResp> ReadFirstAsync(GrpcChannel channel, string stream, bool asString = true)
    {
        var request = new ReadReq
        {
            Options = new ReadReq.Types.Options
            {
                Stream = new ReadReq.Types.Options.Types.StreamOptions { StreamIdentifier = Identifier(stream), Start = new Empty() },
                Count = 10,
                NoFilter = new Empty(),
                UuidOption = asString
                    ? new ReadReq.Types.Options.Types.UUIDOption { String = new Empty() }
                    : new ReadReq.Types.Options.Types.UUIDOption { Structured = new Empty() },
            },
        };
        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(Read, null, new CallOptions(cancellationToken: TestContext.Current.CancellationToken), request);
        Assert.True(await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
        return call.ResponseStream.Current;
    }

    private static StreamIdentifier Identifier(string stream) => new() { StreamName = ByteString.CopyFromUtf8(stream) };
}
