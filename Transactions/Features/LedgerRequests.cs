using System.Text.RegularExpressions;

namespace EventDriven.Transactions.Features;

public sealed record MoneyRequest(Guid? TransactionId, decimal? Amount, string? Currency);

public sealed record TransferRequest(Guid? TransactionId, Guid? ToAccountId, decimal? Amount, string? Currency);

/// <summary>What a request must be before a ledger is even looked at. Each failure names its field.</summary>
public static partial class LedgerValidation
{
    /// <summary>The largest amount one command moves: far above any real payment, far below decimal's range.</summary>
    public const decimal MaxAmount = 1_000_000_000m;

    public static Dictionary<string, string[]> Validate(MoneyRequest request) => Validate(request.TransactionId, request.Amount, request.Currency);

    public static Dictionary<string, string[]> Validate(Guid accountId, TransferRequest request)
    {
        var errors = Validate(request.TransactionId, request.Amount, request.Currency);
        if (request.ToAccountId is not { } to || to == Guid.Empty)
        {
            errors["toAccountId"] = ["The account to transfer to is required."];
        }
        else if (to == accountId)
        {
            errors["toAccountId"] = ["A transfer goes to another account."];
        }

        return errors;
    }

    private static Dictionary<string, string[]> Validate(Guid? transactionId, decimal? amount, string? currency)
    {
        var errors = new Dictionary<string, string[]>();
        if (transactionId is not { } id || id == Guid.Empty)
        {
            errors["transactionId"] = ["Every command needs a transaction id (a UUID), the same on every retry."];
        }

        if (amount is not { } value || value <= 0m)
        {
            errors["amount"] = ["The amount must be positive."];
        }
        else if (value.Scale > 2)
        {
            // As written, not as valued: JSON's 1.00000000000000000000000000001 reads as 1 with 28 decimals (decimal
            // keeps 28 digits and rounds the rest silently); a scale over 2 is the only trace left of the over-precision.
            errors["amount"] = ["The amount has at most 2 decimals."];
        }
        else if (value > MaxAmount)
        {
            errors["amount"] = [$"The amount is at most {MaxAmount:N0}."];
        }

        if (currency is null || !CurrencyCode().IsMatch(currency))
        {
            errors["currency"] = ["The currency is a three-letter ISO 4217 code, such as EUR."];
        }

        return errors;
    }

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyCode();
}
