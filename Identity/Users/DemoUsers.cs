using EventDriven.Identity.Clients;
using Microsoft.AspNetCore.Identity;

namespace EventDriven.Identity.Users;

/// <summary>
/// The roles, and in development the demo users from configuration (<c>Identity:DemoUsers</c>): created with their
/// stable ids, and their password, role and unlocked state restored on every start so that the documented demo
/// credentials always work. Outside development no user is seeded.
/// </summary>
internal sealed class DemoUsers(UserManager<IdentityUser> users, RoleManager<IdentityRole> roles, IdentitySettings settings, IHostEnvironment environment)
{
    public async Task EnsureAsync()
    {
        foreach (var role in new[] { ClientCatalog.Roles.Customer, ClientCatalog.Roles.Operator })
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Check(await roles.CreateAsync(new IdentityRole(role)), $"role {role}");
            }
        }

        if (!environment.IsDevelopment())
        {
            return;
        }

        foreach (var demo in settings.DemoUsers)
        {
            var user = await users.FindByIdAsync(demo.Id);
            if (user is null)
            {
                user = new IdentityUser { Id = demo.Id, UserName = demo.Email, Email = demo.Email, EmailConfirmed = true };
                Check(await users.CreateAsync(user, demo.Password), $"demo user {demo.Id}");
            }
            else if (!await users.CheckPasswordAsync(user, demo.Password))
            {
                Check(await users.RemovePasswordAsync(user), $"demo user {demo.Id}");
                Check(await users.AddPasswordAsync(user, demo.Password), $"demo user {demo.Id}");
            }

            await users.SetLockoutEndDateAsync(user, null);
            await users.ResetAccessFailedCountAsync(user);
            foreach (var other in (await users.GetRolesAsync(user)).Where(r => r != demo.Role))
            {
                Check(await users.RemoveFromRoleAsync(user, other), $"demo user {demo.Id}");
            }

            if (!await users.IsInRoleAsync(user, demo.Role))
            {
                Check(await users.AddToRoleAsync(user, demo.Role), $"demo user {demo.Id}");
            }
        }
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            // Codes only: a description may repeat the user's e-mail.
            throw new InvalidOperationException($"Could not seed {what}: {string.Join(", ", result.Errors.Select(e => e.Code))}.");
        }
    }
}
