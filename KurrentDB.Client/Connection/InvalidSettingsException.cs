namespace EventDriven.KurrentDB.Client;

/// <summary>A connection string or setting the client cannot use; the message says which part and why.</summary>
public sealed class InvalidSettingsException : ArgumentException
{
    public InvalidSettingsException()
    {
    }

    public InvalidSettingsException(string message) : base(message)
    {
    }

    public InvalidSettingsException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
