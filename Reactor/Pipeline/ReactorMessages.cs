using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Transactions;

namespace EventDriven.Reactor.Pipeline;

// What the Kafka consumer hands to the in-process handlers (MassTransit's mediator): the event read from the topic,
// and how many bytes it took on the wire (for comparing the three event styles).

public sealed record AccountStateReceived(AccountStateChanged Event, int Bytes);

public sealed record AccountDeltaReceived(AccountDelta Event, int Bytes);

public sealed record AccountNotificationReceived(AccountNotification Event, int Bytes);

public sealed record LedgerEventReceived(LedgerEvent Event);
