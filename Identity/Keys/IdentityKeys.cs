using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace EventDriven.Identity.Keys;

/// <summary>
/// The server's signing key (access and identity tokens, RS256) and encryption key (authorization codes and refresh
/// tokens, RSA-OAEP), generated on first start and kept in Identity's own database, never in the repository or on
/// disk. Every instance reads the same pair, so a token one instance issued validates at another and after a restart.
/// Two instances starting on an empty table both generate a key; the first insert wins and both use the stored one.
/// </summary>
public sealed class IdentityKeys
{
    public const string Table = "identity_keys";

    private const string Script = $"""
        CREATE TABLE IF NOT EXISTS {Table} (
            purpose     text PRIMARY KEY,
            key_id      text NOT NULL,
            private_key text NOT NULL,
            created_at  timestamptz NOT NULL DEFAULT now()
        );
        """;

    private RsaSecurityKey? _signing;
    private RsaSecurityKey? _encryption;

    public RsaSecurityKey Signing => _signing ?? throw NotLoaded();

    public RsaSecurityKey Encryption => _encryption ?? throw NotLoaded();

    /// <summary>Reads the stored keys, generating and storing any that is missing.</summary>
    public async Task LoadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using (var create = new NpgsqlCommand(Script, connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        _signing = await LoadOrCreateAsync(connection, "signing", cancellationToken);
        _encryption = await LoadOrCreateAsync(connection, "encryption", cancellationToken);
    }

    private static async Task<RsaSecurityKey> LoadOrCreateAsync(NpgsqlConnection connection, string purpose, CancellationToken cancellationToken)
    {
        using (var generated = RSA.Create(2048))
        {
            await using var insert = new NpgsqlCommand($"INSERT INTO {Table} (purpose, key_id, private_key) VALUES ($1, $2, $3) ON CONFLICT (purpose) DO NOTHING", connection)
            {
                Parameters =
                {
                    new() { Value = purpose },
                    new() { Value = $"{purpose}-{Guid.NewGuid():N}" },
                    new() { Value = generated.ExportPkcs8PrivateKeyPem() },
                },
            };
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var select = new NpgsqlCommand($"SELECT key_id, private_key FROM {Table} WHERE purpose = $1", connection) { Parameters = { new() { Value = purpose } } };
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var rsa = RSA.Create();
        rsa.ImportFromPem(reader.GetString(1));
        return new RsaSecurityKey(rsa) { KeyId = reader.GetString(0) };
    }

    private static InvalidOperationException NotLoaded() =>
        new("Identity's keys are read on start (IdentityStartup); nothing may issue tokens before it ran.");
}
