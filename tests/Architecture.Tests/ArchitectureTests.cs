using System.Reflection;
using NetArchTest.Rules;

namespace EventDriven.Architecture.Tests;

/// <summary>
/// The architecture, as rules that fail the build's tests when broken: services stand alone, the domain knows no
/// infrastructure, and endpoints reach storage only through their feature's handler or store.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly Assembly Account = typeof(Accounts.AccountServices).Assembly;
    private static readonly Assembly Transactions = typeof(Transactions.TransactionsServices).Assembly;
    private static readonly Assembly Reactor = typeof(Reactor.ReactorServices).Assembly;
    private static readonly Assembly Web = typeof(Web.Components.App).Assembly;
    private static readonly Assembly Identity = typeof(Identity.IdentityServices).Assembly;
    private static readonly Assembly ServiceDefaults = typeof(ServiceDefaults.Kafka.KafkaConsumerService).Assembly;

    /// <summary>Each service's assembly and root namespace.</summary>
    public static TheoryData<string> Services => ["Account", "Transactions", "Reactor", "Web", "Identity"];

    private static readonly Dictionary<string, (Assembly Assembly, string Namespace)> ServiceAssemblies = new()
    {
        ["Account"] = (Account, "EventDriven.Accounts"),
        ["Transactions"] = (Transactions, "EventDriven.Transactions"),
        ["Reactor"] = (Reactor, "EventDriven.Reactor"),
        ["Web"] = (Web, "EventDriven.Web"),
        ["Identity"] = (Identity, "EventDriven.Identity"),
    };

    /// <summary>What a domain must not know of: storage, transport, the web, serialisation, the messaging framework.</summary>
    private static readonly string[] Infrastructure =
    [
        "Npgsql", "Confluent.Kafka", "EventDriven.KurrentDB.Client", "Microsoft.AspNetCore", "System.Text.Json", "MassTransit",
        "EventDriven.ServiceDefaults", "Microsoft.Extensions",
    ];

    [Theory]
    [MemberData(nameof(Services))]
    public void A_service_references_no_other_service(string service)
    {
        var (assembly, _) = ServiceAssemblies[service];
        var others = ServiceAssemblies.Where(s => s.Key != service).ToList();

        var referenced = assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain(referenced, name => others.Any(o => o.Value.Assembly.GetName().Name == name));
        AssertHolds(Types.InAssembly(assembly).ShouldNot().HaveDependencyOnAny([.. others.Select(o => o.Value.Namespace + ".")]).GetResult(),
            $"{service} uses another service's types");
    }

    [Theory]
    [InlineData("Account", "EventDriven.Accounts.Domain")]
    [InlineData("Transactions", "EventDriven.Transactions.Domain")]
    public void A_domain_uses_no_infrastructure(string service, string domain)
    {
        var types = Types.InAssembly(ServiceAssemblies[service].Assembly).That().ResideInNamespace(domain);
        Assert.NotEmpty(types.GetTypes());
        AssertHolds(types.ShouldNot().HaveDependencyOnAny(Infrastructure).GetResult(), $"{domain} depends on infrastructure");
    }

    [Fact]
    public void Endpoints_reach_storage_only_through_a_handler_or_a_store()
    {
        var endpoints = Types.InAssemblies([Account, Transactions, Reactor, ServiceDefaults]).That().HaveNameEndingWith("Api").And().AreClasses();
        Assert.True(endpoints.GetTypes().Count() >= 4, "Each service maps its endpoints in an *Api class.");
        AssertHolds(endpoints.ShouldNot().HaveDependencyOnAny("Npgsql", "EventDriven.KurrentDB.Client", "Confluent.Kafka").GetResult(),
            "an endpoint talks to a database or a broker itself");
    }

    [Fact]
    public void Every_service_consumes_through_the_shared_pipeline()
    {
        // A service's consumer loop of its own (a BackgroundService that holds an IConsumer) is one of the two named
        // exceptions: Transactions' batch account copy, and Reactor's rebuild (which reads, never consumes). Everything
        // else consumes through ServiceDefaults' KafkaConsumerService and an IMessageReader.
        var allowed = new[] { "AccountStateConsumer", "ReadModelRebuilder" };
        var loops = Types.InAssemblies([Account, Transactions, Reactor])
            .That().Inherit(typeof(Microsoft.Extensions.Hosting.BackgroundService))
            .GetTypes()
            .Where(type => type.GetConstructors().SelectMany(c => c.GetParameters())
                .Any(p => p.ParameterType.IsGenericType && p.ParameterType.GetGenericTypeDefinition() == typeof(Confluent.Kafka.IConsumer<,>)))
            .Select(type => type.Name).Where(name => !allowed.Contains(name)).ToList();
        Assert.Empty(loops);
    }

    private static void AssertHolds(NetArchTest.Rules.TestResult result, string what) =>
        Assert.True(result.IsSuccessful, $"{what}: {string.Join(", ", result.FailingTypeNames ?? [])}");
}
