using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

namespace EventDriven.ServiceDefaults.Tests;

/// <summary>
/// The service defaults' sampler, through the real OpenTelemetry pipeline a service builds: journeys are exported
/// whole, background work (a client span with no parent) is not, and neither is what it causes downstream.
/// </summary>
public sealed class JourneySamplerTests : IDisposable
{
    private readonly List<Activity> _exported = [];
    private readonly IHost _host;
    private readonly ActivitySource _source;

    public JourneySamplerTests()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = $"sampler-{Guid.NewGuid():N}" });
        builder.ConfigureOpenTelemetry();
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_exported));
        _host = builder.Build();
        _ = _host.Services.GetRequiredService<TracerProvider>();
        _source = new ActivitySource(builder.Environment.ApplicationName);
    }

    [Fact]
    public void A_request_starts_a_trace_and_its_database_calls_belong_to_it()
    {
        using (var request = _source.StartActivity("POST /accounts", ActivityKind.Server))
        using (_source.StartActivity("INSERT accounts", ActivityKind.Client))
        {
            Assert.NotNull(request);
        }

        Assert.Equal(["INSERT accounts", "POST /accounts"], Exported());
        Assert.Single(_exported.Select(a => a.TraceId).Distinct());
    }

    [Fact]
    public void A_person_s_action_and_a_message_without_a_trace_start_traces()
    {
        _source.StartActivity("deposit", ActivityKind.Internal)?.Dispose();
        _source.StartActivity("process transactions.events", ActivityKind.Consumer)?.Dispose();

        Assert.Equal(["deposit", "process transactions.events"], Exported());
    }

    [Fact]
    public void A_polling_loop_s_query_starts_no_trace_and_tells_the_service_it_calls_not_to_start_one()
    {
        ActivityContext sent;
        using (var poll = _source.StartActivity("SELECT outbox", ActivityKind.Client))
        {
            // Created, so that the context it sends says "not sampled", but not exported.
            Assert.NotNull(poll);
            Assert.False(poll.Recorded);
            sent = poll.Context;
            using var child = _source.StartActivity("nested", ActivityKind.Internal);
            Assert.False(child?.Recorded ?? false);
        }

        // What the called service does with that context (arriving as a remote parent).
        var remote = new ActivityContext(sent.TraceId, sent.SpanId, sent.TraceFlags, isRemote: true);
        _source.StartActivity("GET /status", ActivityKind.Server, remote)?.Dispose();
        Assert.Empty(Exported());

        // A sampled caller's context is followed as it is.
        var sampled = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);
        _source.StartActivity("GET /accounts/{id}", ActivityKind.Server, sampled)?.Dispose();
        Assert.Equal(["GET /accounts/{id}"], Exported());
    }

    [Fact]
    public void An_infrastructure_stand_in_records_its_callers_journeys_and_starts_none_of_its_own()
    {
        var exported = new List<Activity>();
        var name = $"stand-in-{Guid.NewGuid():N}";
        using var tracing = OpenTelemetry.Sdk.CreateTracerProviderBuilder()
            .SetSampler(JourneySampler.FollowCallers())
            .AddSource(name)
            .AddInMemoryExporter(exported)
            .Build();
        using var source = new ActivitySource(name);

        // A health probe's read, with no trace context: nothing.
        source.StartActivity("POST Streams/Read", ActivityKind.Server)?.Dispose();
        // A journey's append: recorded, in the caller's trace.
        var caller = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);
        source.StartActivity("POST Streams/Append", ActivityKind.Server, caller)?.Dispose();
        tracing.ForceFlush();

        var span = Assert.Single(exported);
        Assert.Equal(("POST Streams/Append", caller.TraceId, caller.SpanId), (span.DisplayName, span.TraceId, span.ParentSpanId));
    }

    private string[] Exported()
    {
        _host.Services.GetRequiredService<TracerProvider>().ForceFlush();
        return [.. _exported.Select(a => a.DisplayName).Order()];
    }

    public void Dispose()
    {
        _source.Dispose();
        _host.Dispose();
    }
}
