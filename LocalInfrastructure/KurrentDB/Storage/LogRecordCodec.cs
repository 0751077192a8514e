using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace EventDriven.LocalKurrentDB.Storage;

/// <summary>
/// The log's record format: <c>[u32 length][u32 crc32 of payload][payload]</c>, little-endian. A record whose length
/// runs past the end of the file, or whose checksum does not match, is damaged: a torn write when nothing whole follows
/// it (recovery cuts the log there), corruption otherwise (recovery refuses).
/// </summary>
internal static class LogRecordCodec
{
    public const int HeaderSize = 8;
    public const int MaxPayload = 64 * 1024 * 1024;

    public enum Kind : byte
    {
        Event = 1,
        Delete = 2,
        Tombstone = 3,
    }

    public static void WriteEvent(Stream output, string stream, ulong revision, ProposedEvent proposed, long createdTicks)
    {
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write((byte)Kind.Event);
            writer.Write(stream);
            writer.Write(revision);
            writer.Write(proposed.EventId.ToByteArray());
            writer.Write(createdTicks);
            writer.Write(proposed.EventType);
            writer.Write(proposed.ContentType);
            WriteBytes(writer, proposed.CustomMetadata.Span);
            WriteBytes(writer, proposed.Data.Span);
        }

        WriteFramed(output, payload);
    }

    /// <summary>A soft delete (<paramref name="kind"/> Delete: the stream's events up to <paramref name="revision"/> are gone) or a tombstone.</summary>
    public static void WriteDeletion(Stream output, Kind kind, string stream, ulong revision)
    {
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write((byte)kind);
            writer.Write(stream);
            writer.Write(revision);
        }

        WriteFramed(output, payload);
    }

    /// <summary>
    /// The record at <paramref name="offset"/> of a file <paramref name="fileLength"/> bytes long, with its length on
    /// disk; null when it is incomplete or its checksum does not match.
    /// </summary>
    public static (LogEntry Entry, long Length)? TryRead(FileStream file, long offset, long fileLength)
    {
        if (fileLength - offset < HeaderSize)
        {
            return null;
        }

        Span<byte> header = stackalloc byte[HeaderSize];
        file.Position = offset;
        file.ReadExactly(header);
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        var checksum = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        if (length <= 0 || length > MaxPayload || fileLength - offset - HeaderSize < length)
        {
            return null;
        }

        var payload = new byte[length];
        file.ReadExactly(payload);
        return Crc32.HashToUInt32(payload) == checksum ? (Decode(payload), HeaderSize + (long)length) : null;
    }

    private static LogEntry Decode(byte[] payload)
    {
        using var reader = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
        var kind = (Kind)reader.ReadByte();
        var stream = reader.ReadString();
        var revision = reader.ReadUInt64();
        if (kind != Kind.Event)
        {
            return new LogEntry(kind, stream, revision, null);
        }

        var eventId = new Guid(reader.ReadBytes(16));
        var created = reader.ReadInt64();
        var type = reader.ReadString();
        var contentType = reader.ReadString();
        var metadata = ReadBytes(reader);
        var data = ReadBytes(reader);
        return new LogEntry(kind, stream, revision, new EventRecord(stream, revision, eventId, type, contentType, created, metadata, data));
    }

    private static void WriteFramed(Stream output, MemoryStream payload)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        var bytes = payload.GetBuffer().AsSpan(0, (int)payload.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header, bytes.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32.HashToUInt32(bytes));
        output.Write(header);
        output.Write(bytes);
    }

    private static void WriteBytes(BinaryWriter writer, ReadOnlySpan<byte> bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    private static byte[] ReadBytes(BinaryReader reader) => reader.ReadBytes(reader.ReadInt32());
}

internal readonly record struct LogEntry(LogRecordCodec.Kind Kind, string Stream, ulong Revision, EventRecord? Event);
