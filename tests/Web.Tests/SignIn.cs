using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EventDriven.Web.Tests;

/// <summary>The demo users Identity seeds in development (README, "Signing in").</summary>
public sealed record Person(string Email, string Password, string Role)
{
    public static readonly Person Customer = new("customer@eventdriven.local", "customer-demo-password", "customer");
    public static readonly Person Operator = new("operator@eventdriven.local", "operator-demo-password", "operator");
}

/// <summary>Signing in as a person would: the web app sends the browser to Identity's form, which sends it back.</summary>
internal static partial class SignIn
{
    [GeneratedRegex(@"/account/signin\?")]
    public static partial Regex SignInPage();

    /// <summary>From a browser no one is signed in with: any page of the web app leads to the form; signed in, back to that page.</summary>
    public static async Task AsAsync(IPage page, Person person)
    {
        await page.GotoAsync("/accounts");
        await FillFormAsync(page, person);
        await Expect(page).ToHaveURLAsync(new Regex(@"/accounts$"));
        await Expect(page.GetByTestId("role")).ToHaveTextAsync(person.Role);
    }

    public static async Task FillFormAsync(IPage page, Person person)
    {
        await Expect(page).ToHaveURLAsync(SignInPage());
        await page.GetByLabel("E-mail").FillAsync(person.Email);
        await page.GetByLabel("Password").FillAsync(person.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }
}
