using System.Diagnostics;
using System.Runtime.CompilerServices;
using EventDriven.KurrentDB.Protocol.Streams;
using Grpc.Core;

namespace EventDriven.KurrentDB.Client;

/// <summary>
/// One server-streaming <c>Read</c> call of a read (not a subscription): started on first use, its first message
/// peeked so that the result's state can be awaited before its events are enumerated, enumerable once. Its span
/// ends with the enumeration (or when the first message already says the stream does not exist).
/// </summary>
internal sealed class ReadCall(
    Func<AsyncServerStreamingCall<ReadResp>> start, Func<Activity?> startSpan, string streamName, CancellationToken cancellationToken)
{
    private Task<ReadResp?>? _first;
    private AsyncServerStreamingCall<ReadResp>? _call;
    private Activity? _activity;
    private int _enumerated;

    /// <summary>The first message that matters, or null when the call ended without one.</summary>
    public Task<ReadResp?> FirstAsync() => _first ??= ReadFirstAsync();

    public async IAsyncEnumerable<ReadResp> ReadAsync([EnumeratorCancellation] CancellationToken enumeratorToken = default)
    {
        if (Interlocked.Exchange(ref _enumerated, 1) != 0)
        {
            throw new InvalidOperationException("A read result can be enumerated only once; read again for a second pass.");
        }

        try
        {
            var first = await FirstAsync().ConfigureAwait(false);
            if (first is null)
            {
                yield break;
            }

            yield return first;
            while (await MoveNextAsync(enumeratorToken).ConfigureAwait(false) is { } message)
            {
                yield return message;
            }
        }
        finally
        {
            Finish();
        }
    }

    private async Task<ReadResp?> ReadFirstAsync()
    {
        _activity = startSpan();
        _call = start();
        var first = await MoveNextAsync(CancellationToken.None).ConfigureAwait(false);
        if (first is null || first.ContentCase == ReadResp.ContentOneofCase.StreamNotFound)
        {
            Finish();
        }

        return first;
    }

    private async Task<ReadResp?> MoveNextAsync(CancellationToken enumeratorToken)
    {
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, enumeratorToken);
            while (await _call!.ResponseStream.MoveNext(linked.Token).ConfigureAwait(false))
            {
                var message = _call.ResponseStream.Current;
                // Stream bounds (compatibility 1) and the like say nothing a reader of events needs.
                if (message.ContentCase is ReadResp.ContentOneofCase.Event or ReadResp.ContentOneofCase.StreamNotFound)
                {
                    return message;
                }
            }

            return null;
        }
        catch (RpcException exception)
        {
            var error = RpcErrors.Translate(exception, streamName);
            KurrentDBTelemetry.RecordError(_activity, error);
            Finish();
            if (ReferenceEquals(error, exception))
            {
                throw;
            }

            throw error;
        }
    }

    private void Finish()
    {
        _call?.Dispose();
        _activity?.Dispose();
    }
}
