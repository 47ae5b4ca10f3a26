// Schema and migrations. Each migration is one transaction that moves
// user_version by one, so a crash mid-migration leaves the old version whole.
// The application_id marks the file as ours: a foreign SQLite file is refused
// instead of being written into.
#include "store/schema.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace opel::store {

namespace {

// migrations[i] takes the schema from version i to i + 1.
constexpr std::array<const char*, schema_version> migrations{{
    R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY,
    practice TEXT NOT NULL,
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    themes TEXT NOT NULL,
    note TEXT,
    support_requested TEXT,
    idempotency_key TEXT,
    received_at INTEGER NOT NULL,
    reported_at INTEGER NOT NULL,
    imported INTEGER NOT NULL DEFAULT 0,
    content_hash TEXT NOT NULL
);
CREATE INDEX submissions_by_practice ON submissions (practice, reported_at);
CREATE INDEX submissions_by_time ON submissions (reported_at, id);
CREATE UNIQUE INDEX submissions_import_once
    ON submissions (practice, reported_at, content_hash) WHERE imported = 1;
CREATE TABLE idempotency (
    practice TEXT NOT NULL,
    key TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (practice, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_by_age ON idempotency (created_at);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    topic TEXT NOT NULL,
    time INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    rule TEXT NOT NULL,
    scope TEXT NOT NULL,
    subject TEXT NOT NULL,
    state TEXT NOT NULL,
    data TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    seq INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX alerts_by_state ON alerts (state);
CREATE INDEX alerts_by_seq ON alerts (seq);
CREATE TABLE silences (
    id INTEGER PRIMARY KEY,
    data TEXT NOT NULL,
    ends_at INTEGER NOT NULL,
    expired INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE summaries (
    date TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    generated_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // Webhook deliveries: the durable outbox. A row is written in the same
    // transaction as its event, so a committed event is never lost to a
    // subscriber; (subscriber, seq) is unique so an event is queued once.
    R"sql(
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    subscriber TEXT NOT NULL,
    seq INTEGER NOT NULL,
    topic TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'delivered', 'failed')),
    last_error TEXT,
    error_at INTEGER,
    delivered_at INTEGER,
    UNIQUE (subscriber, seq)
);
CREATE INDEX deliveries_by_state ON deliveries (state, subscriber, seq);
)sql",
    // 2 -> 3: the audit log of people's changes (acks, silences, imports,
    // admin calls) and the daemon's own (silences expiring, reloads).
    R"sql(
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    status INTEGER NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_by_time ON audit (at, id);
)sql",
    // 3 -> 4: nothing to change in the tables. From here a webhook delivery
    // row may hold an empty body, meaning "the event's JSON, built from its
    // row in events"; an opeld before this would post that empty body, so
    // the version is raised for it to refuse this database instead.
    R"sql(
SELECT 1;
)sql",
    // 4 -> 5: support items offered to practices, with their history of
    // moves, and the team's escalations to the system (docs/support.md).
    R"sql(
CREATE TABLE support (
    id INTEGER PRIMARY KEY,
    practice TEXT NOT NULL,
    action TEXT NOT NULL,
    note TEXT NOT NULL,
    state TEXT NOT NULL
        CHECK (state IN ('offered', 'agreed', 'declined', 'in_place', 'ended')),
    by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    alert INTEGER,
    history TEXT NOT NULL
);
CREATE INDEX support_by_practice ON support (practice, id);
CREATE INDEX support_by_state ON support (state, id);
CREATE INDEX support_by_time ON support (created_at, id);
CREATE TABLE escalations (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    message TEXT NOT NULL,
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    themes TEXT NOT NULL,
    practices TEXT NOT NULL,
    by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX escalations_by_time ON escalations (created_at, id);
)sql",
    // 5 -> 6: the outbox holds pending deliveries only, keyed by (subscriber,
    // seq) without a rowid or a second index: queueing a delivery is one
    // B-tree insert and delivering it one delete, where a row of
    // `deliveries` cost three B-tree entries to write, an UPDATE to mark and
    // a DELETE of the previous delivered row. A subscriber's last success
    // and last error live in a row of their own; given-up rows move to
    // `failed_deliveries` until pruned (docs/webhooks.md).
    R"sql(
