using System.Globalization;
using Grpc.Core;

namespace EventDriven.KurrentDB.Client;

/// <summary>Turns the server's error trailers (<c>exception: …</c>) into the exceptions the official client throws.</summary>
internal static class RpcErrors
{
    private const string ExceptionKey = "exception";

    /// <summary>The typed exception for <paramref name="exception"/>, or null when it is an ordinary gRPC failure.</summary>
    public static Exception? Map(RpcException exception, string streamName, StreamState? expectedState = null)
    {
        var trailers = exception.Trailers;
        var stream = trailers.GetValue("stream-name") is { Length: > 0 } named ? named : streamName;
        return trailers.GetValue(ExceptionKey) switch
        {
            "stream-deleted" => new StreamDeletedException(stream, exception),
            "stream-not-found" => new StreamNotFoundException(stream, exception),
            "wrong-expected-version" => new WrongExpectedVersionException(
                stream,
                ParseState(trailers.GetValue("expected-version")) ?? expectedState ?? StreamState.Any,
                ParseState(trailers.GetValue("actual-version")) ?? StreamState.NoStream,
                exception),
            "maximum-append-size-exceeded" => new MaximumAppendSizeExceededException(
                int.TryParse(trailers.GetValue("maximum-append-size"), NumberStyles.None, CultureInfo.InvariantCulture, out var maximum) ? maximum : 0, exception),
            "missing-required-metadata-property" => new RequiredMetadataPropertyMissingException(
                trailers.GetValue("required-metadata-properties") ?? "", exception),
            _ => null,
        };
    }

    /// <summary>Rethrows <paramref name="exception"/> as its typed exception when there is one.</summary>
    public static Exception Translate(RpcException exception, string streamName, StreamState? expectedState = null) =>
        Map(exception, streamName, expectedState) ?? exception;

    // An empty or absent actual version means the stream does not exist.
    private static StreamState? ParseState(string? value) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var version) && version is >= 0 or -1 or -2 or -4
            ? StreamState.FromInt64(version)
            : null;
}
