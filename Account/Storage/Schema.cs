using EventDriven.ServiceDefaults.Postgres;
using Npgsql;

namespace EventDriven.Accounts.Storage;

/// <summary>The Account database, created or brought up to date on start (see <see cref="PostgresMigration"/>).</summary>
public static class Schema
{
    public const string Publication = "account_outbox";
    public const long MigrationLock = 0x4163636f756e74; // "Account"

    public const string Script = $"""
        CREATE TABLE IF NOT EXISTS accounts (
            id uuid PRIMARY KEY,
            owner_name text NOT NULL,
            status text NOT NULL,
            currency char(3) NOT NULL,
            state jsonb NOT NULL,
            version bigint NOT NULL,
            updated_at timestamptz NOT NULL);
        CREATE INDEX IF NOT EXISTS accounts_status ON accounts (status);
        CREATE INDEX IF NOT EXISTS accounts_owner_name ON accounts (lower(owner_name));

        -- Three rows per account event (one per topic). The CDC relay reads their inserts from the WAL and deletes
        -- what it has relayed; the polling relay reads and deletes them here.
        CREATE TABLE IF NOT EXISTS outbox (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            event_id uuid NOT NULL,
            topic text NOT NULL,
            message_key text NOT NULL,
            ce_type text NOT NULL,
            payload text NOT NULL,
            occurred_at timestamptz NOT NULL,
            traceparent text,
            tracestate text);

        -- Clients' Idempotency-Keys and the ids of consumed events, each in its own key space: a repeat replays,
        -- never re-applies, and no client key can stand for an event.
        CREATE TABLE IF NOT EXISTS idempotency_keys (
            key_space text NOT NULL,
            key text NOT NULL,
            request_hash text NOT NULL,
            status_code int NOT NULL,
            response text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (key_space, key));

        -- Before key spaces, events' keys were 'event:' and the id, beside clients' keys.
        DO $do$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'idempotency_keys' AND column_name = 'key_space') THEN
                ALTER TABLE idempotency_keys ADD COLUMN key_space text NOT NULL DEFAULT 'client';
                ALTER TABLE idempotency_keys ALTER COLUMN key_space DROP DEFAULT;
                UPDATE idempotency_keys SET key_space = 'event', key = substr(key, 7) WHERE key LIKE 'event:%';
                ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey, ADD PRIMARY KEY (key_space, key);
            END IF;
        END $do$;

        -- Owners (the opener's subject at the identity server) and actors (who asked for an outbox row's change) came
        -- with sign-in; accounts opened before have no owner, and only operators reach them.
        ALTER TABLE accounts ADD COLUMN IF NOT EXISTS owner text;
        CREATE INDEX IF NOT EXISTS accounts_owner ON accounts (owner);
        ALTER TABLE outbox ADD COLUMN IF NOT EXISTS actor text;

        DO $do$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = '{Publication}') THEN
                CREATE PUBLICATION {Publication} FOR TABLE outbox WITH (publish = 'insert');
            END IF;
        END $do$;
        """;

    public static Task MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken) =>
        PostgresMigration.MigrateAsync(dataSource, MigrationLock, Script, cancellationToken);
}
