using static OpenIddict.Abstractions.OpenIddictConstants;
using EventDriven.Contracts;

namespace EventDriven.Identity.Clients;

/// <summary>
/// Who may ask for tokens, and for what, written down once. Each API scope names the resource server it is for
/// (the token's <c>aud</c>), so a token for one service is refused by another. People's clients get the services'
/// full scopes (what a person may do there is decided by their role); the services' own clients get read scopes.
/// </summary>
public static class ClientCatalog
{
    public static class Resources
    {
        public const string Account = "account";
        public const string Transactions = "transactions";
        public const string Reactor = "reactor";
    }

    public static class Roles
    {
        public const string Customer = "customer";
        public const string Operator = "operator";
    }

    /// <summary>API scopes and the resource (audience) each grants access to.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> ApiScopes = new Dictionary<string, string[]>
    {
        ["account"] = [Resources.Account],
        [ServiceScopes.AccountRead] = [Resources.Account],
        ["transactions"] = [Resources.Transactions],
        [ServiceScopes.TransactionsRead] = [Resources.Transactions],
        ["reactor"] = [Resources.Reactor],
        [ServiceScopes.ReactorRead] = [Resources.Reactor],
        // Valid at every service, admitted only by their operations endpoints.
        [ServiceScopes.Operations] = [Resources.Account, Resources.Transactions, Resources.Reactor],
    };

    /// <summary>What a person's token may carry: identity scopes and the services' full scopes.</summary>
    public static readonly string[] PersonScopes = [Scopes.OpenId, Scopes.Email, Scopes.Profile, Scopes.Roles, Scopes.OfflineAccess, "account", "transactions", "reactor"];

    public enum Kind
    {
        /// <summary>A browser app with a secret: authorization code with PKCE, refresh tokens.</summary>
        WebApp,

        /// <summary>A service calling another: client credentials.</summary>
        Service,

        /// <summary>Scripts and tests in development: the password grant for the demo users, no secret.</summary>
        DevelopmentCli,
    }

    /// <summary>
    /// A client and the scopes it may ask for. <paramref name="OwnScopes"/> are what a web app may also ask for in its
    /// own name (client credentials), for the work it does for no one in particular.
    /// </summary>
    public sealed record Client(string Id, string DisplayName, Kind Kind, IReadOnlyList<string> Scopes, IReadOnlyList<string>? OwnScopes = null);

    public static readonly IReadOnlyList<Client> All =
    [
        new("web", "EventDriven web app", Kind.WebApp, PersonScopes, OwnScopes: [ServiceScopes.ReactorRead, ServiceScopes.Operations]),
        new("cli", "Scripts and tests (development only)", Kind.DevelopmentCli, PersonScopes),
        // Transactions' account copy reads Account's export and accounts (snapshot and lazy modes).
        new("transactions", "Transactions service", Kind.Service, [ServiceScopes.AccountRead]),
        // Reactor's notification style, reconciliation and lineage read Account and Transactions.
        new("reactor", "Reactor service", Kind.Service, [ServiceScopes.AccountRead, ServiceScopes.TransactionsRead]),
        // The AppHost's dashboard commands.
        new("dashboard", "Aspire dashboard commands", Kind.Service, [ServiceScopes.Operations]),
    ];
}
