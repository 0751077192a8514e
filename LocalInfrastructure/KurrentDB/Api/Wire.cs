using System.Buffers.Binary;
using System.Globalization;
using EventDriven.LocalKurrentDB.Storage;
using EventDriven.KurrentDB.Protocol;
using Google.Protobuf;
using Grpc.Core;

namespace EventDriven.LocalKurrentDB.Api;

/// <summary>Translations between the KurrentDB wire protocol and the storage, and the protocol's error conventions.</summary>
internal static class Wire
{
    public static Guid ToGuid(UUID id) => id.ValueCase switch
    {
        UUID.ValueOneofCase.String => Guid.TryParse(id.String, out var parsed) ? parsed : throw InvalidArgument($"'{id.String}' is not a UUID."),
        UUID.ValueOneofCase.Structured => FromHalves(id.Structured.MostSignificantBits, id.Structured.LeastSignificantBits),
        _ => throw InvalidArgument("An event has no id."),
    };

    /// <summary>The id as the reader asked for it: a string, or two big-endian halves (RFC 4122 byte order).</summary>
    public static UUID ToUuid(Guid id, bool asString)
    {
        if (asString)
        {
            return new UUID { String = id.ToString() };
        }

        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        return new UUID
        {
            Structured = new UUID.Types.Structured
            {
                MostSignificantBits = BinaryPrimitives.ReadInt64BigEndian(bytes),
                LeastSignificantBits = BinaryPrimitives.ReadInt64BigEndian(bytes[8..]),
            },
        };
    }

    public static string StreamName(StreamIdentifier? identifier) =>
        identifier?.StreamName is { Length: > 0 } name ? name.ToStringUtf8() : throw InvalidArgument("A stream name is required.");

    public static StreamIdentifier Identifier(string stream) => new() { StreamName = ByteString.CopyFromUtf8(stream) };

    /// <summary>The protocol's expected-version numbers: -1 no stream, -2 any, -4 stream exists.</summary>
    public static string ExpectedVersionNumber(ExpectedState expected) => expected switch
    {
        ExpectedState.NoStream => "-1",
        ExpectedState.Any => "-2",
        ExpectedState.StreamExists => "-4",
        ExpectedState.Revision r => r.Value.ToString(CultureInfo.InvariantCulture),
        _ => "-2",
    };

    public static RpcException InvalidArgument(string message) => new(new Status(StatusCode.InvalidArgument, message));

    public static RpcException StreamDeleted(string stream) => new(
        new Status(StatusCode.FailedPrecondition, $"Event stream '{stream}' is deleted."),
        new Metadata { { "exception", "stream-deleted" }, { "stream-name", stream } });

    public static RpcException WrongExpectedVersion(string stream, StreamRevisionState current, ExpectedState expected) => new(
        new Status(StatusCode.FailedPrecondition, $"Append failed due to WrongExpectedVersion. Stream: {stream}, Expected version: {ExpectedVersionNumber(expected)}, Actual version: {current.Revision}"),
        new Metadata
        {
            { "exception", "wrong-expected-version" },
            { "stream-name", stream },
            { "expected-version", ExpectedVersionNumber(expected) },
            { "actual-version", current.Revision?.ToString(CultureInfo.InvariantCulture) ?? "" },
        });

    public static RpcException MaximumAppendSizeExceeded(int maximum) => new(
        new Status(StatusCode.InvalidArgument, $"Maximum Append Size of {maximum} Exceeded."),
        new Metadata { { "exception", "maximum-append-size-exceeded" }, { "maximum-append-size", maximum.ToString(CultureInfo.InvariantCulture) } });

    public static RpcException MissingMetadata() => new(
        new Status(StatusCode.InvalidArgument, "Required metadata properties are missing: type, content-type."),
        new Metadata { { "exception", "missing-required-metadata-property" }, { "required-metadata-properties", "type,content-type" } });

    private static Guid FromHalves(long most, long least)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, most);
        BinaryPrimitives.WriteInt64BigEndian(bytes[8..], least);
        return new Guid(bytes, bigEndian: true);
    }
}
