namespace EventDriven.KurrentDB.Client;

/// <summary>
/// Settings of the KurrentDB client integration, bound from <c>Aspire:KurrentDB:Client</c> (then its
/// <c>:{connectionName}</c> sub-section), the shape of CommunityToolkit.Aspire.KurrentDB's settings so that
/// configuration carries over when the official package replaces this integration.
/// </summary>
public sealed class KurrentDBSettings
{
    /// <summary>The connection string; <c>ConnectionStrings:{connectionName}</c> takes precedence.</summary>
    public string? ConnectionString { get; set; }

    public bool DisableHealthChecks { get; set; }

    /// <summary>When true the client starts no spans; the trace context is still written into events' metadata.</summary>
    public bool DisableTracing { get; set; }

    /// <summary>How long the health check's read may take; by default the health check service's own timeout applies.</summary>
    public TimeSpan? HealthCheckTimeout { get; set; }
}
