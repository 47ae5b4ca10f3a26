// Read queries. Rows become core values here so nothing above the store sees SQL.
#include "store/queries.hpp"

#include "core/time.hpp"

#include <boost/json.hpp>

namespace opel::store {

namespace {

constexpr const char* submission_columns =
    "SELECT id, practice, level, themes, note, support_requested, idempotency_key, received_at, "
    "reported_at FROM submissions ";

core::submission read_submission(const sqlite::statement& st) {
    core::submission s;
    s.id = st.int64(0);
    s.practice = st.text(1);
    s.level = static_cast<int>(st.int64(2));
    const auto themes = boost::json::parse(st.text(3));
    for (const auto& t : themes.as_array())
        s.themes.emplace_back(t.as_string());
    s.note = st.optional_text(4);
    s.support_requested = st.optional_text(5);
    s.idempotency_key = st.optional_text(6);
    s.received_at = core::from_micros(st.int64(7));
    s.reported_at = core::from_micros(st.int64(8));
    return s;
}

} // namespace

std::vector<core::submission> list_submissions(sqlite::db& db, const submission_filter& f) {
    std::string sql = submission_columns;
    sql += "WHERE (?1 IS NULL OR practice = ?1) AND (?2 IS NULL OR reported_at >= ?2) "
           "AND (?3 IS NULL OR reported_at < ?3) "
           "AND (?4 IS NULL OR reported_at < ?4 OR (reported_at = ?4 AND id < ?5)) "
           "ORDER BY reported_at DESC, id DESC LIMIT ?6";
    auto st = db.prepare(sql);
    if (f.practice)
        st.bind(1, *f.practice);
    if (f.since)
        st.bind(2, core::to_micros(*f.since));
    if (f.until)
        st.bind(3, core::to_micros(*f.until));
    if (f.after)
        st.bind(4, core::to_micros(f.after->first)).bind(5, f.after->second);
    st.bind(6, static_cast<std::int64_t>(f.limit));
    std::vector<core::submission> out;
    while (st.step())
        out.push_back(read_submission(st));
    return out;
}

std::vector<core::submission> all_submissions(sqlite::db& db) {
    auto st = db.prepare(std::string(submission_columns) + "ORDER BY reported_at, id");
    std::vector<core::submission> out;
    while (st.step())
        out.push_back(read_submission(st));
    return out;
}

std::vector<core::event> events_since(sqlite::db& db, std::int64_t since,
                                      const std::string& prefix, std::size_t limit) {
    auto st = db.prepare("SELECT seq, topic, time, data FROM events WHERE seq > ?1 "
                         "AND substr(topic, 1, length(?2)) = ?2 ORDER BY seq LIMIT ?3");
    st.bind(1, since).bind(2, prefix).bind(3, static_cast<std::int64_t>(limit));
    std::vector<core::event> out;
    while (st.step())
        out.push_back({st.int64(0), st.text(1), core::from_micros(st.int64(2)), st.text(3)});
    return out;
}

std::vector<std::optional<core::submission>> latest_as_of(sqlite::db& db,
                                                          std::span<const core::practice> practices,
                                                          core::time_point as_of) {
    // One indexed lookup per practice (submissions_by_practice) rather than a
    // scan of all history, so a national file with years behind it stays quick.
    auto st = db.prepare(std::string(submission_columns) +
                         "WHERE practice = ?1 AND reported_at <= ?2 "
                         "ORDER BY reported_at DESC, id DESC LIMIT 1");
    std::vector<std::optional<core::submission>> out;
    out.reserve(practices.size());
    for (const auto& p : practices) {
        st.bind(1, p.code).bind(2, core::to_micros(as_of));
        out.push_back(st.step() ? std::optional(read_submission(st)) : std::nullopt);
        st.reset();
    }
    return out;
}

std::vector<core::submission> submissions_between(sqlite::db& db, core::time_point from,
                                                  core::time_point to) {
    auto st = db.prepare(std::string(submission_columns) +
                         "WHERE reported_at >= ?1 AND reported_at < ?2 ORDER BY reported_at, id");
    st.bind(1, core::to_micros(from)).bind(2, core::to_micros(to));
    std::vector<core::submission> out;
    while (st.step())
        out.push_back(read_submission(st));
    return out;
}

std::vector<core::submission> practice_submissions_between(sqlite::db& db, const std::string& code,
                                                           core::time_point from,
                                                           core::time_point to) {
    auto st = db.prepare(std::string(submission_columns) +
                         "WHERE practice = ?1 AND reported_at >= ?2 AND reported_at < ?3 "
                         "ORDER BY reported_at, id");
    st.bind(1, code).bind(2, core::to_micros(from)).bind(3, core::to_micros(to));
    std::vector<core::submission> out;
    while (st.step())
        out.push_back(read_submission(st));
    return out;
}

namespace {

std::optional<std::string> first_text(sqlite::statement& st) {
    if (!st.step())
        return std::nullopt;
    return st.optional_text(0);
}

} // namespace

std::optional<std::string> summary_of(sqlite::db& db, const std::string& date) {
    auto st = db.prepare("SELECT data FROM summaries WHERE date = ?1");
    st.bind(1, date);
    return first_text(st);
}

std::optional<std::string> summary_before(sqlite::db& db, const std::string& date) {
    // YYYY-MM-DD sorts as text in date order.
    auto st = db.prepare("SELECT data FROM summaries WHERE date < ?1 ORDER BY date DESC LIMIT 1");
    st.bind(1, date);
    return first_text(st);
}

std::optional<std::string> last_summary_date(sqlite::db& db) {
    auto st = db.prepare("SELECT max(date) FROM summaries");
    return first_text(st);
}

std::vector<std::string> alert_rows_open_at(sqlite::db& db, core::time_point at) {
    // A resolved alert's row was last written when it resolved, so its
    // updated_at is when it stopped being open; created_at is in the JSON.
    auto st = db.prepare("SELECT data, json_extract(data, '$.created_at') FROM alerts "
                         "WHERE state != 'resolved' OR updated_at > ?1 ORDER BY id");
    st.bind(1, core::to_micros(at));
    std::vector<std::string> out;
    while (st.step()) {
        const auto created = core::parse_time(st.text(1));
        if (created && *created <= at)
            out.push_back(st.text(0));
    }
    return out;
}

std::optional<std::string> summary_on(sqlite::db& db, const std::string& date) {
    auto st = db.prepare("SELECT data FROM summaries WHERE date = ?1");
    st.bind(1, date);
    return first_text(st);
}

std::vector<std::string> alert_rows(sqlite::db& db, const alert_filter& f) {
    auto st = db.prepare("SELECT data FROM alerts WHERE (?1 OR state != 'resolved') "
                         "AND (?2 = 0 OR seq > ?2) "
                         "AND (?3 OR json_extract(data, '$.inhibited_by') IS NULL) ORDER BY id");
    st.bind(1, f.resolved ? 1 : 0).bind(2, f.since_seq).bind(3, f.inhibited ? 1 : 0);
    std::vector<std::string> out;
    while (st.step())
        out.push_back(st.text(0));
    return out;
}

std::vector<std::string> open_alert_rows(sqlite::db& db) {
    auto st = db.prepare("SELECT data FROM alerts WHERE state != 'resolved' ORDER BY id");
    std::vector<std::string> out;
    while (st.step())
        out.push_back(st.text(0));
    return out;
}

} // namespace opel::store

