using EventDriven.Reactor;
using EventDriven.Reactor.Api;
using EventDriven.Reactor.Reconciliation;
using EventDriven.Reactor.Lineage;
using EventDriven.ServiceDefaults.Authentication;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.ServiceDefaults.Lineage;
using EventDriven.ServiceDefaults.Status;
using EventDriven.Contracts;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceApi("Reactor API",
    "The read side: read models projected from Kafka (each row with the versions it reflects), a push channel for " +
    "their changes, the event styles compared, dead letters and read-model rebuilds.");
builder.AddReactorServices();

var app = builder.Build();

app.UseServiceApi();
app.UseAuthentication();
app.UseAuthorization();
app.MapReactorApi();
app.MapReconciliationApi();
app.MapDeadLetterApi();
// Reactor's own lineage is read by the web app's operations pages, not by another service.
app.MapLineageApi(ServiceScopes.Operations);
app.MapEventLineageApi();
app.MapStatusApi();
app.MapDefaultEndpoints();

app.Run();

/// <summary>The entry point, visible to the integration tests' host.</summary>
public partial class Program;
