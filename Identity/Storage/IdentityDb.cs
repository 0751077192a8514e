using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace EventDriven.Identity.Storage;

/// <summary>
/// Identity's database (<c>identitydb</c>): ASP.NET Core Identity's users and roles, and OpenIddict's applications,
/// scopes, authorizations and tokens (added by <c>UseOpenIddict()</c> on the options). The schema is the libraries'
/// own; <see cref="IdentityStartup"/> creates it.
/// </summary>
public sealed class IdentityDb(DbContextOptions<IdentityDb> options) : IdentityDbContext<IdentityUser, IdentityRole, string>(options)
{
    public const string ConnectionName = "identitydb";
}
