using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static EventDriven.Web.Tests.AccountPages;
using static Microsoft.Playwright.Assertions;

namespace EventDriven.Web.Tests;

/// <summary>Who sees what: no one without signing in, a customer their own accounts, an operator the operations.</summary>
[Collection(nameof(WebAppCollection))]
public sealed partial class SignInTests(WebAppFixture fixture)
{
    [GeneratedRegex(@"/accounts/([0-9a-f-]{36})$")]
    private static partial Regex AccountUrl();

    [Fact]
    public async Task An_anonymous_visit_to_any_page_goes_to_the_sign_in_page_and_comes_back_there_signed_in()
    {
        var page = await fixture.NewAnonymousPageAsync();
        await page.GotoAsync("/styles");

        await Expect(page).ToHaveURLAsync(SignIn.SignInPage());
        Assert.StartsWith(fixture.IdentityAddress.GetLeftPart(UriPartial.Authority), page.Url, StringComparison.Ordinal);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();

        await SignIn.FillFormAsync(page, Person.Customer);
        await Expect(page).ToHaveURLAsync(new Regex("/styles$"));
        await Expect(page.GetByTestId("role")).ToHaveTextAsync("customer");
    }

    [Fact]
    public async Task A_customer_sees_only_their_own_accounts_and_another_persons_account_is_not_found()
    {
        var ct = TestContext.Current.CancellationToken;
        // Someone else's account, opened through Account's API with the operator's token: the operator owns it.
        var othersName = $"Operator Owned {Guid.NewGuid():N}"[..24];
        using var account = await fixture.CreateHttpClientAsync("account", Person.Operator);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/accounts")
        {
            Content = JsonContent.Create(new
            {
                ownerName = othersName, email = "someone-else@example.com", currency = "EUR",
                address = new { street = "Other Street 2", city = "Delft", postalCode = "2611 AA", country = "NL" },
            }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var opened = await account.SendAsync(request, ct);
        Assert.Equal(System.Net.HttpStatusCode.Created, opened.StatusCode);
        var othersId = (await opened.Content.ReadFromJsonAsync<Opened>(ct))!.AccountId;

        var page = await fixture.NewPageAsync(Person.Customer);
        var ownName = $"Customer Owned {Guid.NewGuid():N}"[..24];
        var ownId = await OpenAccountAsync(page, ownName);

        await page.GotoAsync("/accounts");
        var list = page.GetByTestId("accounts");
        await page.GetByLabel("Owner", new() { Exact = true }).FillAsync(ownName);
        await Expect(list.Locator($"a[href='/accounts/{ownId}']")).ToBeVisibleAsync();
        await page.GetByLabel("Owner", new() { Exact = true }).FillAsync(othersName);
        await Expect(list.GetByTestId("accounts-empty")).ToHaveTextAsync("No account matches these filters.");
        await Expect(list.Locator($"a[href='/accounts/{othersId}']")).ToHaveCountAsync(0);

        await page.GotoAsync($"/accounts/{othersId}");
        await Expect(page.GetByTestId("account-not-found")).ToBeVisibleAsync();
        await Expect(page.GetByText(othersName)).ToHaveCountAsync(0);
        await ScreenshotAsync(page, "customer-others-account");

        // The operator sees both.
        var operatorPage = await fixture.NewPageAsync(Person.Operator);
        await operatorPage.GotoAsync($"/accounts/{ownId}");
        await Expect(operatorPage.GetByTestId("account-status")).ToHaveTextAsync("open");
        await operatorPage.GotoAsync($"/accounts/{othersId}");
        await Expect(operatorPage.GetByTestId("account-status")).ToHaveTextAsync("open");
    }

    [Fact]
    public async Task The_operator_sees_operations_and_a_customer_neither_sees_the_link_nor_gets_the_page()
    {
        var operatorPage = await fixture.NewPageAsync(Person.Operator);
        await operatorPage.GotoAsync("/accounts");
        var operatorNav = operatorPage.GetByRole(AriaRole.Navigation, new() { Name = "Main", Exact = true });
        await operatorNav.GetByRole(AriaRole.Link, new() { Name = "Operations", Exact = true }).ClickAsync();
        await Expect(operatorPage.GetByRole(AriaRole.Heading, new() { Name = "Operations", Exact = true })).ToBeVisibleAsync();
        await Expect(operatorPage.GetByTestId("role")).ToHaveTextAsync("operator");

        var customerPage = await fixture.NewPageAsync(Person.Customer);
        await customerPage.GotoAsync("/accounts");
        var customerNav = customerPage.GetByRole(AriaRole.Navigation, new() { Name = "Main", Exact = true });
        await Expect(customerNav.GetByRole(AriaRole.Link, new() { Name = "Accounts", Exact = true })).ToBeVisibleAsync();
        await Expect(customerNav.GetByRole(AriaRole.Link, new() { Name = "Operations", Exact = true })).ToHaveCountAsync(0);
        await Expect(customerNav.GetByRole(AriaRole.Link, new() { Name = "Events", Exact = true })).ToHaveCountAsync(0);

        // By its address: a new page load, and a navigation from within the page.
        await customerPage.GotoAsync("/operations");
        await Expect(customerPage.GetByRole(AriaRole.Heading, new() { Name = "Not allowed" })).ToBeVisibleAsync();
        await Expect(customerPage.GetByRole(AriaRole.Heading, new() { Name = "Operations", Exact = true })).ToHaveCountAsync(0);
        await customerPage.GotoAsync("/accounts");
        await customerPage.EvaluateAsync("() => Blazor.navigateTo('/events')");
        await Expect(customerPage.GetByRole(AriaRole.Heading, new() { Name = "Not allowed" })).ToBeVisibleAsync();
        await Expect(customerPage.GetByRole(AriaRole.Heading, new() { Name = "Events", Exact = true })).ToHaveCountAsync(0);
        await ScreenshotAsync(customerPage, "customer-not-allowed");
    }

    [Fact]
    public async Task Signing_out_ends_the_session_and_the_next_visit_asks_to_sign_in_again()
    {
        // Its own sign-in: signing out ends that session, which the other tests' shared sign-in must outlive.
        var page = await fixture.NewAnonymousPageAsync();
        await SignIn.AsAsync(page, Person.Customer);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(SignIn.SignInPage());
        await page.GotoAsync("/accounts");
        await Expect(page).ToHaveURLAsync(SignIn.SignInPage());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
    }

    private sealed record Opened(Guid AccountId);
}
