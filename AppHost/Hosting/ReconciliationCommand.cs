using System.Text.Json;

namespace EventDriven.AppHost.Hosting;

/// <summary>
/// The dashboard's "Reconcile" command on <c>reactor</c>: its result message is the count of differences (and of
/// transfers overdue, if any), and the report (Reactor's JSON answer) opens with it, so an operator sees what differs
/// without leaving the dashboard.
/// </summary>
public static class ReconciliationCommand
{
    public static async Task<ExecuteCommandResult> ResultAsync(HttpCommandResultContext context)
    {
        var body = await context.Response.Content.ReadAsStringAsync(context.CancellationToken);
        if (!context.Response.IsSuccessStatusCode)
        {
            return CommandResults.Failure($"Reconciliation failed: {(int)context.Response.StatusCode}", body, CommandResultFormat.Json);
        }

        using var report = JsonDocument.Parse(body);
        var differences = report.RootElement.GetProperty("differences").GetArrayLength();
        var accounts = report.RootElement.GetProperty("accounts").GetInt32();
        var ledgers = report.RootElement.GetProperty("ledgers").GetInt32();
        var overdue = report.RootElement.TryGetProperty("overdueTransfers", out var transfers) ? transfers.GetArrayLength() : 0;
        var message = differences == 0
            ? $"No differences: every copy agrees with {accounts} accounts and {ledgers} ledgers."
            : $"{differences} difference{(differences == 1 ? "" : "s")} across {accounts} accounts and {ledgers} ledgers.";
        if (overdue > 0)
        {
            message += $" {overdue} transfer{(overdue == 1 ? " is" : "s are")} overdue.";
        }

        return CommandResults.Success(message, body, CommandResultFormat.Json, displayImmediately: differences > 0 || overdue > 0);
    }
}
