using System.Text.Json;

namespace EventDriven.ServiceDefaults.Kafka;

/// <summary>
/// The one definition, for every consumer, of a message that can never apply: one that cannot be read into its
/// contract (malformed JSON, a missing field, an unknown type, a value out of range) or that a handler refuses for good
/// (<see cref="UnappliableMessageException"/>). Such a message is parked on its dead-letter topic at once, without
/// retries, because trying again cannot help; only a fix and a re-drive can. Every other failure is transient (the
/// database restarting, a service away, a busy ledger): retried, and never given up while its cause lasts.
/// </summary>
public static class MessageFailures
{
    /// <summary>The exception types that mean "can never apply" (and their subtypes): MassTransit's retry ignores them.</summary>
    public static readonly Type[] CanNeverApply =
    [
        typeof(JsonException),
        typeof(FormatException),
        typeof(ArgumentException),
        typeof(NotSupportedException),
        typeof(UnappliableMessageException),
    ];

    /// <summary>Whether <paramref name="exception"/>, or what it wraps, says the message can never apply.</summary>
    public static bool IsPermanent(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (Array.Exists(CanNeverApply, type => type.IsInstanceOfType(current)))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>A handler's word that this message can never apply, whatever is retried: it is parked at once.</summary>
public sealed class UnappliableMessageException(string message) : Exception(message);
