using System.Globalization;

namespace EventDriven.Web.Components;

/// <summary>
/// Amounts as the pages show them: the currency's own number of decimals (2 for EUR, 0 for JPY, 3 for KWD, from the
/// platform's culture data), grouped thousands, and the ISO code after the number. A ledger keeps at most 2 decimals
/// whatever the currency, so an amount is never shown with fewer decimals than it has.
/// </summary>
public static class Money
{
    private static readonly Dictionary<string, int> DecimalDigits = CultureInfo.GetCultures(CultureTypes.SpecificCultures)
        .Select(culture => (Code: IsoCode(culture), Digits: culture.NumberFormat.CurrencyDecimalDigits))
        .Where(c => c.Code is not null)
        .GroupBy(c => c.Code!, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.First().Digits, StringComparer.Ordinal);

    public static string Format(decimal amount, string? currency)
    {
        var digits = Math.Max(currency is not null && DecimalDigits.TryGetValue(currency, out var d) ? d : 2, Scale(amount));
        var number = amount.ToString("N" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return string.IsNullOrEmpty(currency) ? number : $"{number} {currency}";
    }

    /// <summary>Decimals the amount really has (1.50 has 1, 2 has 0).</summary>
    private static int Scale(decimal amount) => (amount / 1.0000000000000000000000000000m).Scale;

    private static string? IsoCode(CultureInfo culture)
    {
        try
        {
            return new RegionInfo(culture.Name).ISOCurrencySymbol;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
