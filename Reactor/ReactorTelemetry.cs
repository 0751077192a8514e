namespace EventDriven.Reactor;

/// <summary>The service's meters; the service defaults register them under the application's name.</summary>
public static class ReactorTelemetry
{
    public const string Name = "Reactor";
}
