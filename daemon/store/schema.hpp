#pragma once
// The database schema and its migrations, keyed on PRAGMA user_version.

#include "store/sqlite.hpp"

namespace opel::store {

/// The schema version this build writes.
constexpr int schema_version = 6;

/// Sets the connection's pragmas, then creates or migrates the schema up to
/// `target` (a lower version only to test a migration); throws
/// std::runtime_error for a database of a newer version or another program.
void open_schema(sqlite::db& db, int target = schema_version);

/// Sets the per-connection pragmas only (for further connections).
void set_pragmas(sqlite::db& db);

/// PRAGMA application_id of every opeld database: "OPEL".
constexpr int application_id = 0x4f50454c;

} // namespace opel::store
