using EventDriven.ServiceDefaults.Kafka;
using EventDriven.Transactions;
using EventDriven.Transactions.Features;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddTransactionsServices();

var app = builder.Build();

// Unreadable bodies are the client's fault: 400 with problem details, never a 500. Account unreachable (lazy mode's
// fetch) is a dependency away: 503, worth a retry with the same transaction id.
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    StatusCodeSelector = exception => exception switch
    {
        BadHttpRequestException bad => bad.StatusCode,
        HttpRequestException or TimeoutException => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    },
});
app.UseStatusCodePages();
app.MapLedgerApi();
app.MapDeadLetterApi();
app.MapDefaultEndpoints();

app.Run();

/// <summary>The entry point, visible to the integration tests' host.</summary>
public partial class Program;
