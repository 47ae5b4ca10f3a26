// The support and escalations tables. Changes are people's work, a few a day,
// so each statement is prepared when used; the list reads are bounded by the
// number of items, which stays small (one per offer).
#include "store/support.hpp"

#include "core/time.hpp"

#include <boost/json.hpp>

namespace opel::store {

namespace {

constexpr const char* support_columns =
    "SELECT id, practice, action, note, state, by, created_at, updated_at, alert, history "
    "FROM support ";

core::support_item read_item(sqlite::statement& st) {
    core::support_item s;
    s.id = st.int64(0);
    s.practice = st.text(1);
    s.action = st.text(2);
    s.note = st.text(3);
    s.state = core::parse_support_state(st.text(4)).value_or(core::support_state::offered);
    s.by = st.text(5);
    s.created_at = core::from_micros(st.int64(6));
    s.updated_at = core::from_micros(st.int64(7));
    if (!st.is_null(8))
        s.alert = st.int64(8);
    s.history = core::history_from_json(st.text(9));
    return s;
}

std::vector<core::support_item> read_items(sqlite::statement& st) {
    std::vector<core::support_item> out;
    while (st.step())
        out.push_back(read_item(st));
    return out;
}

std::string list_json(const std::vector<std::string>& v) {
    boost::json::array a;
    for (const auto& s : v)
        a.emplace_back(s);
    return boost::json::serialize(a);
}

std::vector<std::string> list_from(const std::string& text) {
    std::vector<std::string> out;
    boost::system::error_code ec;
    const auto v = boost::json::parse(text, ec);
    if (!ec && v.is_array())
        for (const auto& e : v.as_array())
            if (e.is_string())
                out.emplace_back(e.as_string());
    return out;
}

constexpr const char* escalation_columns =
    "SELECT id, title, message, level, themes, practices, by, created_at FROM escalations ";

std::vector<core::escalation> read_escalations(sqlite::statement& st) {
    std::vector<core::escalation> out;
    while (st.step())
        out.push_back({st.int64(0), st.text(1), st.text(2), static_cast<int>(st.int64(3)),
                       list_from(st.text(4)), list_from(st.text(5)), st.text(6),
                       core::from_micros(st.int64(7))});
    return out;
}

} // namespace

std::int64_t insert_support(transaction& tx, const core::support_item& s) {
    auto st = tx.db().prepare(
        "INSERT INTO support (practice, action, note, state, by, created_at, updated_at, alert, "
        "history) VALUES (?,?,?,?,?,?,?,?,?)");
    st.bind(1, s.practice).bind(2, s.action).bind(3, s.note).bind(4, core::state_name(s.state));
    st.bind(5, s.by).bind(6, core::to_micros(s.created_at)).bind(7, core::to_micros(s.updated_at));
    if (s.alert)
        st.bind(8, *s.alert);
    else
        st.bind_null(8);
    st.bind(9, core::history_json(s.history));
    st.run();
    return tx.db().last_insert_rowid();
}

void update_support(transaction& tx, const core::support_item& s) {
    auto st = tx.db().prepare(
        "UPDATE support SET note = ?, state = ?, updated_at = ?, history = ? WHERE id = ?");
    st.bind(1, s.note).bind(2, core::state_name(s.state)).bind(3, core::to_micros(s.updated_at));
    st.bind(4, core::history_json(s.history)).bind(5, s.id);
    st.run();
}

std::optional<core::support_item> find_support(sqlite::db& db, std::int64_t id) {
    auto st = db.prepare(std::string(support_columns) + "WHERE id = ?");
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    return read_item(st);
}

std::vector<core::support_item> list_support(sqlite::db& db, const support_filter& f) {
    auto st = db.prepare(std::string(support_columns) +
                         "WHERE (?1 IS NULL OR practice = ?1) AND (?2 = 0 OR state IN "
                         "('offered', 'agreed', 'in_place')) ORDER BY id");
    st.bind(1, f.practice).bind(2, f.open_only ? 1 : 0);
    return read_items(st);
}

std::vector<core::support_item> support_around(sqlite::db& db, core::time_point t) {
    auto st = db.prepare(std::string(support_columns) +
                         "WHERE created_at <= ?1 AND (state IN ('offered', 'agreed', "
                         "'in_place') OR updated_at > ?1) ORDER BY id");
    st.bind(1, core::to_micros(t));
    return read_items(st);
}

std::vector<core::support_item> support_created_between(sqlite::db& db, core::time_point from,
                                                        core::time_point to) {
    auto st = db.prepare(std::string(support_columns) +
                         "WHERE created_at >= ? AND created_at < ? ORDER BY id");
    st.bind(1, core::to_micros(from)).bind(2, core::to_micros(to));
    return read_items(st);
}

std::optional<std::int64_t> open_alert_of(sqlite::db& db, const std::string& practice) {
    auto st = db.prepare(
        "SELECT id FROM alerts WHERE scope = 'practice' AND subject = ? AND state != 'resolved' "
        "ORDER BY json_extract(data, '$.level') DESC, "
        "(json_extract(data, '$.inhibited_by') IS NULL) DESC, id DESC LIMIT 1");
    st.bind(1, practice);
    if (!st.step())
        return std::nullopt;
    return st.int64(0);
}

std::int64_t insert_escalation(transaction& tx, const core::escalation& e) {
    auto st = tx.db().prepare(
        "INSERT INTO escalations (title, message, level, themes, practices, by, created_at) "
        "VALUES (?,?,?,?,?,?,?)");
    st.bind(1, e.title).bind(2, e.message).bind(3, e.level).bind(4, list_json(e.themes));
    st.bind(5, list_json(e.practices)).bind(6, e.by).bind(7, core::to_micros(e.created_at));
    st.run();
    return tx.db().last_insert_rowid();
}

std::vector<core::escalation> escalations_between(sqlite::db& db, core::time_point from,
                                                  core::time_point to) {
    auto st = db.prepare(std::string(escalation_columns) +
                         "WHERE created_at >= ? AND created_at < ? ORDER BY id");
    st.bind(1, core::to_micros(from)).bind(2, core::to_micros(to));
    return read_escalations(st);
}

std::optional<core::escalation> latest_escalation(sqlite::db& db) {
    auto st = db.prepare(std::string(escalation_columns) + "ORDER BY id DESC LIMIT 1");
    auto all = read_escalations(st);
    if (all.empty())
        return std::nullopt;
    return all.front();
}

} // namespace opel::store
