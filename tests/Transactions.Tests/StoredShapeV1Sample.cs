namespace EventDriven.Transactions.Tests;

/// <summary>
/// A ledger stream as the code before the domain events of its own wrote it (stored shape 1: each event the contract's
/// JSON under its <c>ce_type</c>), captured from that code's decisions for account <see cref="AccountId"/>, and the
/// snapshot (format 2) that code wrote of the same ledger. Never regenerate this: it is what older streams look like.
/// </summary>
public static class StoredShapeV1Sample
{
    public static readonly Guid AccountId = Guid.Parse("0b7c3f1e-5d2a-4e6b-9c8d-1a2b3c4d5e6f");

    /// <summary>The 12 events, in stream order: (type, data).</summary>
    public static readonly IReadOnlyList<(string Type, string Json)> Events =
    [
        ("ledger.opened.v1", """{"currency":"EUR","eventId":"a225ebee-a093-8f5f-bd61-af3537187dd0","accountId":"0b7c3f1e-5d2a-4e6b-9c8d-1a2b3c4d5e6f","version":1,"occurredAt":"2026-11-27T09:30:15.1234567+00:00"}"""),
        ("ledger.money-deposited.v1", """{"transactionId":"10000000-0000-4000-8000-000000000001","amount":100.50,"currency":"EUR","balanceAfter":100.50,"eventId":"f022ad08-7772-8093-8cf8-460f5e1c8d23","accountId":"0b7c3f1e-5d2a-4e6b-9c8d-1a2b3c4d5e6f","version":2,"occurredAt":"2026-11-27T09:30:15.1234567+00:00"}"""),
        ("ledger.money-withdrawn.v1", """{"transactionId":"10000000-0000-4000-8000-000000000002","amount":30.25,"currency":"EUR","balanceAfter":70.25,"eventId":"113e7739-05e1-826c-99e3-030b2eec1690","accountId":"0b7c3f1e-5d2a-4e6b-9c8d-1a2b3c4d5e6f","version":3,"occurredAt":"2026-11-27T09:30:16.1234567+00:00"}"""),
        ("ledger.transfer-debited.v1", """{"toAccountId":"c0000000-0000-4000-8000-00000000000c","transactionId":"a0000000-0000-4000-8000-00000000000a","amount":20,"currency":"EUR","balanceAfter":50.25,"eventId":"6102888f-1f1f-8b29-a656-88e365ba04c5","accountId":"0b7c3f1e-5d2a-4e6b-9c8d-1a2b3c4d5e6f","version":4,"occurredAt":"2026-11-27T09:30:17.1234567+00:00"}"""),
        ("ledger.transfer-completed.v1", """{"toAccountId":"c0000000-0000-4000-8000-00000000000c","transactionId":"a0000000-0000-4000-8000-00000000000a","amount":20,"currency":"EUR","balanceAfter":50.25,"eventId":"ffd2f63b-2af2-8088-bf69-44fa02693ed2","accountId":"0b7c3f1e-5d2a-4e6b-9c8d-1a2b3c4d5e6f","version":5,"occurredAt":"2026-11-27T09:30:18.1234567+00:00"}"""),
        ("ledger.transfer-debited.v1", """{"toAccountId":"d0000000-0000-4000-8000-00000000000d","transactionId":"b0000000-0000-4000-8000-00000000000b","amount":10,"currency":"EUR","balanceAfter":40.25,"eventId":"c7d119a2-032b-8b0f-a502-dc8ead2786d4","accountId":"0b7c3f1e-5d2a-4e6b-9c8d-1a2b3c4d5e6f","version":6,"occurredAt":"2026-11-27T09:30:19.1234567+00:00"}"""),
        ("ledger.transfer-refunded.v1", """{"toAccountId":"d0000000-0000-4000-8000-00000000000d","reason":"Account d0000000-0000-4000-8000-00000000000d is closed.","transactionId":"b0000000-0000-4000-8000-00000000000b","amount":10,"currency":"EUR","balanceAfter":50.25,"eventId":"0589196f-7ab4-8394-abfd-06eaf3c1c344","accountId":"0b7c3f1e-5d2a-4e6b-9c8d-1a2b3c4d5e6f","version":7,"occurredAt":"2026-11-27T09:30:20.1234567+00:00"}"""),
        ("ledger.transfer-credited.v1", """{"fromAccountId":"c0000000-0000-4000-8000-00000000000c","transactionId":"20000000-0000-4000-8000-000000000003","amount":5,"currency":"EUR","balanceAfter":55.25,"eventId":"1e1fcc50-5291-8219-ab5d-567cc633f78e","accountId":"0b7c3f1e-5d2a-4e6b-9c8d-1a2b3c4d5e6f","version":8,"occurredAt":"2026-11-27T09:30:21.1234567+00:00"}"""),
        ("ledger.transfer-declined.v1", """{"fromAccountId":"d0000000-0000-4000-8000-00000000000d","reason":"Account holds EUR, not USD.","transactionId":"20000000-0000-4000-8000-000000000004","amount":7,"currency":"USD","balanceAfter":55.25,"eventId":"070a9521-c2bc-8cc6-9ff2-24913ba64f26","accountId":"0b7c3f1e-5d2a-4e6b-9c8d-1a2b3c4d5e6f","version":9,"occurredAt":"2026-11-27T09:30:22.1234567+00:00"}"""),
        ("ledger.closure-refused.v1", """{"closureRequestId":"30000000-0000-4000-8000-000000000005","reason":"55.25 EUR is still in the account; withdraw or transfer it first.","eventId":"33b0acd0-1aec-8e46-a1ec-1ddee2439efc","accountId":"0b7c3f1e-5d2a-4e6b-9c8d-1a2b3c4d5e6f","version":10,"occurredAt":"2026-11-27T09:30:23.1234567+00:00"}"""),
        ("ledger.money-withdrawn.v1", """{"transactionId":"10000000-0000-4000-8000-000000000006","amount":55.25,"currency":"EUR","balanceAfter":0.00,"eventId":"4f81ae00-cc2b-8fff-b89a-834df07205eb","accountId":"0b7c3f1e-5d2a-4e6b-9c8d-1a2b3c4d5e6f","version":11,"occurredAt":"2026-11-27T09:30:24.1234567+00:00"}"""),
        ("ledger.closure-settled.v1", """{"closureRequestId":"30000000-0000-4000-8000-000000000007","eventId":"7cd5ca87-2447-83d6-8b56-3b78bb1dcbe9","accountId":"0b7c3f1e-5d2a-4e6b-9c8d-1a2b3c4d5e6f","version":12,"occurredAt":"2026-11-27T09:30:25.1234567+00:00"}"""),
    ];

