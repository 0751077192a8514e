using EventDriven.AppHost.Hosting;

var builder = DistributedApplication.CreateBuilder(args);

// Infrastructure: containers when a container runtime answers, the machine's own processes otherwise.
var infrastructure = builder.AddInfrastructure();

var postgres = infrastructure.AddPostgres("postgres");
var accountDb = postgres.AddDatabase("accountdb");
var transactionsDb = postgres.AddDatabase("transactionsdb");
var reactorDb = postgres.AddDatabase("reactordb");

var kafka = infrastructure.AddKafka("kafka");

var kurrentdb = infrastructure.AddKurrentDB("kurrentdb");

// Services. Account, Transactions and Reactor run Services:Replicas instances each (default 1; e.g.
// `dotnet run --project AppHost -- --Services:Replicas=2`): Aspire's proxy spreads requests over them on the same
// fixed ports; one instance at a time relays and publishes (a PostgreSQL lock), the consumer groups split partitions.
var replicas = builder.Configuration["Services:Replicas"] is { Length: > 0 } text ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : 1;
if (replicas < 1)
{
    throw new InvalidOperationException($"Services:Replicas must be 1 or more, not {replicas}.");
}

var account = builder.AddProject<Projects.Account>("account")
    .WithReference(accountDb).WaitFor(accountDb)
    .WithReference(kafka).WaitFor(kafka)
    .WithHttpHealthCheck("/health")
    .WithRedriveDeadLettersCommand()
    .WithApiReference()
    .WithInstances(replicas);

var transactions = builder.AddProject<Projects.Transactions>("transactions")
    .WithReference(kurrentdb).WaitFor(kurrentdb)
    .WithReference(transactionsDb).WaitFor(transactionsDb)
    .WithReference(kafka).WaitFor(kafka)
    // Account's export (snapshot mode) and its API (lazy mode) fill Transactions' copy of account state.
    .WithReference(account).WaitFor(account)
    .WithHttpHealthCheck("/health")
    .WithRedriveDeadLettersCommand()
    .WithApiReference()
    .WithInstances(replicas);

var reactor = builder.AddProject<Projects.Reactor>("reactor")
    .WithReference(reactorDb).WaitFor(reactorDb)
    .WithReference(kafka).WaitFor(kafka)
    // Notifications are followed by a call to Account's API for the details.
    .WithReference(account).WaitFor(account)
    // Reconciliation and lineage ask the sources of truth: Account's accounts, Transactions' ledgers.
    .WithReference(transactions).WaitFor(transactions)
    .WithHttpHealthCheck("/health")
    .WithRedriveDeadLettersCommand()
    .WithApiReference()
    .WithInstances(replicas);

// Dashboard commands: rebuild a read model from Kafka without downtime (Reactor's POST /read-models/{name}/rebuild).
foreach (var readModel in new[] { "account_overview", "transaction_history", "daily_totals" })
{
    reactor.WithHttpCommand($"/read-models/{readModel}/rebuild", $"Rebuild {readModel.Replace('_', ' ')}", commandName: $"rebuild-{readModel}",
        commandOptions: new HttpCommandOptions { Description = $"Replays Kafka into a new {readModel} table and swaps it in when caught up.", IconName = "ArrowSync" });
}

// Dashboard command: reconcile every copy with the sources of truth (Reactor's POST /reconciliation); the result says
// how many differences there are and shows the report.
reactor.WithHttpCommand("/reconciliation", "Reconcile", commandName: "reconcile",
    commandOptions: new HttpCommandOptions
    {
        Description = "Compares Account's accounts and Transactions' ledgers with every copy and reports each difference.",
        IconName = "CheckmarkStarburst",
        GetCommandResult = ReconciliationCommand.ResultAsync,
    });

builder.AddProject<Projects.Web>("web")
    .WithExternalHttpEndpoints()
    .WithReference(account).WaitFor(account)
    .WithReference(transactions).WaitFor(transactions)
    .WithReference(reactor).WaitFor(reactor)
    // Every action on a page links to its trace in the dashboard.
    .WithDashboardUrl()
    .WithHttpHealthCheck("/health");

builder.Build().Run();
