// The online backup. The source is opened read-only on its own connection;
// one backup step copies every page under one read transaction, which in WAL
// mode is a snapshot of the last commit before it began, while the daemon's
// writer carries on. The copy goes to DEST.partial and is renamed over DEST
// only after it has passed integrity_check, so DEST is never half a backup.
#include "store/backup.hpp"

#include "store/schema.hpp"
#include "store/sqlite.hpp"

#include <stdexcept>
#include <string>

namespace opel::store {

namespace {

std::int64_t scalar(sqlite::db& db, const char* sql) {
    auto st = db.prepare(sql);
    return st.step() ? st.int64(0) : 0;
}

} // namespace

backup_result backup_database(const std::filesystem::path& source,
                              const std::filesystem::path& dest) {
    if (!std::filesystem::exists(source))
        throw std::runtime_error("no database at " + source.string());
    const auto partial = std::filesystem::path(dest.string() + ".partial");
    std::filesystem::remove(partial);
    backup_result r;
    {
        sqlite::db src(source, false, true);
        std::int64_t app = 0;
        try {
            app = scalar(src, "PRAGMA application_id");
        } catch (const sqlite::error& e) {
            throw std::runtime_error(source.string() + " is not a usable SQLite database: " +
                                     e.what());
        }
        if (app != application_id)
            throw std::runtime_error(source.string() + " is not an opeld database");
        sqlite::db out(partial, true);
        src.backup_into(out);
        // A backup is one file: leave WAL mode so no -wal is needed beside it.
        out.exec("PRAGMA journal_mode = DELETE");
        auto check = out.prepare("PRAGMA integrity_check");
        std::string verdict = check.step() ? check.text(0) : "no answer";
        check.reset();
        if (verdict != "ok")
            throw std::runtime_error("the copy failed integrity_check: " + verdict);
        r.pages = scalar(out, "PRAGMA page_count");
        r.bytes = r.pages * scalar(out, "PRAGMA page_size");
        r.last_seq = scalar(out, "SELECT coalesce(max(seq), 0) FROM events");
        r.submissions = scalar(out, "SELECT count(*) FROM submissions");
    }
    std::filesystem::rename(partial, dest);
    return r;
}

} // namespace opel::store
