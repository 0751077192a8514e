namespace EventDriven.Web.Components.Tests;

/// <summary>Amounts in the account's currency format.</summary>
public sealed class MoneyTests
{
    [Theory]
    [InlineData(1234.5, "EUR", "1,234.50 EUR")]
    [InlineData(0, "EUR", "0.00 EUR")]
    [InlineData(-30, "USD", "-30.00 USD")]
    [InlineData(1500, "JPY", "1,500 JPY")]
    [InlineData(12.5, "KWD", "12.500 KWD")]
    // A ledger keeps cents in any currency: a yen amount with them shows them rather than rounding them away.
    [InlineData(1500.25, "JPY", "1,500.25 JPY")]
    public void An_amount_has_its_currencys_decimals_and_code(decimal amount, string currency, string shown) =>
        Assert.Equal(shown, Money.Format(amount, currency));
}
