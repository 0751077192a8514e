using System.Diagnostics;
using OpenTelemetry.Trace;

namespace EventDriven.ServiceDefaults;

/// <summary>
/// Decides which spans start a trace, so that the dashboard's trace list holds journeys and nothing else. A journey
/// starts where something outside the process asks for work: a request (server span), a message that carries no
/// trace of its own (consumer span), or a person's action in the web app (its internal root span). A client span
/// with no parent — a database query, a KurrentDB read or an HTTP call made by a polling loop, a leadership check, a
/// checkpoint or a gauge — is background work: it is not exported, and belongs in metrics and logs. It is still
/// created (record-only), so that the trace context it sends along says "not sampled" and the service it calls does
/// not start a trace of its own for it (the web app's status polling, its push-channel subscription). Every span with
/// a parent follows its parent's decision, so a journey stays whole and the children of background work stay out.
/// </summary>
public sealed class JourneySampler : Sampler
{
    private static readonly SamplingResult Keep = new(SamplingDecision.RecordAndSample);
    private static readonly SamplingResult Background = new(SamplingDecision.RecordOnly);

    /// <summary>The sampler the services use: parent-based, with this one deciding the roots.</summary>
    public static Sampler Create() => new ParentBasedSampler(new JourneySampler());

    /// <summary>
    /// The sampler of a local stand-in for infrastructure (the KurrentDB server): it follows its callers' decisions and
    /// never starts a trace, because a request that arrives with no trace context — the AppHost's health probe, a tool —
    /// is not a journey of the app; a journey's calls carry their context and are recorded as part of it.
    /// </summary>
    public static Sampler FollowCallers() => new ParentBasedSampler(new AlwaysOffSampler());

    public JourneySampler() => Description = nameof(JourneySampler);

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Kind == ActivityKind.Client ? Background : Keep;
}
