using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace EventDriven.Identity.Keys;

/// <summary>
/// Hands OpenIddict the stored keys. Its options are built on the first request, after <see cref="Storage.IdentityStartup"/>
/// loaded the keys (hosted services start before the server takes requests).
/// </summary>
internal sealed class ServerKeysConfiguration(IdentityKeys keys) : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        options.SigningCredentials.Add(new SigningCredentials(keys.Signing, SecurityAlgorithms.RsaSha256));
        options.EncryptionCredentials.Add(new EncryptingCredentials(keys.Encryption, SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512));
    }
}
