using System.Security.Cryptography;
using System.Text;

namespace EventDriven.Contracts;

/// <summary>
/// Deterministic event ids: a name-based UUID (RFC 9562 version 8, from SHA-256) of an id and a name. The same step of
/// the same transaction, or the same alert for the same event, always gets the same id, so a repeat is recognised by
/// the event store and by consumers that deduplicate on event ids.
/// </summary>
public static class NameBasedId
{
    public static Guid From(Guid id, string name)
    {
        Span<byte> input = stackalloc byte[16 + Encoding.UTF8.GetMaxByteCount(name.Length)];
        id.TryWriteBytes(input, bigEndian: true, out _);
        var length = 16 + Encoding.UTF8.GetBytes(name, input[16..]);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input[..length], hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(hash[..16], bigEndian: true);
    }
}
