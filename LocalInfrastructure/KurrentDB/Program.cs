using OpenTelemetry.Trace;
using EventDriven.LocalKurrentDB;
using EventDriven.LocalKurrentDB.Api;
using EventDriven.LocalKurrentDB.Storage;

// Its settings (the HTTP/2-only gRPC endpoint above all) sit beside the assembly, wherever it is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.AddServiceDefaults();
// Infrastructure: its spans belong to the callers' journeys only (the AppHost's health check reads $all without one).
builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.SetSampler(EventDriven.ServiceDefaults.JourneySampler.FollowCallers()));
builder.Services.AddGrpc(options =>
{
    // KurrentDB accepts events up to 16 MiB; gRPC's default cap is 4 MiB.
    options.MaxReceiveMessageSize = 17 * 1024 * 1024;
    options.MaxSendMessageSize = 17 * 1024 * 1024;
});
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(services => EventLog.Open(
    builder.Configuration["LocalKurrentDB:DataDirectory"] is { Length: > 0 } directory ? directory : Path.Combine(AppContext.BaseDirectory, "data"),
    services.GetRequiredService<ILoggerFactory>().CreateLogger<EventLog>()));

var app = builder.Build();

// Open (and recover) the log before the first request, so a damaged log fails the start, not a client call.
app.Services.GetRequiredService<EventLog>();

app.MapGrpcService<StreamsService>();
app.MapGrpcService<ServerFeaturesService>();
app.MapGet("/health/live", () => TypedResults.NoContent());
app.MapDefaultEndpoints();

app.Run();
