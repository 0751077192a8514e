using EventDriven.Identity;
using EventDriven.Identity.Endpoints;
using EventDriven.Identity.SignIn;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddIdentityServices();

var app = builder.Build();

// Limits first: a refused attempt costs no password hash and no database read.
app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapSignInPage();
app.MapConnectEndpoints();
app.MapDefaultEndpoints();

app.Run();

/// <summary>The entry point, visible to the integration tests' host.</summary>
public partial class Program;