CREATE TABLE outbox (
    subscriber TEXT NOT NULL,
    seq INTEGER NOT NULL,
    topic TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    next_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    error_at INTEGER,
    PRIMARY KEY (subscriber, seq)
) WITHOUT ROWID;
CREATE TABLE failed_deliveries (
    subscriber TEXT NOT NULL,
    seq INTEGER NOT NULL,
    topic TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT,
    error_at INTEGER,
    PRIMARY KEY (subscriber, seq)
) WITHOUT ROWID;
CREATE TABLE subscriber_standing (
    subscriber TEXT PRIMARY KEY,
    delivered_at INTEGER,
    last_error TEXT,
    error_at INTEGER
) WITHOUT ROWID;
INSERT INTO outbox SELECT subscriber, seq, topic, body, created_at, next_at, attempts,
    last_error, error_at FROM deliveries WHERE state = 'pending';
INSERT INTO failed_deliveries SELECT subscriber, seq, topic, created_at, attempts, last_error,
    error_at FROM deliveries WHERE state = 'failed';
INSERT INTO subscriber_standing (subscriber, delivered_at)
    SELECT subscriber, max(delivered_at) FROM deliveries WHERE state = 'delivered'
    GROUP BY subscriber;
INSERT INTO subscriber_standing (subscriber, last_error, error_at)
    SELECT subscriber, last_error, error_at FROM (
        SELECT subscriber, last_error, error_at, row_number() OVER (PARTITION BY subscriber
            ORDER BY coalesce(error_at, 0) DESC, seq DESC) AS n
        FROM deliveries WHERE last_error IS NOT NULL) WHERE n = 1
    ON CONFLICT (subscriber) DO UPDATE SET last_error = excluded.last_error,
        error_at = excluded.error_at;
DROP TABLE deliveries;
)sql",
}};

int read_int_pragma(sqlite::db& db, const char* name) {
    auto st = db.prepare(std::string("PRAGMA ") + name);
    return st.step() ? static_cast<int>(st.int64(0)) : 0;
}

bool has_tables(sqlite::db& db) {
    auto st = db.prepare("SELECT count(*) FROM sqlite_schema");
    return st.step() && st.int64(0) > 0;
}

void check_ownership(sqlite::db& db, int version) {
    const int app = read_int_pragma(db, "application_id");
    if ((version > 0 || has_tables(db)) && app != application_id)
        throw std::runtime_error("the database file belongs to another program "
                                 "(its application_id is not opeld's); refusing to use it");
    if (version > schema_version)
        throw std::runtime_error("the database is schema version " + std::to_string(version) +
                                 ", newer than this opeld understands (" +
                                 std::to_string(schema_version) + "); run a newer opeld");
}

} // namespace

void set_pragmas(sqlite::db& db) {
    db.exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;");
}

void open_schema(sqlite::db& db, int target) {
    int version = 0;
    try {
        version = read_int_pragma(db, "user_version");
    } catch (const sqlite::error& e) {
        throw std::runtime_error(std::string("the database file is not a usable SQLite "
                                             "database: ") + e.what());
    }
    check_ownership(db, version);
    db.exec("PRAGMA journal_mode = WAL");
    set_pragmas(db);
    for (int v = version; v < target; ++v) {
        db.exec("BEGIN IMMEDIATE");
        try {
            db.exec(migrations[static_cast<std::size_t>(v)]);
            db.exec("PRAGMA application_id = " + std::to_string(application_id));
            db.exec("PRAGMA user_version = " + std::to_string(v + 1));
            db.exec("COMMIT");
        } catch (...) {
            db.exec("ROLLBACK");
            throw;
        }
    }
}

} // namespace opel::store
