using Microsoft.Extensions.Logging;

namespace EventDriven.LocalKurrentDB.Storage;

public sealed partial class EventLog
{
    private abstract record WriteRequest(string Stream, ExpectedState Expected)
    {
        public TaskCompletionSource<object> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public sealed record Append(string Stream, ExpectedState Expected, IReadOnlyList<ProposedEvent> Events) : WriteRequest(Stream, Expected);

        public sealed record Delete(string Stream, ExpectedState Expected, bool Tombstone) : WriteRequest(Stream, Expected);
    }

    /// <summary>A batch's decisions so far: streams as they will be once the batch is on disk.</summary>
    private sealed class PendingBatch
    {
        public Dictionary<string, (StreamRevisionState State, bool Tombstoned, ulong? LastRevision)> Streams { get; } = new(StringComparer.Ordinal);

        public List<(WriteRequest Request, object Outcome, List<EventRecord> Events, LogRecordCodec.Kind? Deletion, ulong DeletionRevision)> Decided { get; } = [];
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<WriteRequest>(MaxBatch);
        while (await _requests.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _requests.Reader.TryRead(out var request))
            {
                batch.Add(request);
            }

            try
            {
                WriteBatch(batch);
            }
            catch (Exception exception)
            {
                // Nothing of a failed batch is visible or acknowledged; the file is cut back to the last good record.
                LogWriteFailed(_logger, exception);
                RollBackTo(EndPosition);
                foreach (var request in batch)
                {
                    request.Completion.TrySetException(exception);
                }
            }
        }
    }

    private void WriteBatch(List<WriteRequest> requests)
    {
        var pending = new PendingBatch();
        using var buffer = new MemoryStream();
        var position = EndPosition;
        var now = _time.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks;

        foreach (var request in requests)
        {
            var (state, tombstoned, lastRevision) = CurrentState(pending, request.Stream);
            switch (request)
            {
                case WriteRequest.Append append:
                    DecideAppend(pending, buffer, ref position, append, state, tombstoned, lastRevision, now);
                    break;
                case WriteRequest.Delete delete:
                    DecideDelete(pending, buffer, ref position, delete, state, tombstoned, lastRevision);
                    break;
            }
        }

        if (buffer.Length > 0)
        {
            _file.Seek((long)EndPosition, SeekOrigin.Begin);
            buffer.Position = 0;
            buffer.CopyTo(_file);
            _file.Flush(flushToDisk: true);
        }

        Publish(pending, position);
    }

    private void DecideAppend(PendingBatch pending, MemoryStream buffer, ref ulong position, WriteRequest.Append append,
        StreamRevisionState state, bool tombstoned, ulong? lastRevision, long now)
    {
        if (tombstoned)
        {
            pending.Decided.Add((append, new AppendOutcome.StreamDeleted(append.Stream), [], null, 0));
            return;
        }

        if (!Matches(append.Expected, state))
        {
            // A re-sent append of events already written answers as the first one did.
            var outcome = IdempotentReplay(append, pending) ?? (AppendOutcome)new AppendOutcome.WrongExpectedVersion(state, append.Expected);
            pending.Decided.Add((append, outcome, [], null, 0));
            return;
        }

        if (append.Events.Count == 0)
        {
            pending.Decided.Add((append, new AppendOutcome.Success(state.Revision, position), [], null, 0));
            return;
        }

        if (append.Expected is ExpectedState.Any && IdempotentReplay(append, pending) is { } replay)
        {
            pending.Decided.Add((append, replay, [], null, 0));
            return;
        }

        var records = new List<EventRecord>(append.Events.Count);
        var revision = lastRevision is { } last ? last + 1 : 0;
        foreach (var proposed in append.Events)
        {
            records.Add(new EventRecord(append.Stream, revision, proposed.EventId, proposed.EventType, proposed.ContentType, now, proposed.CustomMetadata, proposed.Data)
            {
                Position = position,
            });
            var before = buffer.Length;
            LogRecordCodec.WriteEvent(buffer, append.Stream, revision, proposed, now);
            position += (ulong)(buffer.Length - before);
            revision++;
        }

        var newLast = revision - 1;
        pending.Streams[append.Stream] = (new StreamRevisionState(newLast), false, newLast);
        pending.Decided.Add((append, new AppendOutcome.Success(newLast, records[^1].Position), records, null, 0));
    }

    private static void DecideDelete(PendingBatch pending, MemoryStream buffer, ref ulong position, WriteRequest.Delete delete,
        StreamRevisionState state, bool tombstoned, ulong? lastRevision)
    {
        if (tombstoned)
        {
            pending.Decided.Add((delete, new DeleteOutcome.StreamDeleted(delete.Stream), [], null, 0));
            return;
        }

        if (!Matches(delete.Expected, state))
        {
            pending.Decided.Add((delete, new DeleteOutcome.WrongExpectedVersion(state, delete.Expected), [], null, 0));
            return;
        }

        var kind = delete.Tombstone ? LogRecordCodec.Kind.Tombstone : LogRecordCodec.Kind.Delete;
        var revision = lastRevision ?? ulong.MaxValue;
        var at = position;
        var before = buffer.Length;
        LogRecordCodec.WriteDeletion(buffer, kind, delete.Stream, revision);
        position += (ulong)(buffer.Length - before);
        pending.Streams[delete.Stream] = (StreamRevisionState.NoStream, delete.Tombstone, lastRevision);
        pending.Decided.Add((delete, new DeleteOutcome.Success(at), [], kind, revision));
    }

    private (StreamRevisionState State, bool Tombstoned, ulong? LastRevision) CurrentState(PendingBatch pending, string stream)
    {
        if (pending.Streams.TryGetValue(stream, out var inBatch))
        {
            return inBatch;
        }

        lock (_gate)
        {
            return _streams.TryGetValue(stream, out var index)
                ? (index.State, index.Tombstoned, index.LastRevision)
                : (StreamRevisionState.NoStream, false, null);
        }
    }

    private static bool Matches(ExpectedState expected, StreamRevisionState state) => expected switch
    {
        ExpectedState.Any => true,
        ExpectedState.NoStream => state.Revision is null,
        ExpectedState.StreamExists => state.Revision is not null,
        ExpectedState.Revision r => state.Revision == r.Value,
        _ => false,
    };

    /// <summary>
    /// When the proposed events are exactly events the stream already has, in order (a client re-sending an append
    /// whose answer it lost), the outcome of the original append; else null. Only committed events count.
    /// </summary>
    private AppendOutcome.Success? IdempotentReplay(WriteRequest.Append append, PendingBatch pending)
    {
        if (append.Events.Count == 0 || pending.Streams.ContainsKey(append.Stream))
        {
            return null;
        }

        lock (_gate)
        {
            if (!_streams.TryGetValue(append.Stream, out var index) || index.Events.Count == 0)
            {
                return null;
            }

            var first = _all[index.Events[0]].Revision;
            var start = append.Expected switch
            {
                ExpectedState.NoStream => 0,
                ExpectedState.Revision r => (long)(r.Value + 1 - first),
                _ => index.Events.FindIndex(i => _all[i].EventId == append.Events[0].EventId),
            };
            if (start < 0 || start + append.Events.Count > index.Events.Count)
            {
                return null;
            }

            for (var i = 0; i < append.Events.Count; i++)
            {
                if (_all[index.Events[(int)start + i]].EventId != append.Events[i].EventId)
                {
                    return null;
                }
            }

            var last = _all[index.Events[(int)start + append.Events.Count - 1]];
            return new AppendOutcome.Success(last.Revision, last.Position);
        }
    }

    /// <summary>Makes a written batch visible, then answers its callers and wakes subscriptions.</summary>
    private void Publish(PendingBatch pending, ulong endPosition)
    {
        TaskCompletionSource committed;
        lock (_gate)
        {
            foreach (var (request, _, events, deletion, revision) in pending.Decided)
            {
                foreach (var record in events)
                {
                    Apply(record);
                }

                if (deletion is { } kind)
                {
                    ApplyDeletion(kind, request.Stream, revision);
                }
            }

            EndPosition = endPosition;
            committed = _committed;
            _committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        foreach (var (request, outcome, _, _, _) in pending.Decided)
        {
            request.Completion.TrySetResult(outcome);
        }

        committed.TrySetResult();
    }

    private void Apply(EventRecord record)
    {
        if (!_streams.TryGetValue(record.Stream, out var index))
        {
            _streams[record.Stream] = index = new StreamIndex();
        }

        _all.Add(record);
        index.Events.Add(_all.Count - 1);
        index.LastRevision = record.Revision;
    }

    private void ApplyDeletion(LogRecordCodec.Kind kind, string stream, ulong revision)
    {
        if (!_streams.TryGetValue(stream, out var index))
        {
            _streams[stream] = index = new StreamIndex();
        }

        index.Events.Clear();
        index.LastRevision = revision == ulong.MaxValue ? index.LastRevision : revision;
        index.Tombstoned |= kind == LogRecordCodec.Kind.Tombstone;
    }

    /// <summary>
    /// Reads the file from the start. What follows the last whole record is a torn write (a crash before the fsync,
    /// never acknowledged) only when no whole record comes after it: then it is reported and cut off, never served.
    /// A damaged record with whole records after it is corruption of acknowledged data: the log refuses to open,
    /// naming the position, and deletes nothing.
    /// </summary>
    private void Recover(string path)
    {
        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1 << 20);
        var length = reader.Length;
        long offset = 0;
        lock (_gate)
        {
            while (LogRecordCodec.TryRead(reader, offset, length) is { } record)
            {
                if (record.Entry.Event is { } @event)
                {
                    Apply(@event with { Position = (ulong)offset });
                }
                else
                {
                    ApplyDeletion(record.Entry.Kind, record.Entry.Stream, record.Entry.Revision);
                }

                offset += record.Length;
            }

            EndPosition = (ulong)offset;
        }

        if (offset < length)
        {
            for (var next = offset + 1; next <= length - LogRecordCodec.HeaderSize; next++)
            {
                if (LogRecordCodec.TryRead(reader, next, length) is not null)
                {
                    throw new InvalidDataException(
                        $"The event log {path} is damaged at position {offset}, and whole records follow (the next at position {next}): " +
                        "acknowledged events would be lost by cutting it, so nothing was changed. Restore the file from a copy, or move it aside to start empty.");
                }
            }

            LogTornTail(_logger, length - offset, offset);
            RollBackTo((ulong)offset);
        }

        LogRecovered(_logger, _all.Count, _streams.Count, offset);
    }

    private void RollBackTo(ulong position)
    {
        _file.SetLength((long)position);
        _file.Flush(flushToDisk: true);
    }

    [LoggerMessage(LogLevel.Warning, "Cut {Bytes} bytes of an incomplete or corrupt write from the end of the log (at position {Position})")]
    private static partial void LogTornTail(ILogger logger, long bytes, long position);

    [LoggerMessage(LogLevel.Information, "Recovered {Events} events in {Streams} streams ({Bytes} bytes)")]
    private static partial void LogRecovered(ILogger logger, int events, int streams, long bytes);

    [LoggerMessage(LogLevel.Error, "Writing a batch failed; none of it was acknowledged")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception);
}
