using System.Diagnostics;
using EventDriven.KurrentDB.Protocol.Streams;
using Grpc.Core;

namespace EventDriven.KurrentDB.Client;

public sealed partial class KurrentDBClient
{
    /// <summary>Soft-deletes a stream: it reads as not found, and appending to it again starts it afresh.</summary>
    public Task<DeleteResult> DeleteAsync(
        string streamName, StreamState expectedState, TimeSpan? deadline = null, CancellationToken cancellationToken = default) =>
        RunUnaryAsync("streams.delete", streamName, expectedState, async options =>
        {
            var response = await _streams.DeleteAsync(
                new DeleteReq { Options = ProtocolMapping.ToDeleteOptions(streamName, expectedState) }, options).ConfigureAwait(false);
            return response.PositionOptionCase == DeleteResp.PositionOptionOneofCase.Position
                ? new DeleteResult(Position.FromWire(response.Position.CommitPosition, response.Position.PreparePosition))
                : new DeleteResult(Position.End);
        }, deadline, cancellationToken);

    public Task<DeleteResult> DeleteAsync(
        string streamName, StreamRevision expectedRevision, TimeSpan? deadline = null, CancellationToken cancellationToken = default) =>
        DeleteAsync(streamName, StreamState.FromStreamRevision(expectedRevision), deadline, cancellationToken);

    /// <summary>Hard-deletes a stream: it can never be read or written again (<see cref="StreamDeletedException"/>).</summary>
    public Task<DeleteResult> TombstoneAsync(
        string streamName, StreamState expectedState, TimeSpan? deadline = null, CancellationToken cancellationToken = default) =>
        RunUnaryAsync("streams.tombstone", streamName, expectedState, async options =>
        {
            var response = await _streams.TombstoneAsync(
                new TombstoneReq { Options = ProtocolMapping.ToTombstoneOptions(streamName, expectedState) }, options).ConfigureAwait(false);
            return response.PositionOptionCase == TombstoneResp.PositionOptionOneofCase.Position
                ? new DeleteResult(Position.FromWire(response.Position.CommitPosition, response.Position.PreparePosition))
                : new DeleteResult(Position.End);
        }, deadline, cancellationToken);

    public Task<DeleteResult> TombstoneAsync(
        string streamName, StreamRevision expectedRevision, TimeSpan? deadline = null, CancellationToken cancellationToken = default) =>
        TombstoneAsync(streamName, StreamState.FromStreamRevision(expectedRevision), deadline, cancellationToken);

    private Task<DeleteResult> RunUnaryAsync(
        string operation,
        string streamName,
        StreamState expectedState,
        Func<CallOptions, Task<DeleteResult>> call,
        TimeSpan? deadline,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamName);
        return TracedAsync(operation, streamName, expectedState, _ => call(CreateCallOptions(deadline, cancellationToken)));
    }

    /// <summary>
    /// Runs a call inside a client span for <paramref name="operation"/>, turning the server's error trailers into the
    /// client's exceptions (<see cref="RpcErrors"/>) and recording any failure on the span.
    /// </summary>
    private async Task<T> TracedAsync<T>(string operation, string streamName, StreamState expectedState, Func<Activity?, Task<T>> call)
    {
        using var activity = StartClientSpan(operation, streamName);
        try
        {
            return await call(activity).ConfigureAwait(false);
        }
        catch (RpcException exception) when (RpcErrors.Map(exception, streamName, expectedState) is { } mapped)
        {
            KurrentDBTelemetry.RecordError(activity, mapped);
            throw mapped;
        }
        catch (Exception exception)
        {
            KurrentDBTelemetry.RecordError(activity, exception);
            throw;
        }
    }
}
