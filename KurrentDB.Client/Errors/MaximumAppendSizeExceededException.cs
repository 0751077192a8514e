namespace EventDriven.KurrentDB.Client;

/// <summary>The server refused an append larger than its maximum append size; nothing of it was written.</summary>
public sealed class MaximumAppendSizeExceededException(int maxAppendSize, Exception? innerException = null)
    : Exception($"Maximum Append Size of {maxAppendSize} Exceeded.", innerException)
{
    public int MaxAppendSize { get; } = maxAppendSize;
}
