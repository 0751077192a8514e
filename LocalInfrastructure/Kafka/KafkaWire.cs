using System.Buffers.Binary;

namespace EventDriven.LocalKafka;

/// <summary>
/// The little of Kafka's wire protocol the broker proxy reads: a request's API key, version and correlation id; a
/// Fetch request's wait; and whether a Fetch response carries anything (records or an error). Frames are given without
/// their 4-byte size prefix. See Kafka's protocol guide: request header v1/v2, Fetch v4–v16.
/// </summary>
internal static class KafkaWire
{
    public const short ProduceKey = 0;
    public const short FetchKey = 1;

    /// <summary>Fetch versions whose layout is read here; others pass through untouched.</summary>
    private const short FirstFetchVersion = 4;
    private const short LastFetchVersion = 16;
    private const short FirstFlexibleFetchVersion = 12;

    public static short ApiKey(ReadOnlySpan<byte> request) => BinaryPrimitives.ReadInt16BigEndian(request);

    public static short ApiVersion(ReadOnlySpan<byte> request) => BinaryPrimitives.ReadInt16BigEndian(request[2..]);

    public static int CorrelationId(ReadOnlySpan<byte> frame, bool isResponse) =>
        BinaryPrimitives.ReadInt32BigEndian(isResponse ? frame : frame[4..]);

    /// <summary>
    /// For a Fetch request of a version read here that would wait for data: its wait (ms), after setting the wait in
    /// the frame to zero, so that the broker answers at once. Otherwise null, and the frame is unchanged.
    /// </summary>
    public static int? TakeFetchWait(Span<byte> request)
    {
        var version = ApiVersion(request);
        if (ApiKey(request) != FetchKey || version is < FirstFetchVersion or > LastFetchVersion)
        {
            return null;
        }

        var reader = new Reader(request) { Position = 8 };
        reader.SkipNullableString(); // client_id: a classic nullable string in both header versions
        if (version >= FirstFlexibleFetchVersion)
        {
            reader.SkipTaggedFields();
        }

        // replica_id (int32) comes before max_wait_ms up to v14; from v15 it is a tagged field.
        var waitAt = reader.Position + (version < 15 ? 4 : 0);
        var wait = BinaryPrimitives.ReadInt32BigEndian(request[waitAt..]);
        if (wait <= 0)
        {
            return null;
        }

        BinaryPrimitives.WriteInt32BigEndian(request[waitAt..], 0);
        return wait;
    }

    /// <summary>True when a Fetch response (of <paramref name="version"/>) has no records and no error in it.</summary>
    public static bool IsEmptyFetchResponse(ReadOnlySpan<byte> response, short version)
    {
        var flexible = version >= FirstFlexibleFetchVersion;
        var reader = new Reader(response) { Position = 4 }; // correlation_id
        if (flexible)
        {
            reader.SkipTaggedFields(); // response header v1
        }

        reader.Skip(4); // throttle_time_ms
        if (version >= 7)
        {
            if (reader.Int16() != 0)
            {
                return false;
            }

            reader.Skip(4); // session_id
        }

        for (var topics = reader.ArrayLength(flexible); topics > 0; topics--)
        {
            if (version >= 13)
            {
                reader.Skip(16); // topic_id
            }
            else if (flexible)
            {
                reader.SkipCompactString();
            }
            else
            {
                reader.SkipNullableString();
            }

            for (var partitions = reader.ArrayLength(flexible); partitions > 0; partitions--)
            {
                reader.Skip(4); // partition_index
                if (reader.Int16() != 0)
                {
                    return false;
                }

                reader.Skip(8 + 8 + 8); // high_watermark, last_stable_offset, log_start_offset
                for (var aborted = reader.ArrayLength(flexible); aborted > 0; aborted--)
                {
                    reader.Skip(8 + 8); // producer_id, first_offset
                    if (flexible)
                    {
                        reader.SkipTaggedFields();
                    }
                }

                if (version >= 11)
                {
                    reader.Skip(4); // preferred_read_replica
                }

                var records = flexible ? (int)reader.UnsignedVarint() - 1 : reader.Int32();
                if (records > 0)
                {
                    return false;
                }

                if (flexible)
                {
                    reader.SkipTaggedFields();
                }
            }

            if (flexible)
            {
                reader.SkipTaggedFields();
            }
        }

        return true;
    }

    private ref struct Reader(ReadOnlySpan<byte> buffer)
    {
        private readonly ReadOnlySpan<byte> _buffer = buffer;

        public int Position { get; set; }

        public void Skip(int count)
        {
            if (count < 0 || Position + count > _buffer.Length)
            {
                throw new FormatException("A Kafka frame ended early.");
            }

            Position += count;
        }

        public short Int16()
        {
            var value = BinaryPrimitives.ReadInt16BigEndian(_buffer[Position..]);
            Position += 2;
            return value;
        }

        public int Int32()
        {
            var value = BinaryPrimitives.ReadInt32BigEndian(_buffer[Position..]);
            Position += 4;
            return value;
        }

        public uint UnsignedVarint()
        {
            uint value = 0;
            for (var shift = 0; shift < 35; shift += 7)
            {
                var b = _buffer[Position++];
                value |= (uint)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }

            throw new FormatException("A Kafka varint is too long.");
        }

        /// <summary>An array's length: int32 (−1 = null) or, in flexible versions, an unsigned varint of length + 1 (0 = null).</summary>
        public int ArrayLength(bool flexible) => flexible ? (int)UnsignedVarint() - 1 : Int32();

        public void SkipNullableString() => Skip(Math.Max(0, (int)Int16()));

        public void SkipCompactString() => Skip(Math.Max(0, (int)UnsignedVarint() - 1));

        public void SkipTaggedFields()
        {
            for (var fields = UnsignedVarint(); fields > 0; fields--)
            {
                UnsignedVarint(); // tag
                Skip((int)UnsignedVarint());
            }
        }
    }
}
