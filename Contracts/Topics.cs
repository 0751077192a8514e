namespace EventDriven.Contracts;

/// <summary>Every Kafka topic of the system. Keys are account ids everywhere, so per-account order holds.</summary>
public static class Topics
{
    public const string AccountNotifications = "accounts.notifications";
    public const string AccountDeltas = "accounts.deltas";
    public const string AccountState = "accounts.state";
    public const string TransactionEvents = "transactions.events";
    public const string ReactorAlerts = "reactor.alerts";

    /// <summary>Where a consumer parks what it could not apply: <c>{topic}.dlq</c>, same key, error in the headers.</summary>
    public static string DeadLetter(string topic) => $"{topic}.dlq";

    public static readonly IReadOnlyList<string> Main = [AccountNotifications, AccountDeltas, AccountState, TransactionEvents, ReactorAlerts];

    /// <summary>The main topics and their dead-letter topics: what a broker must have before services start.</summary>
    public static readonly IReadOnlyList<string> All = [.. Main, .. Main.Select(DeadLetter)];
}
