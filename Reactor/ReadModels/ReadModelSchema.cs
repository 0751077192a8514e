namespace EventDriven.Reactor.ReadModels;

/// <summary>The read models Reactor serves. Each lives in generations (<c>{name}_g{n}</c>) behind a view named <c>{name}</c>.</summary>
public enum ReadModel
{
    AccountOverview,
    TransactionHistory,
    DailyTotals,
}

/// <summary>
/// Reactor's database. Every read model is a view over its live generation's table, so a rebuild fills a new table
/// and swaps the view in one transaction, while queries keep reading. The inbox records, per read model and
/// generation, which event ids were applied: a duplicate changes nothing.
/// </summary>
public static class ReadModelSchema
{
    public const long MigrationLock = 0x5265616374; // "React"

    /// <summary>
    /// Which generation is live, shared and exclusive (a transaction advisory lock): every write to a read model holds it
    /// shared from reading the generations until its commit; a rebuild's swap holds it exclusively, so no instance writes
    /// an old generation after the swap, and the swap sees every write made to the old one before it.
    /// </summary>
    public const long GenerationLock = 0x5265616375;

    /// <summary>One rebuild at a time across Reactor's instances (a session advisory lock, held while the rebuild runs).</summary>
    public const long RebuildLock = 0x5265616376;

    public static readonly IReadOnlyList<ReadModel> All = [ReadModel.AccountOverview, ReadModel.TransactionHistory, ReadModel.DailyTotals];

    public static string Name(ReadModel model) => model switch
    {
        ReadModel.AccountOverview => "account_overview",
        ReadModel.TransactionHistory => "transaction_history",
        ReadModel.DailyTotals => "daily_totals",
        _ => throw new ArgumentOutOfRangeException(nameof(model)),
    };

    public static string Table(ReadModel model, int generation) => $"{Name(model)}_g{generation}";

    public static string CreateTable(ReadModel model, int generation) => model switch
    {
        ReadModel.AccountOverview => $"""
            CREATE TABLE IF NOT EXISTS {Table(model, generation)} (
                account_id uuid PRIMARY KEY,
                owner_name text, city text, country text, status text, currency text,
                balance numeric NOT NULL, deposits int NOT NULL, withdrawals int NOT NULL,
                transfers_in int NOT NULL, transfers_out int NOT NULL, last_activity timestamptz,
                account_version bigint NOT NULL, ledger_version bigint NOT NULL,
                owner text);
            ALTER TABLE {Table(model, generation)} ADD COLUMN IF NOT EXISTS owner text;
            CREATE INDEX IF NOT EXISTS {Table(model, generation)}_owner ON {Table(model, generation)} (owner);
            """,
        ReadModel.TransactionHistory => $"""
            CREATE TABLE IF NOT EXISTS {Table(model, generation)} (
                account_id uuid NOT NULL, version bigint NOT NULL, event_id uuid NOT NULL, type text NOT NULL,
                transaction_id uuid NOT NULL, amount numeric NOT NULL, currency text NOT NULL, balance_after numeric NOT NULL,
                counterparty uuid, occurred_at timestamptz NOT NULL,
                PRIMARY KEY (account_id, version));
            """,
        ReadModel.DailyTotals => $"""
            CREATE TABLE IF NOT EXISTS {Table(model, generation)} (
                day date NOT NULL, currency text NOT NULL, deposited numeric NOT NULL, withdrawn numeric NOT NULL,
                transferred numeric NOT NULL, movements int NOT NULL,
                PRIMARY KEY (day, currency));
            """,
        _ => throw new ArgumentOutOfRangeException(nameof(model)),
    };

    private const string CopiesComment = "Copies of each account, one per event style: state holds its fields by dotted path.";

    public static readonly string Script = $"""
        CREATE TABLE IF NOT EXISTS read_models (
            name text PRIMARY KEY,
            generation int NOT NULL,
            rebuilt_at timestamptz,
            rebuild_events bigint,
            rebuild_events_per_second double precision);

        CREATE TABLE IF NOT EXISTS inbox (
            model text NOT NULL,
            generation int NOT NULL,
            event_id uuid NOT NULL,
            PRIMARY KEY (model, generation, event_id));

        -- When the event was applied: a rebuild's swap looks for what live consumers applied to the old generation since
        -- the rebuild started (rows before this column existed count as applied before any rebuild to come).
        ALTER TABLE inbox ADD COLUMN IF NOT EXISTS applied_at timestamptz NOT NULL DEFAULT now();

        -- The last rebuild's status, whichever instance runs it (GET /read-models on any instance shows it).
        CREATE TABLE IF NOT EXISTS rebuild_status (
            id int PRIMARY KEY CHECK (id = 1),
            status jsonb NOT NULL);

        -- The three ways of consuming account events, side by side: each keeps its own copy of every account.
        CREATE TABLE IF NOT EXISTS account_copies (
            style text NOT NULL,
            account_id uuid NOT NULL,
            version bigint NOT NULL,
            state jsonb NOT NULL,
            PRIMARY KEY (style, account_id));

        -- A copy is the account's fields by dotted path (AccountFields), a null field absent. Copies written before that
        -- held the whole snapshot (notification, state) or kept nulls (delta): converted once, marked by the comment.
        DO $do$ BEGIN
            IF obj_description('account_copies'::regclass, 'pg_class') IS DISTINCT FROM '{CopiesComment}' THEN
                UPDATE account_copies SET state = (state - 'address' - 'version' - 'openedAt' - 'updatedAt') || jsonb_build_object(
                    'address.street', state -> 'address' ->> 'street', 'address.city', state -> 'address' ->> 'city',
                    'address.postalCode', state -> 'address' ->> 'postalCode', 'address.country', state -> 'address' ->> 'country')
                WHERE jsonb_typeof(state -> 'address') = 'object';
                UPDATE account_copies SET state = jsonb_strip_nulls(state) WHERE state <> jsonb_strip_nulls(state);
                COMMENT ON TABLE account_copies IS '{CopiesComment}';
            END IF;
        END $do$;

        {string.Concat(All.Select(m => CreateTable(m, 1)))}

        DO $do$ BEGIN
            {string.Concat(All.Select(m => $"""
                IF NOT EXISTS (SELECT 1 FROM read_models WHERE name = '{Name(m)}') THEN
                    INSERT INTO read_models (name, generation) VALUES ('{Name(m)}', 1);
                    CREATE VIEW {Name(m)} AS SELECT * FROM {Table(m, 1)};
                END IF;

                """))}
        END $do$;

        -- Whose each account is (the owner's subject, from accounts.state), added to an overview made before owners: the
        -- live generation gets the column last, where a new generation has it, and the view is widened to show it. Rows
        -- learn their owner from the account's next state event, or from a rebuild.
        DO $do$ DECLARE live text; BEGIN
            SELECT 'account_overview_g' || generation INTO live FROM read_models WHERE name = 'account_overview';
            EXECUTE format('ALTER TABLE %I ADD COLUMN IF NOT EXISTS owner text', live);
            EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (owner)', live || '_owner', live);
            EXECUTE format('CREATE OR REPLACE VIEW account_overview AS SELECT * FROM %I', live);
        END $do$;
        """;
}
