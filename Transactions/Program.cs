using EventDriven.ServiceDefaults.Kafka;
using EventDriven.ServiceDefaults.Lineage;
using EventDriven.ServiceDefaults.Status;
using EventDriven.Transactions;
using EventDriven.Transactions.Features;
using EventDriven.Transactions.Publishing;
using EventDriven.Transactions.Reconciliation;
using EventDriven.Contracts;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceApi("Transactions API",
    "Ledgers: deposits, withdrawals and transfers as event-sourced ledgers in KurrentDB, one per account. Every command " +
    "carries a transaction id; a repeat returns the first receipt and appends nothing.");
builder.AddTransactionsServices();

var app = builder.Build();

app.UseServiceApi();
app.UseAuthentication();
app.UseAuthorization();
app.MapLedgerApi();
app.MapReconciliationApi();
app.MapDeadLetterApi();
// Lineage for operators and for Reactor assembling an event's whole lineage (transactions.read).
app.MapLineageApi(ServiceScopes.TransactionsRead);
app.MapStatusApi().MapPublisherStatus();
app.MapDefaultEndpoints();

app.Run();

/// <summary>The entry point, visible to the integration tests' host.</summary>
public partial class Program;
