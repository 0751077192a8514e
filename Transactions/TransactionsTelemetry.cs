using System.Diagnostics;

namespace EventDriven.Transactions;

/// <summary>The service's own spans and meters; the service defaults register both under the application's name.</summary>
public static class TransactionsTelemetry
{
    public const string Name = "Transactions";

    public static readonly ActivitySource Source = new(Name);
}
