// The audit table's two statements. Audited changes are rare (people acting,
// silences ending), so each insert prepares its statement afresh.
#include "store/audit.hpp"

#include "core/time.hpp"

#include <limits>

namespace opel::store {

std::int64_t record_audit(transaction& tx, audit_entry e) {
    auto st = tx.db().prepare("INSERT INTO audit (at, actor, role, action, target, status, "
                              "detail) VALUES (?, ?, ?, ?, ?, ?, ?)");
    st.bind(1, core::to_micros(tx.now()))
        .bind(2, e.actor)
        .bind(3, e.role)
        .bind(4, e.action)
        .bind(5, e.target)
        .bind(6, e.status)
        .bind(7, e.detail)
        .run();
    return tx.db().last_insert_rowid();
}

std::vector<audit_entry> audit_since(sqlite::db& db, std::int64_t since_id,
                                     std::optional<core::time_point> since, std::size_t limit) {
    auto st = db.prepare("SELECT id, at, actor, role, action, target, status, detail FROM audit "
                         "WHERE id > ? AND at >= ? ORDER BY id LIMIT ?");
    st.bind(1, since_id)
        .bind(2, since ? core::to_micros(*since) : std::numeric_limits<std::int64_t>::min())
        .bind(3, static_cast<std::int64_t>(limit));
    std::vector<audit_entry> out;
    while (st.step())
        out.push_back({st.int64(0), core::from_micros(st.int64(1)),
                       st.text(2), st.text(3), st.text(4), st.text(5),
                       static_cast<int>(st.int64(6)), st.text(7)});
    return out;
}

} // namespace opel::store
