namespace EventDriven.ServiceDefaults.Kafka;

/// <summary>
/// The one definition, for every consumer, of a message that can never apply: one its reader cannot turn into a
/// contract (malformed JSON, a missing field, an unknown type: whatever the reader throws), or one a handler refuses
/// for good by throwing <see cref="UnappliableMessageException"/>. Such a message is parked on its dead-letter topic at
/// once, without retries, because trying again cannot help; only a fix and a re-drive can. Every other failure of a
/// handler is transient (the database restarting, a service away, a busy ledger, and also a bug): retried, and never
/// given up while its cause lasts, because parking a step of a transfer would leave the money half moved.
/// </summary>
public static class MessageFailures
{
    /// <summary>Whether a handler's <paramref name="exception"/>, or what it wraps, says the message can never apply.</summary>
    public static bool IsPermanent(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is UnappliableMessageException)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>A handler's word that this message can never apply, whatever is retried: it is parked at once.</summary>
public sealed class UnappliableMessageException(string message) : Exception(message);