    public const string Snapshot = """{"accountId":"0b7c3f1e-5d2a-4e6b-9c8d-1a2b3c4d5e6f","currency":"EUR","balance":0.00,"version":12,"closed":true,"transfersUnderWay":0,"entries":{"cec8cf5b-bf3e-8284-8cd5-51e283c8253e":{"kind":"transferIn","version":8,"amount":5},"a96f64dd-ad81-8964-941d-eafb0464fd05":{"kind":"transferDeclined","version":9,"amount":7},"a0000000-0000-4000-8000-00000000000a":{"kind":"transferCompleted","version":5,"amount":20},"b0000000-0000-4000-8000-00000000000b":{"kind":"transferRefunded","version":7,"amount":10},"10000000-0000-4000-8000-000000000001":{"kind":"deposit","version":2,"amount":100.50},"10000000-0000-4000-8000-000000000002":{"kind":"withdrawal","version":3,"amount":30.25},"10000000-0000-4000-8000-000000000006":{"kind":"withdrawal","version":11,"amount":55.25},"30000000-0000-4000-8000-000000000005":{"kind":"closureAnswer","version":10,"amount":0},"30000000-0000-4000-8000-000000000007":{"kind":"closureAnswer","version":12,"amount":0}}}""";

    /// <summary>The sample for another account (a fresh id per test, so each test owns its streams and rows).</summary>
    public static string For(Guid accountId, string json) => json.Replace(AccountId.ToString(), accountId.ToString(), StringComparison.Ordinal);
}
