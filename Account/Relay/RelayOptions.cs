namespace EventDriven.Accounts.Relay;

public enum RelayMode
{
    /// <summary>Change data capture: outbox inserts read from the WAL by logical replication (pgoutput).</summary>
    Cdc,

    /// <summary>For databases without logical replication, and as the yardstick: the outbox table read in batches.</summary>
    Polling,

    /// <summary>No relay in this process (tests that drive a relay themselves).</summary>
    None,
}

/// <summary>Bound from <c>Account:Relay</c>.</summary>
public sealed class RelayOptions
{
    /// <summary>The advisory lock that makes one Account instance the relay.</summary>
    public const long LeadershipLockKey = 0x52656c6179; // "Relay"

    public RelayMode Mode { get; set; } = RelayMode.Cdc;

    /// <summary>The logical replication slot; durable, so the relay resumes where Kafka last acknowledged.</summary>
    public string SlotName { get; set; } = "account_outbox_relay";

    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    public int PollingBatchSize { get; set; } = 500;

    /// <summary>How long a relay that lost its connection, or the leadership race, waits before trying again.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);
}
