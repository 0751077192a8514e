namespace EventDriven.KurrentDB.Client;

/// <summary>The server refused an append because an event lacked required system metadata (e.g. <c>type</c>).</summary>
public sealed class RequiredMetadataPropertyMissingException(string missingMetadataProperty, Exception? innerException = null)
    : Exception($"Required metadata property '{missingMetadataProperty}' is missing.", innerException)
{
    public string MissingMetadataProperty { get; } = missingMetadataProperty;
}
