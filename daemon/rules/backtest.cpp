// The backtest: a history file replayed through a fresh engine on a simulated
// clock. Between reports the clock jumps to each engine deadline and to each
// working day's summary time (for the not-reporting rules), in time order, so
// timers fire when they would have, not when the next report happens to come.
#include "rules/backtest.hpp"

#include "core/submission_parser.hpp"
#include "core/time.hpp"
#include "rules/engine.hpp"

#include <algorithm>
#include <set>
#include <sstream>

namespace opel::rules {

namespace {

/// Reads every line; refused lines go to `result.rejected`.
std::vector<core::submission> read_history(std::istream& in, const std::string& name,
                                           const backtest_options& o, backtest_result& result) {
    std::vector<core::submission> out;
    std::set<std::string> known;
    for (const auto& p : o.practices)
        known.insert(p.code);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        auto parsed = core::parse_submission(line, core::ingest_kind::import);
        if (auto* e = std::get_if<core::error>(&parsed)) {
            result.rejected.push_back({name, n, e->message});
            continue;
        }
        auto s = std::get<core::parsed_submission>(parsed).value;
        const auto ref = core::check_references(
            s, [&](std::string_view c) { return o.practices.empty() || known.count(std::string(c)); },
            [&](std::string_view t) { return o.rules->has_theme(std::string(t)); });
        if (ref) {
            result.rejected.push_back({name, n, ref->message});
            continue;
        }
        s.id = n;
        s.received_at = s.reported_at;
        out.push_back(std::move(s));
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.reported_at < b.reported_at; });
    return out;
}

/// The practices named in the history, when no practices file was given.
std::vector<core::practice> infer_practices(const std::vector<core::submission>& history) {
    std::set<std::string> codes;
    for (const auto& s : history)
        codes.insert(s.practice);
    std::vector<core::practice> out;
    for (const auto& c : codes)
        out.push_back({c, c, "", ""});
    return out;
}

/// The summary time on the first working day whose summary is at or after `t`.
core::time_point next_summary(core::time_point t, const backtest_options& o) {
    auto day = date::floor<date::days>(o.zone ? o.zone->to_local(t).time_since_epoch()
                                              : t.time_since_epoch());
    for (int i = 0; i < 3660; ++i, day += date::days{1}) {
        const date::sys_days d{day};
        if (!o.calendar.is_working_day(d))
            continue;
        const auto local = date::local_days{day} + o.summary_at;
        const core::time_point when =
            o.zone ? date::floor<std::chrono::microseconds>(
                         o.zone->to_sys(local, date::choose::earliest))
                   : core::time_point{local.time_since_epoch()};
        if (when >= t)
            return when;
    }
    return core::time_point::max();
}

/// Counts a step's changes (fired per rule, the noise) and keeps those
/// `keep` asks for.
struct recorder {
    backtest_result& r;
    backtest_keep keep;
    noise_counter noise;
    std::map<std::string, int, std::less<>> fired;

    void operator()(core::time_point at, std::vector<alert_change> cs) {
        for (auto& c : cs) {
            ++r.changes_made;
            noise.add(at, c);
            const bool firing = is_firing(c);
            if (firing)
                if (const auto it = fired.find(c.after.rule); it != fired.end())
                    ++it->second;
            if (keep == backtest_keep::all || (keep == backtest_keep::firings && firing))
                r.changes.push_back({at, std::move(c)});
        }
    }
};

} // namespace

bool is_firing(const alert_change& c) {
    // An inhibited or silenced alert fires too; it is recorded, not told.
    return c.after.state == alert_state::firing &&
           (c.notify || c.after.silenced || c.after.inhibited_by) &&
           c.after.fired_at == c.after.updated_at;
}

void noise_counter::add(core::time_point at, const alert_change& c) {
    const auto s = date::floor<std::chrono::seconds>(at);
    const auto day = date::floor<date::days>(zone_ ? zone_->to_local(s)
                                                   : date::local_seconds{s.time_since_epoch()});
    // Changes come in time order: the day's name is made once a day, not
    // once a change (formatting a date through a stream is most of the cost).
    const bool raised = seen_.insert(c.after.id).second;
    if (c.after.audiences.empty())
        return; // counted nowhere, and no day without a row
    if (day != day_)
        day_it_ = out_.try_emplace(date::format("%F", day)).first;
    day_ = day;
    for (const auto& audience : c.after.audiences) {
        auto& n = day_it_->second[audience];
        if (raised) {
            ++n.raised;
            n.inhibited += c.after.inhibited_by.has_value();
        }
        n.notified += c.notify;
    }
}

noise_by_day noise_counter::take() {
    day_.reset();
    seen_.clear();
    return std::exchange(out_, {});
}

noise_by_day per_day(const backtest_result& r, const date::time_zone* zone) {
    noise_counter n(zone);
    for (const auto& [at, c] : r.changes)
        n.add(at, c);
    return n.take();
}

