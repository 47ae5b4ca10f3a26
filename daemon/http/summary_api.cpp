// The daily summary and the monthly report over HTTP. Reads (a stored
// summary, one built on demand for a date that has none, a month's report)
// run on the store's reader thread and write nothing: an on-demand summary is
// neither stored nor published, and takes the open alerts from the alerts
// table. POST builds on the writer thread, where the rules engine is, and
// answers once the summary and its `summary.daily` event are committed.
#include "http/summary_api.hpp"

#include "http/audit_api.hpp"

#include "summary/daily.hpp"
#include "summary/daily_render.hpp"
#include "summary/monthly.hpp"
#include "summary/monthly_render.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <variant>

namespace opel::http {

namespace bhttp = boost::beast::http;
using service::error_reply;
using service::reply;

namespace {

/// The forms a summary or report is answered in (`format=`).
enum class form { json, csv, html };

/// A parsed `?date=&format=` or `?month=&format=`.
struct period_query {
    date::year_month_day date{};
    date::year_month month{};
    form shape = form::json;
};

std::optional<form> parse_form(const std::string& v) {
    if (v == "json") return form::json;
    if (v == "csv") return form::csv;
    if (v == "html") return form::html;
    return std::nullopt;
}

reply csv_reply(std::string body, const std::string& filename) {
    return reply{200,
                 std::move(body),
                 "text/csv; charset=utf-8",
                 {{"Content-Disposition", "attachment; filename=\"" + filename + "\""}}};
}

reply html_reply(std::string body) {
    return reply{200, std::move(body), "text/html; charset=utf-8", {}};
}

/// A store read that failed answers 503 rather than leaving the call unanswered.
template <typename F> reply guarded(F&& f) {
    try {
        return f();
    } catch (const std::exception&) {
        return error_reply(503, "store_unavailable", "The store could not be read; retry.");
    }
}

/// Reads `date` (or `month`) and, when `with_format`, `format`; today (this
/// month) by default. A date after today is refused: it has no picture yet.
std::variant<period_query, reply> read_period(const call& c, const service::summaries& sum,
                                              core::time_point now, bool monthly,
                                              bool with_format) {
    const auto today = sum.local_date(now);
    period_query q{today, today.year() / today.month(), form::json};
    const std::string key = monthly ? "month" : "date";
    for (const auto& [k, v] : c.query) {
        if (k == key && monthly) {
            const auto m = summary::parse_month(v);
            if (!m) return bad_param(k, "must be a month as YYYY-MM, e.g. 2022-11.");
            q.month = *m;
        } else if (k == key) {
            const auto d = summary::parse_date(v);
            if (!d) return bad_param(k, "must be a date as YYYY-MM-DD, e.g. 2026-11-26.");
            q.date = *d;
        } else if (k == "format" && with_format && parse_form(v)) {
            q.shape = *parse_form(v);
        } else {
            return bad_param(k, k == "format" && with_format ? "must be json, csv or html."
                                                             : "is not known here.");
        }
    }
    if (!monthly && date::sys_days{q.date} > date::sys_days{today})
        return error_reply(422, "date_in_future",
                           "There is no summary of a day still to come; ask for today or "
                           "earlier.",
                           "date");
    return q;
}

reply daily_form(const period_query& q, const boost::json::object& s,
                 const service::deployment& d) {
    // Ids stay the wire format (json); what a person reads names the themes.
    const auto names = summary::theme_names_of(*d.cfg->rules);
    const auto actions = summary::action_names_of(*d.cfg->rules);
    switch (q.shape) {
    case form::csv:
        return csv_reply(summary::render_daily_csv(s, names),
                         "opel-daily-summary-" + service::date_text(q.date) + ".csv");
    case form::html:
        return html_reply(
            summary::render_daily_html(s, service::schedule_of(*d.cfg).tz, names, actions));
    case form::json:
        break;
    }
    return reply{200, summary::render_daily_json(s), "application/json", {}};
}

void daily_get(router& r, service::summaries& sum, call& c, done on_done) {
    if (!admit(r, c, access::reader, on_done)) return;
    auto& s = r.services();
    const auto now = s.clock.now();
    auto parsed = read_period(c, sum, now, false, true);
    if (auto* bad = std::get_if<reply>(&parsed)) return on_done(std::move(*bad));
    const auto q = std::get<period_query>(parsed);
    // Today before `summary.at` pictures now: the fire instant is still to come.
    const auto as_of = std::min(sum.fire_instant(q.date), now);
    s.store.read([&s, d = s.deployment, q, as_of, now, on_done](store::sqlite::db& db) {
        answer(s, on_done, guarded([&] {
            return daily_form(q, service::daily_summary(db, *d, {q.date, as_of, false}, now), *d);
        }));
    });
}

void daily_post(router& r, service::summaries& sum, call& c, done on_done) {
    const auto who = admit(r, c, access::admin, on_done);
    if (!who) return;
    auto& s = r.services();
    const auto now = s.clock.now();
    auto parsed = read_period(c, sum, now, false, false);
    if (auto* bad = std::get_if<reply>(&parsed)) return on_done(std::move(*bad));
    const auto q = std::get<period_query>(parsed);
    // "Generate now": today's pictures this moment; a past day its own summary.at.
    const service::summary_request req{
        q.date, q.date == sum.local_date(now) ? now : sum.fire_instant(q.date), false};
    write_and_answer(s, std::move(on_done),
                     audited(*who, "summary.publish", date::format("%F", date::sys_days{q.date}),
                             [&sum, d = s.deployment, req](store::transaction& tx,
                                                           boost::json::object&) -> reply {
                                 return service::json_reply(201, sum.publish(tx, *d, req));
                             }));
}

reply monthly_answer(store::sqlite::db& db, const service::deployment& d, const period_query& q) {
    const auto report = service::monthly_report(db, d, q.month);
    const std::string month(report.at("month").as_string());
    // What a person reads names themes and support actions as the rules file does.
    const auto themes = summary::theme_names_of(*d.cfg->rules);
    const auto actions = summary::action_names_of(*d.cfg->rules);
    switch (q.shape) {
    case form::csv:
        return csv_reply(summary::render_monthly_csv(report, themes, actions),
                         "opel-monthly-" + month + ".csv");
    case form::html:
        return html_reply(summary::render_monthly_html(report, themes, actions));
    case form::json:
        break;
    }
    return service::json_reply(200, report);
}

void monthly_get(router& r, service::summaries& sum, call& c, done on_done) {
    if (!admit(r, c, access::reader, on_done)) return;
    auto& s = r.services();
    auto parsed = read_period(c, sum, s.clock.now(), true, true);
    if (auto* bad = std::get_if<reply>(&parsed)) return on_done(std::move(*bad));
    s.store.read(
        [&s, d = s.deployment, q = std::get<period_query>(parsed), on_done](store::sqlite::db& db) {
            answer(s, on_done, guarded([&] { return monthly_answer(db, *d, q); }));
        });
}

} // namespace

void add_summary_routes(router& r, service::summaries& summaries) {
    r.add(bhttp::verb::get, "/v1/summaries/daily",
          [&r, &summaries](call& c, done d) { daily_get(r, summaries, c, std::move(d)); });
    r.add(bhttp::verb::post, "/v1/summaries/daily",
          [&r, &summaries](call& c, done d) { daily_post(r, summaries, c, std::move(d)); });
    r.add(bhttp::verb::get, "/v1/reports/monthly",
          [&r, &summaries](call& c, done d) { monthly_get(r, summaries, c, std::move(d)); });
}

} // namespace opel::http
