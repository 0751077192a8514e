namespace EventDriven.Transactions.Storage;

/// <summary>
/// Transactions' own PostgreSQL database. The ledgers live in KurrentDB; this holds what surrounds them: the local copy
/// of account state, ledger snapshots, the publisher's checkpoint and the transfers under way. Migrated on start (see PostgresMigration).
/// </summary>
public static class Schema
{
    public const long MigrationLock = 0x5472616e73; // "Trans"

    public const string Script = """
        -- Event-carried state: what Transactions knows of each account, from Account's accounts.state topic (or its API).
        CREATE TABLE IF NOT EXISTS account_copy (
            id uuid PRIMARY KEY,
            currency char(3) NOT NULL,
            status text NOT NULL,
            version bigint NOT NULL,
            state jsonb NOT NULL,
            updated_at timestamptz NOT NULL);
        -- Whose account it is (the owner's subject at the identity server), for deciding who may use its ledger; null
        -- for accounts whose state predates owners (only operators may use those).
        ALTER TABLE account_copy ADD COLUMN IF NOT EXISTS owner text;

        -- Where the copy has read accounts.state up to, committed with the rows it produced.
        CREATE TABLE IF NOT EXISTS account_copy_offsets (
            topic text NOT NULL,
            partition int NOT NULL,
            next_offset bigint NOT NULL,
            PRIMARY KEY (topic, partition));

        -- The fold of a long ledger up to a version, so that loading it reads only the events after.
        CREATE TABLE IF NOT EXISTS ledger_snapshots (
            account_id uuid PRIMARY KEY,
            version bigint NOT NULL,
            state bytea NOT NULL,
            taken_at timestamptz NOT NULL);
        -- The shape of the serialised ledger: a snapshot of another shape is not read (the ledger folds its events instead).
        ALTER TABLE ledger_snapshots ADD COLUMN IF NOT EXISTS format int NOT NULL DEFAULT 1;

        -- The transfers under way (debited, neither completed nor refunded), kept from the ledger events by one tracker,
        -- and the $all position they are as of, written in the same transaction.
        CREATE TABLE IF NOT EXISTS transfers_under_way (
            from_account_id uuid NOT NULL,
            transaction_id uuid NOT NULL,
            to_account_id uuid NOT NULL,
            amount numeric NOT NULL,
            currency text NOT NULL,
            started_at timestamptz NOT NULL,
            PRIMARY KEY (from_account_id, transaction_id));
        CREATE TABLE IF NOT EXISTS transfers_under_way_position (
            id boolean PRIMARY KEY CHECK (id),
            commit_position numeric(20) NOT NULL,
            prepare_position numeric(20) NOT NULL,
            updated_at timestamptz NOT NULL);

        -- The $all position up to which Kafka acknowledged every ledger event.
        CREATE TABLE IF NOT EXISTS publisher_checkpoints (
            name text PRIMARY KEY,
            commit_position numeric(20) NOT NULL,
            prepare_position numeric(20) NOT NULL,
            updated_at timestamptz NOT NULL);
        """;
}