std::string format_per_day(const noise_by_day& n) {
    std::ostringstream out;
    out << "date        audience            raised  inhibited  notified\n";
    for (const auto& [day, audiences] : n)
        for (const auto& [audience, d] : audiences) {
            out << day << "  " << audience << std::string(audience.size() < 18 ? 18 - audience.size() : 1, ' ');
            const auto num = [&](int v, std::size_t w) {
                const auto t = std::to_string(v);
                out << std::string(w > t.size() ? w - t.size() : 1, ' ') << t;
            };
            num(d.raised, 8);
            num(d.inhibited, 11);
            num(d.notified, 10);
            out << "\n";
        }
    return out.str();
}

boost::json::array per_day_json(const noise_by_day& n) {
    boost::json::array out;
    for (const auto& [day, audiences] : n)
        for (const auto& [audience, d] : audiences)
            out.push_back({{"date", day},
                           {"audience", audience},
                           {"raised", d.raised},
                           {"inhibited", d.inhibited},
                           {"notified", d.notified}});
    return out;
}

backtest_result run_backtest(std::istream& history, const std::string& name,
                             const backtest_options& o) {
    backtest_result r;
    recorder record{r, o.keep, noise_counter(o.zone), {}};
    for (const auto& rule : o.rules->rules)
        record.fired.emplace(rule.name, 0);
    const auto subs = read_history(history, name, o, r);
    r.reports = subs.size();
    engine e(o.rules, o.practices.empty() ? infer_practices(subs) : o.practices, o.calendar,
             o.zone);
    if (!subs.empty()) {
        const auto end = o.until.value_or(subs.back().reported_at + std::chrono::hours(24));
        auto summary = next_summary(subs.front().reported_at, o);
        std::size_t i = 0;
        for (;;) {
            const auto deadline = e.next_deadline().value_or(core::time_point::max());
            const auto report = i < subs.size() ? subs[i].reported_at : core::time_point::max();
            const auto next = std::min({deadline, summary, report});
            if (next > end || next == core::time_point::max())
                break;
            // At one instant: timers first, then the summary, then the report.
            if (deadline == next)
                record(next, e.on_time(next));
            else if (summary == next) {
                record(next, e.check_not_reporting(next));
                summary = next_summary(next + std::chrono::minutes(1), o);
            } else
                record(next, e.on_submission(subs[i++], next));
        }
    }
    for (const auto& rule : o.rules->rules)
        r.fired.emplace_back(rule.name, record.fired[rule.name]);
    r.noise = record.noise.take();
    return r;
}

namespace {

std::string local_text(core::time_point t, const date::time_zone* zone) {
    const auto s = date::floor<std::chrono::seconds>(t);
    if (!zone)
        return date::format("%F %T UTC", s);
    return date::format("%F %T %Z", date::make_zoned(zone, s));
}

/// "fired", "fired again", "repeat", "acknowledged", "resolved", "silenced"...
std::string change_kind(const alert_change& c) {
    if (c.after.state == alert_state::resolved)
        return "resolved";
    if (c.after.state == alert_state::acknowledged)
        return "acknowledged";
    if (is_firing(c))
        return c.after.created_at == c.after.updated_at ? "fired" : "fired again";
    return "updated";
}

} // namespace

std::string format_text(const backtest_result& r, const date::time_zone* zone, bool all) {
    std::ostringstream out;
    for (const auto& d : r.rejected)
        out << "rejected: " << d.to_string() << "\n";
    for (const auto& [at, c] : r.changes) {
        if (!all && !is_firing(c))
            continue;
        out << local_text(at, zone) << "  " << change_kind(c) << "  " << c.after.rule << " #"
            << c.after.id << "  L" << c.after.level << " " << c.after.scope << " "
            << c.after.subject << (c.after.silenced ? "  (silenced)" : "")
            << (c.after.inhibited_by ? "  (inhibited by #" + std::to_string(*c.after.inhibited_by) + ")"
                                     : std::string())
            << "\n    "
            << c.after.title << "\n    why: " << c.why << "\n";
    }
    out << "\n" << r.reports << " reports replayed";
    if (!r.rejected.empty())
        out << ", " << r.rejected.size() << " rejected";
    out << "\nfired per rule:\n";
    std::size_t width = 0;
    for (const auto& [rule, n] : r.fired)
        width = std::max(width, rule.size());
    for (const auto& [rule, n] : r.fired)
        out << "  " << rule << std::string(width - rule.size() + 2, ' ') << n << "\n";
    return out.str();
}

boost::json::object to_json(const backtest_result& r, bool all) {
    boost::json::array rejected, changes;
    for (const auto& d : r.rejected)
        rejected.push_back({{"line", d.line}, {"error", d.message}});
    for (const auto& [at, c] : r.changes)
        if (all || is_firing(c))
            changes.push_back({{"time", core::format_time(at)},
                               {"change", change_kind(c)},
                               {"why", c.why},
                               {"notify", c.notify},
                               {"published", c.published()},
                               {"alert", to_json(c.after)}});
    boost::json::object fired;
    for (const auto& [rule, n] : r.fired)
        fired[rule] = n;
    return {{"reports", r.reports},
            {"rejected", std::move(rejected)},
            {"changes", std::move(changes)},
            {"fired", std::move(fired)}};
}

} // namespace opel::rules
