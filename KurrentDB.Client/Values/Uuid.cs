using System.Buffers.Binary;
using EventDriven.KurrentDB.Protocol;

namespace EventDriven.KurrentDB.Client;

/// <summary>An event id: a RFC 4122 UUID, as the KurrentDB wire format carries it.</summary>
public readonly struct Uuid : IEquatable<Uuid>
{
    private readonly Guid _value;

    private Uuid(Guid value) => _value = value;

    /// <summary>The nil UUID.</summary>
    public static readonly Uuid Empty = new(Guid.Empty);

    /// <summary>A new random (version 4) UUID.</summary>
    public static Uuid NewUuid() => new(Guid.NewGuid());

    public static Uuid FromGuid(Guid value) => new(value);

    /// <summary>The UUID whose RFC 4122 bytes are the big-endian halves <paramref name="mostSignificantBits"/> and <paramref name="leastSignificantBits"/>.</summary>
    public static Uuid FromInt64(long mostSignificantBits, long leastSignificantBits)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, mostSignificantBits);
        BinaryPrimitives.WriteInt64BigEndian(bytes[8..], leastSignificantBits);
        return new Uuid(new Guid(bytes, bigEndian: true));
    }

    public static Uuid Parse(string value) => new(Guid.Parse(value));

    public Guid ToGuid() => _value;

    /// <summary>The big-endian halves of the RFC 4122 bytes (the textual form's hex order, not <see cref="Guid.ToByteArray()"/>'s).</summary>
    public (long MostSignificantBits, long LeastSignificantBits) ToInt64()
    {
        Span<byte> bytes = stackalloc byte[16];
        _value.TryWriteBytes(bytes, bigEndian: true, out _);
        return (BinaryPrimitives.ReadInt64BigEndian(bytes), BinaryPrimitives.ReadInt64BigEndian(bytes[8..]));
    }

    /// <summary>The lower-case hyphenated form, e.g. <c>6f4e2a1c-…</c>.</summary>
    public override string ToString() => _value.ToString("D");

    public string ToString(string format) => _value.ToString(format);

    public bool Equals(Uuid other) => _value.Equals(other._value);

    public override bool Equals(object? obj) => obj is Uuid other && Equals(other);

    public override int GetHashCode() => _value.GetHashCode();

    public static bool operator ==(Uuid left, Uuid right) => left.Equals(right);

    public static bool operator !=(Uuid left, Uuid right) => !left.Equals(right);

    // The string form is what the official clients send and every server accepts.
    internal UUID ToDto() => new() { String = ToString() };

    internal static Uuid FromDto(UUID? dto) => dto?.ValueCase switch
    {
        UUID.ValueOneofCase.String => Parse(dto.String),
        UUID.ValueOneofCase.Structured => FromInt64(dto.Structured.MostSignificantBits, dto.Structured.LeastSignificantBits),
        _ => Empty,
    };
}