namespace opel::store {

std::vector<std::string> open_alert_rows_about(sqlite::db& db, const std::string& scope,
                                               const std::string& subject) {
    auto st = db.prepare("SELECT data FROM alerts WHERE state != 'resolved' AND scope = ?1 "
                         "AND subject = ?2 ORDER BY id");
    st.bind(1, scope).bind(2, subject);
    std::vector<std::string> out;
    while (st.step())
        out.push_back(st.text(0));
    return out;
}

namespace {

std::vector<std::string> texts(sqlite::statement& st) {
    std::vector<std::string> out;
    while (st.step())
        out.push_back(st.text(0));
    return out;
}

} // namespace

std::vector<std::string> all_alert_rows(sqlite::db& db) {
    auto st = db.prepare("SELECT data FROM alerts ORDER BY id");
    return texts(st);
}

std::vector<std::string> silence_rows(sqlite::db& db, std::optional<core::time_point> ending_after) {
    if (!ending_after) {
        auto st = db.prepare("SELECT data FROM silences WHERE expired = 0 ORDER BY id");
        return texts(st);
    }
    auto st = db.prepare("SELECT data FROM silences WHERE expired = 0 AND ends_at > ? ORDER BY id");
    st.bind(1, core::to_micros(*ending_after));
    return texts(st);
}

void prune_idempotency(sqlite::db& db, core::time_point before) {
    db.prepare("DELETE FROM idempotency WHERE created_at < ?")
        .bind(1, core::to_micros(before))
        .run();
}

std::map<std::int64_t, std::string> submission_notes(sqlite::db& db,
                                                     std::span<const std::int64_t> ids) {
    auto st = db.prepare("SELECT note FROM submissions WHERE id = ?1 AND note IS NOT NULL");
    std::map<std::int64_t, std::string> out;
    for (const auto id : ids) {
        st.reset();
        st.bind(1, id);
        if (st.step())
            out[id] = st.text(0);
    }
    return out;
}

} // namespace opel::store
