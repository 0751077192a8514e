using System.Text.Json;

namespace EventDriven.Contracts.Accounts;

/// <summary>
/// An account as its fields by dotted path (<c>address.city</c>), the way <see cref="AccountDelta"/> names them:
/// bookkeeping (version, times) aside, and a field that is null simply absent. Deltas are computed from it, and the
/// three event styles' copies of an account compare in it.
/// </summary>
public static class AccountFields
{
    private static readonly HashSet<string> Bookkeeping = ["version", "updatedAt", "openedAt"];

    public static SortedDictionary<string, string> Of(AccountSnapshot? snapshot)
    {
        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (snapshot is not null)
        {
            Flatten(JsonSerializer.SerializeToElement(snapshot, ContractJson.Options), prefix: null, fields);
        }

        return fields;
    }

    /// <summary>The fields that differ between two snapshots, in field order.</summary>
    public static IReadOnlyList<FieldChange> Changes(AccountSnapshot? before, AccountSnapshot after)
    {
        var old = Of(before);
        var @new = Of(after);
        return [.. @new.Keys.Union(old.Keys)
            .Select(field => new FieldChange(field, old.GetValueOrDefault(field), @new.GetValueOrDefault(field)))
            .Where(change => change.Old != change.New)
            .OrderBy(change => change.Field, StringComparer.Ordinal)];
    }

    private static void Flatten(JsonElement element, string? prefix, SortedDictionary<string, string> fields)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                Flatten(property.Value, prefix is null ? property.Name : $"{prefix}.{property.Name}", fields);
            }
        }
        else if (element.ValueKind != JsonValueKind.Null && !Bookkeeping.Contains(prefix!))
        {
            fields[prefix!] = element.ToString();
        }
    }
}
