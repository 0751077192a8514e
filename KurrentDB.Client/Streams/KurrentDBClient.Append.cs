using System.Diagnostics;
using EventDriven.KurrentDB.Protocol.Streams;
using Grpc.Core;

namespace EventDriven.KurrentDB.Client;

public sealed partial class KurrentDBClient
{
    /// <summary>
    /// Appends <paramref name="eventData"/> to <paramref name="streamName"/> atomically if the stream is in
    /// <paramref name="expectedState"/>; otherwise throws <see cref="WrongExpectedVersionException"/>. The current trace
    /// context is written into each event's JSON metadata.
    /// </summary>
    public Task<IWriteResult> AppendToStreamAsync(
        string streamName,
        StreamState expectedState,
        IEnumerable<EventData> eventData,
        TimeSpan? deadline = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamName);
        ArgumentNullException.ThrowIfNull(eventData);
        return TracedAsync<IWriteResult>("streams.append", streamName, expectedState, async activity =>
        {
            // Subscribers become children of the append span (or of the caller's span when tracing is off here).
            var traceContext = activity?.Context ?? Activity.Current?.Context ?? default;
            using var call = _streams.Append(CreateCallOptions(deadline, cancellationToken));
            var count = await WriteAsync(call, streamName, expectedState, eventData, traceContext, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("db.operation.batch.size", count);
            var response = await call.ResponseAsync.ConfigureAwait(false);
            var result = ToResult(response, streamName, expectedState);
            activity?.SetTag("db.kurrentdb.revision", result.NextExpectedStreamRevision.ToInt64());
            return result;
        });
    }

    /// <summary>Appends if the stream's last event is <paramref name="expectedRevision"/> (<see cref="StreamRevision.None"/>: no stream).</summary>
    public Task<IWriteResult> AppendToStreamAsync(
        string streamName,
        StreamRevision expectedRevision,
        IEnumerable<EventData> eventData,
        TimeSpan? deadline = null,
        CancellationToken cancellationToken = default) =>
        AppendToStreamAsync(streamName, StreamState.FromStreamRevision(expectedRevision), eventData, deadline, cancellationToken);

    private static async Task<int> WriteAsync(
        AsyncClientStreamingCall<AppendReq, AppendResp> call,
        string streamName,
        StreamState expectedState,
        IEnumerable<EventData> eventData,
        ActivityContext traceContext,
        CancellationToken cancellationToken)
    {
        var count = 0;
        try
        {
            await call.RequestStream.WriteAsync(new AppendReq { Options = ProtocolMapping.ToAppendOptions(streamName, expectedState) }, cancellationToken)
                .ConfigureAwait(false);
            foreach (var data in eventData)
            {
                await call.RequestStream.WriteAsync(new AppendReq { ProposedMessage = ProtocolMapping.ToProposedMessage(data, traceContext) }, cancellationToken)
                    .ConfigureAwait(false);
                count++;
            }

            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RpcException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            // The server ended the call early (e.g. a deleted stream); the response's status says why.
        }

        return count;
    }

    private static SuccessResult ToResult(AppendResp response, string streamName, StreamState expectedState)
    {
        switch (response.ResultCase)
        {
            case AppendResp.ResultOneofCase.Success:
                var success = response.Success;
                var revision = success.CurrentRevisionOptionCase == AppendResp.Types.Success.CurrentRevisionOptionOneofCase.CurrentRevision
                    ? new StreamRevision(success.CurrentRevision)
                    : StreamRevision.None;
                var position = success.PositionOptionCase == AppendResp.Types.Success.PositionOptionOneofCase.Position
                    ? Position.FromWire(success.Position.CommitPosition, success.Position.PreparePosition)
                    : Position.End;
                return new SuccessResult(revision, position);
            case AppendResp.ResultOneofCase.WrongExpectedVersion:
                var wrong = response.WrongExpectedVersion;
                throw new WrongExpectedVersionException(streamName, ExpectedState(wrong) ?? expectedState, ActualState(wrong));
            default:
                throw new RpcException(new Status(StatusCode.Internal, "The append response carried neither success nor wrong expected version."));
        }
    }

    private static StreamState? ExpectedState(AppendResp.Types.WrongExpectedVersion wrong) => wrong.ExpectedRevisionOptionCase switch
    {
        AppendResp.Types.WrongExpectedVersion.ExpectedRevisionOptionOneofCase.ExpectedRevision => StreamState.StreamRevision(wrong.ExpectedRevision),
        AppendResp.Types.WrongExpectedVersion.ExpectedRevisionOptionOneofCase.ExpectedAny => StreamState.Any,
        AppendResp.Types.WrongExpectedVersion.ExpectedRevisionOptionOneofCase.ExpectedStreamExists => StreamState.StreamExists,
        AppendResp.Types.WrongExpectedVersion.ExpectedRevisionOptionOneofCase.ExpectedNoStream => StreamState.NoStream,
        _ => null,
    };

    // Servers before 20.6 filled only the first set of fields.
    private static StreamState ActualState(AppendResp.Types.WrongExpectedVersion wrong) => wrong.CurrentRevisionOptionCase switch
    {
        AppendResp.Types.WrongExpectedVersion.CurrentRevisionOptionOneofCase.CurrentRevision => StreamState.StreamRevision(wrong.CurrentRevision),
        AppendResp.Types.WrongExpectedVersion.CurrentRevisionOptionOneofCase.CurrentNoStream => StreamState.NoStream,
        _ when wrong.CurrentRevisionOption2060Case == AppendResp.Types.WrongExpectedVersion.CurrentRevisionOption2060OneofCase.CurrentRevision2060
            => StreamState.StreamRevision(wrong.CurrentRevision2060),
        _ => StreamState.NoStream,
    };
}
