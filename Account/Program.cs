using EventDriven.Accounts;
using EventDriven.Accounts.Features;
using EventDriven.Accounts.Reconciliation;
using EventDriven.Accounts.Relay;
using EventDriven.ServiceDefaults.Authentication;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.ServiceDefaults.Lineage;
using EventDriven.ServiceDefaults.Status;
using EventDriven.Contracts;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceApi("Account API",
    "Accounts: owner, contact details, address and status. Every change is stored with its events in one transaction " +
    "and published from the outbox as a notification, a delta and the account's state.");
builder.AddAccountServices();

var app = builder.Build();

app.UseServiceApi();
app.UseAuthentication();
app.UseAuthorization();
app.MapAccountsApi();
app.MapReconciliationApi();
app.MapDeadLetterApi();
app.MapLineageApi(ServiceScopes.AccountRead);
app.MapStatusApi().MapOutboxStatus();
app.MapDefaultEndpoints();

app.Run();

/// <summary>The entry point, visible to the integration tests' host.</summary>
public partial class Program;
