namespace EventDriven.Benchmarks.EndToEnd;

/// <summary>
/// Where one command's time went, from its spans: the HTTP call until stored (KurrentDB append, or the Account
/// transaction, which commits just before the answer), stored until Kafka acknowledged the relay's or publisher's send,
/// Kafka until Reactor began processing it, the processing (projection), and Reactor's push to the benchmark.
/// </summary>
public static class Hops
{
    public static readonly string[] Names = ["HTTP → stored", "stored → Kafka ack", "Kafka → Reactor", "project", "push"];

    /// <summary>The hops of a one-hop command (not an open or a transfer), or null when a span is missing.</summary>
    public static double[]? Of(Sample sample, IReadOnlyList<Span> spans)
    {
        var ledger = sample.Operation is Operation.Deposit or Operation.Withdrawal;
        var (service, topic) = ledger ? ("transactions", "transactions.events") : ("account", "accounts.state");
        var server = spans.FirstOrDefault(s => s.Service == service && (s.Name.StartsWith("POST /", StringComparison.Ordinal) || s.Name.StartsWith("PUT /", StringComparison.Ordinal)));
        var send = spans.FirstOrDefault(s => s.Service == service && s.Name == $"send {topic}");
        var process = spans.FirstOrDefault(s => s.Service == "reactor" && s.Name == $"process {topic}");
        if (server is null || send is null || process is null)
        {
            return null;
        }

        var stored = ledger
            ? spans.FirstOrDefault(s => s.Service == service && s.Name.StartsWith("streams.append", StringComparison.Ordinal))?.End
            : server.End;
        if (stored is null)
        {
            return null;
        }

        var visible = sample.SentAt.AddMilliseconds(sample.VisibleMs);
        return
        [
            (stored.Value - server.Start).TotalMilliseconds,
            (send.End - stored.Value).TotalMilliseconds,
            (process.Start - send.End).TotalMilliseconds,
            (process.End - process.Start).TotalMilliseconds,
            (visible - process.End).TotalMilliseconds,
        ];
    }
}
