using System.Text.Json;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;

namespace EventDriven.Accounts.Outbox;

/// <summary>The fields that differ between two snapshots, by dotted path; bookkeeping fields (version, times) aside.</summary>
internal static class SnapshotDiff
{
    private static readonly HashSet<string> Bookkeeping = ["version", "updatedAt", "openedAt"];

    public static IReadOnlyList<FieldChange> Changes(AccountSnapshot? before, AccountSnapshot after)
    {
        var old = Flatten(before);
        var @new = Flatten(after);
        return [.. @new.Keys.Union(old.Keys)
            .Where(field => !Bookkeeping.Contains(field))
            .Select(field => new FieldChange(field, old.GetValueOrDefault(field), @new.GetValueOrDefault(field)))
            .Where(change => change.Old != change.New)
            .OrderBy(change => change.Field, StringComparer.Ordinal)];
    }

    private static Dictionary<string, string?> Flatten(AccountSnapshot? snapshot)
    {
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (snapshot is not null)
        {
            Flatten(JsonSerializer.SerializeToElement(snapshot, ContractJson.Options), prefix: null, fields);
        }

        return fields;
    }

    private static void Flatten(JsonElement element, string? prefix, Dictionary<string, string?> fields)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                Flatten(property.Value, prefix is null ? property.Name : $"{prefix}.{property.Name}", fields);
            }
        }
        else
        {
            fields[prefix!] = element.ValueKind == JsonValueKind.Null ? null : element.ToString();
        }
    }
}
