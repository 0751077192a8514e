using System.Globalization;
using System.Net.Mail;
using System.Text.RegularExpressions;
using EventDriven.Contracts.Accounts;

namespace EventDriven.Accounts.Features;

public sealed record AddressRequest(string? Street, string? City, string? PostalCode, string? Country);

public sealed record OpenAccountRequest(string? OwnerName, string? Email, string? Phone, AddressRequest? Address, string? Currency);

public sealed record ChangeContactDetailsRequest(string? Email, string? Phone);

public sealed record ReasonRequest(string? Reason);

/// <summary>Input rules for every command body; all problems are reported at once, by field.</summary>
public static partial class AccountValidation
{
    private const int MaxText = 200;

    /// <summary>ISO 4217 codes the platform knows (every specific culture's currency).</summary>
    private static readonly HashSet<string> Currencies = [.. CultureInfo.GetCultures(CultureTypes.SpecificCultures)
        .Select(culture => { try { return new RegionInfo(culture.Name).ISOCurrencySymbol; } catch (ArgumentException) { return null; } })
        .OfType<string>()];

    private static readonly HashSet<string> Countries = [.. CultureInfo.GetCultures(CultureTypes.SpecificCultures)
        .Select(culture => { try { return new RegionInfo(culture.Name).TwoLetterISORegionName; } catch (ArgumentException) { return null; } })
        .OfType<string>()];

    public static Dictionary<string, string[]> Validate(OpenAccountRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        Text(errors, "ownerName", request.OwnerName);
        Email(errors, "email", request.Email);
        Phone(errors, "phone", request.Phone);
        Address(errors, "address", request.Address);
        if (request.Currency is null || !Currencies.Contains(request.Currency))
        {
            errors["currency"] = ["An ISO 4217 currency code in capitals, such as EUR."];
        }

        return errors;
    }

    public static Dictionary<string, string[]> Validate(AddressRequest? request)
    {
        var errors = new Dictionary<string, string[]>();
        Address(errors, "address", request);
        return errors;
    }

    public static Dictionary<string, string[]> Validate(ChangeContactDetailsRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        Email(errors, "email", request.Email);
        Phone(errors, "phone", request.Phone);
        return errors;
    }

    public static Dictionary<string, string[]> Validate(ReasonRequest? request)
    {
        var errors = new Dictionary<string, string[]>();
        Text(errors, "reason", request?.Reason, max: 500);
        return errors;
    }

    public static PostalAddress ToAddress(AddressRequest request) =>
        new(request.Street!.Trim(), request.City!.Trim(), request.PostalCode!.Trim(), request.Country!);

    private static void Address(Dictionary<string, string[]> errors, string field, AddressRequest? address)
    {
        if (address is null)
        {
            errors[field] = ["Required."];
            return;
        }

        Text(errors, $"{field}.street", address.Street);
        Text(errors, $"{field}.city", address.City);
        Text(errors, $"{field}.postalCode", address.PostalCode, max: 20);
        if (address.Country is null || !Countries.Contains(address.Country))
        {
            errors[$"{field}.country"] = ["An ISO 3166 two-letter country code in capitals, such as NL."];
        }
    }

    private static void Text(Dictionary<string, string[]> errors, string field, string? value, int max = MaxText)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Trim().Length > max)
        {
            errors[field] = [$"Required, at most {max} characters."];
        }
    }

    private static void Email(Dictionary<string, string[]> errors, string field, string? value)
    {
        if (value is null || value.Length > MaxText || !MailAddress.TryCreate(value, out var parsed) || parsed.Address != value)
        {
            errors[field] = ["A single e-mail address, such as ada@example.com."];
        }
    }

    private static void Phone(Dictionary<string, string[]> errors, string field, string? value)
    {
        if (value is not null && !PhonePattern().IsMatch(value))
        {
            errors[field] = ["International format: + and 7 to 15 digits, such as +31201234567."];
        }
    }

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex PhonePattern();
}
