// Digests from outbox rows. The timing is a pure function of the rows still
// pending and the last success, both on disk, so after a restart the same
// rows make the same digest at the same time: nothing is lost or repeated.
#include "channel/digest.hpp"

#include "core/time.hpp"

#include <algorithm>
#include <map>

namespace opel::channel {

namespace json = boost::json;

namespace {

std::string text(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

int integer(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_int64() ? static_cast<int>(v->as_int64()) : 0;
}

std::optional<json::object> event_of(const std::string& body) {
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object())
        return std::nullopt;
    return std::move(v.as_object());
}

} // namespace

int topic_level(const std::string& topic) {
    if (topic.size() < 9 || topic.compare(0, 7, "alert.L") != 0 || topic[8] != '.')
        return 0;
    const char c = topic[7];
    return c >= '1' && c <= '4' ? c - '0' : 0;
}

int item_level(const std::string& topic, const std::string& body) {
    if (topic != "escalation.system")
        return topic_level(topic);
    const auto e = event_of(body);
    const auto* data = e ? e->if_contains("data") : nullptr;
    return data && data->is_object() ? integer(data->as_object(), "level") : 0;
}

std::int64_t after_quiet(std::int64_t at, const config::quiet_hours& quiet,
                         const date::time_zone* tz) {
    using namespace std::chrono;
    const sys_time<microseconds> t{microseconds{at}};
    const auto local = tz ? tz->to_local(t) : date::local_time<microseconds>{t.time_since_epoch()};
    const auto day = date::floor<date::days>(local);
    const auto now = duration_cast<minutes>(local - day);
    const bool overnight = quiet.from > quiet.to;
    const bool inside = overnight ? (now >= quiet.from || now < quiet.to)
                                  : (now >= quiet.from && now < quiet.to);
    if (!inside || quiet.from == quiet.to)
        return at;
    // The quiet ends at `to` today, or tomorrow when it began before midnight.
    auto end = day + quiet.to;
    if (end <= local)
        end += date::days{1};
    const auto utc = tz ? tz->to_sys(date::local_time<microseconds>{end}, date::choose::latest)
                        : sys_time<microseconds>{end.time_since_epoch()};
    return utc.time_since_epoch().count();
}

plan plan_next(const std::vector<pending_item>& pending, std::optional<std::int64_t> last_sent,
               const config::group_timing& group, const std::optional<config::quiet_hours>& quiet,
               const date::time_zone* tz) {
    plan p;
    if (pending.empty())
        return p;
    if (pending.front().topic == "summary.daily")
        return {1, pending.front().next_at, true};
    std::int64_t first = pending.front().created_at;
    std::optional<std::int64_t> first_l4;
    std::int64_t retry = 0;
    int highest = 0;
    for (const auto& item : pending) {
        if (item.topic == "summary.daily")
            break;
        ++p.count;
        first = std::min(first, item.created_at);
        retry = std::max(retry, item.next_at);
        const int level = item.level >= 0 ? item.level : topic_level(item.topic);
        highest = std::max(highest, level);
        if (level >= 4 && !first_l4)
            first_l4 = item.created_at;
    }
    p.due_at = first + core::to_micros(group.wait);
    if (last_sent)
        p.due_at = std::max(p.due_at, *last_sent + core::to_micros(group.interval));
    if (first_l4)
        p.due_at = std::min(p.due_at, *first_l4 + core::to_micros(group.wait));
    if (quiet && highest < quiet->except_level)
        p.due_at = after_quiet(p.due_at, *quiet, tz);
    p.due_at = std::max(p.due_at, retry);
    return p;
}

std::string who(const line& l) {
    if (l.escalation)
        return "Escalation to the system";
    return l.practice.empty() ? l.scope + " " + l.subject : l.practice + " (" + l.subject + ")";
}

std::string digest::headline() const {
    std::string out = "OPEL " + std::to_string(highest) + ":";
    std::string sep = " ";
    const auto add = [&](int n, const char* what) {
        if (n == 0)
            return;
        out += sep + std::to_string(n) + " " + what;
        sep = ", ";
    };
    add(raised, "new");
    add(acknowledged, "acknowledged");
    add(resolved, "resolved");
    add(escalated, escalated == 1 ? "escalation to the system" : "escalations to the system");
    return out;
}

namespace {

/// The latest submission behind a practice alert, 0 for any other.
std::int64_t latest_evidence(const json::object& alert) {
    const auto* evidence = alert.if_contains("evidence");
    if (text(alert, "scope") != "practice" || !evidence || !evidence->is_array())
        return 0;
    std::int64_t latest = 0;
    for (const auto& id : evidence->as_array())
        if (id.is_int64())
            latest = std::max(latest, id.as_int64());
    return latest;
}

} // namespace

std::vector<std::int64_t> note_sources(const std::vector<std::string>& bodies) {
    std::vector<std::int64_t> out;
    for (const auto& body : bodies) {
        const auto e = event_of(body);
        const auto* data = e ? e->if_contains("data") : nullptr;
        if (const auto id = data && data->is_object() ? latest_evidence(data->as_object()) : 0)
            out.push_back(id);
    }
    return out;
}

namespace {

using practice_index = std::map<std::string, const core::practice*>;
using place_index = std::map<std::string, std::string>; ///< PCN name -> its place

std::vector<std::string> strings(const json::object& o, std::string_view key) {
    std::vector<std::string> out;
    if (const auto* v = o.if_contains(key); v && v->is_array())
        for (const auto& s : v->as_array())
            if (s.is_string())
                out.emplace_back(s.as_string());
    return out;
}

/// An escalation to the system: its practices named, its themes as ids.
line escalation_line(const json::object& e, const json::object& x, const practice_index& by_code) {
    line l;
    l.seq = integer(e, "seq");
    l.level = integer(x, "level");
    l.state = "escalated";
    l.scope = "system";
    l.subject = "system";
    l.title = text(x, "title");
    l.message = text(x, "message");
    l.time = text(e, "time");
    l.escalation = true;
    l.by = text(x, "by");
    for (auto& code : strings(x, "practices")) {
        const auto it = by_code.find(code);
        l.practices.push_back(it == by_code.end() ? code : it->second->name + " (" + code + ")");
    }
    l.themes = strings(x, "themes");
    return l;
}

/// An alert change, placed by its practice (or group), with the practice's note.
line alert_line(const json::object& e, const json::object& a, const practice_index& by_code,
                const place_index& place_of_pcn, const std::map<std::int64_t, std::string>& notes) {
    line l;
    l.seq = integer(e, "seq");
    l.level = integer(a, "level");
    l.state = text(a, "state");
    l.rule = text(a, "rule");
    l.scope = text(a, "scope");
    l.subject = text(a, "subject");
    l.title = text(a, "title");
    l.message = text(a, "message");
    l.time = text(e, "time");
    if (const auto it = by_code.find(l.subject); l.scope == "practice" && it != by_code.end()) {
        l.practice = it->second->name;
        l.pcn = it->second->pcn;
        l.place = it->second->place;
    } else if (l.scope == "place") {
        l.place = l.subject;
    } else if (l.scope == "pcn") {
        l.pcn = l.subject;
        if (const auto it = place_of_pcn.find(l.subject); it != place_of_pcn.end())
            l.place = it->second;
    }
    if (const auto it = notes.find(latest_evidence(a)); it != notes.end())
        l.note = it->second;
    if (l.state == "acknowledged") {
        l.acknowledged_by = text(a, "acknowledged_by");
        l.ack_note = text(a, "note");
    }
    return l;
}

} // namespace

digest build_digest(const std::vector<std::string>& bodies,
                    const std::vector<core::practice>& practices,
                    const std::map<std::int64_t, std::string>& notes) {
    practice_index by_code;
    place_index place_of_pcn;
    for (const auto& p : practices) {
        by_code[p.code] = &p;
        place_of_pcn.emplace(p.pcn, p.place);
    }
    digest d;
    for (const auto& body : bodies) {
        const auto e = event_of(body);
        const auto* data = e ? e->if_contains("data") : nullptr;
        if (!data || !data->is_object())
            continue;
        auto l = text(*e, "topic") == "escalation.system"
                     ? escalation_line(*e, data->as_object(), by_code)
                     : alert_line(*e, data->as_object(), by_code, place_of_pcn, notes);
        d.highest = std::max(d.highest, l.level);
        (l.escalation               ? d.escalated
         : l.state == "resolved"     ? d.resolved
         : l.state == "acknowledged" ? d.acknowledged
                                     : d.raised)++;
        if (d.first_seq == 0)
            d.first_seq = l.seq;
        d.last_seq = l.seq;
        d.lines.push_back(std::move(l));
    }
    return d;
}

std::optional<json::object> summary_of(const std::string& body) {
    auto e = event_of(body);
    if (!e)
        return std::nullopt;
    auto* data = e->if_contains("data");
    if (!data || !data->is_object())
        return std::nullopt;
    return std::move(data->as_object());
}

int summary_level(const json::object& summary) {
    const auto* system = summary.if_contains("system");
    return system && system->is_object() ? integer(system->as_object(), "level") : 0;
}

std::string summary_headline(const json::object& summary) {
    const int level = summary_level(summary);
    return "OPEL daily summary " + text(summary, "date") + ": system " +
           (level > 0 ? "OPEL " + std::to_string(level) : std::string("level not known"));
}

} // namespace opel::channel
