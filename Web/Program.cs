using EventDriven.Web.Authentication;
using EventDriven.Web.Components;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddWebAuthentication();
builder.AddWebServices();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();
app.MapStaticAssets();
app.MapAuthenticationEndpoints();
// Every page, and the circuit's hub, for signed-in people only; /health and /alive stay open.
app.MapRazorComponents<App>().AddInteractiveServerRenderMode().RequireAuthorization();
app.MapDefaultEndpoints();

app.Run();
