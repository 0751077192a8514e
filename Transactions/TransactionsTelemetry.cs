namespace EventDriven.Transactions;

/// <summary>The service's meters; the service defaults register them under the application's name.</summary>
public static class TransactionsTelemetry
{
    public const string Name = "Transactions";
}
