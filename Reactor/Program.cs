using EventDriven.Reactor;
using EventDriven.Reactor.Api;
using EventDriven.Reactor.Reconciliation;
using EventDriven.Reactor.Lineage;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.ServiceDefaults.Lineage;
using EventDriven.ServiceDefaults.Status;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceApi("Reactor API",
    "The read side: read models projected from Kafka (each row with the versions it reflects), a push channel for " +
    "their changes, the event styles compared, dead letters and read-model rebuilds.");
builder.AddServiceAuthentication("reactor");
ReactorPolicies.Add(builder.Services.AddAuthorizationBuilder());
builder.AddReactorServices();

var app = builder.Build();

app.UseServiceApi();
app.UseAuthentication();
app.UseAuthorization();
app.MapReactorApi();
// Operations: an operator, or the dashboard's and the web app's own tokens (scope 'operations').
var operations = app.MapGroup("").RequireAuthorization(ReactorPolicies.Operations);
operations.MapReconciliationApi();
operations.MapDeadLetterApi();
operations.MapLineageApi();
operations.MapEventLineageApi();
operations.MapStatusApi();
app.MapDefaultEndpoints();

app.Run();

/// <summary>The entry point, visible to the integration tests' host.</summary>
public partial class Program;
