#pragma once
// A consistent copy of a live opeld database, taken with SQLite's online
// backup API from a separate connection: the daemon keeps writing meanwhile.

#include <cstdint>
#include <filesystem>

namespace opel::store {

/// What a backup holds.
struct backup_result {
    std::int64_t pages = 0;
    std::int64_t bytes = 0;
    std::int64_t last_seq = 0;    ///< the newest event in the copy
    std::int64_t submissions = 0; ///< submissions in the copy
};

/// Copies the opeld database at `source` to `dest` (replacing it only once
/// the copy is whole and passes integrity_check). The copy is a single
/// self-contained file (rollback journal, no -wal). Throws std::runtime_error
/// when the source is missing or not an opeld database, or the copy fails.
backup_result backup_database(const std::filesystem::path& source,
                              const std::filesystem::path& dest);

} // namespace opel::store
