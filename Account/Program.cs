using EventDriven.Accounts;
using EventDriven.Accounts.Features;
using EventDriven.ServiceDefaults.Kafka;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAccountServices();

var app = builder.Build();

// Unreadable bodies are the client's fault: 400 with problem details, never a 500.
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
});
app.UseStatusCodePages();
app.MapAccountsApi();
app.MapDeadLetterApi();
app.MapDefaultEndpoints();

app.Run();

/// <summary>The entry point, visible to the integration tests' host.</summary>
public partial class Program;
