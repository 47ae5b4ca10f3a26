// One vocabulary and one clock: opelctl shows times as the daemon's people
// read them (its `timezone`, with the zone's name, dates with the year) and
// themes by the names the rules file gives them, as the dashboard and the
// summaries do. opelctl runs one command per process, so the vocabulary is
// read once, before printing, and kept for the run.
#include "vocabulary.hpp"

#include "core/time.hpp"
#include "http_call.hpp"

#include <boost/json.hpp>

namespace opel::ctl {

namespace {

vocabulary& current() {
    static vocabulary v;
    return v;
}

std::string text(const boost::json::value& v) {
    return v.is_string() ? std::string(v.get_string()) : std::string();
}

} // namespace

vocabulary::vocabulary(const boost::json::value& me) {
    if (!me.is_object())
        return;
    const auto& o = me.get_object();
    if (const auto* tz = o.if_contains("timezone"); tz && tz->is_string()) {
        try {
            zone_ = date::locate_zone(std::string(tz->get_string()));
        } catch (const std::exception&) {
            zone_ = nullptr; // a zone this machine's database lacks: UTC, still labelled
        }
    }
    if (const auto* list = o.if_contains("themes"); list && list->is_array())
        for (const auto& t : list->get_array())
            if (t.is_object() && t.get_object().contains("id"))
                themes_.emplace_back(text(t.get_object().at("id")),
                                     t.get_object().contains("name")
                                         ? text(t.get_object().at("name"))
                                         : text(t.get_object().at("id")));
    if (const auto* list = o.if_contains("rules"); list && list->is_array())
        for (const auto& r : list->get_array())
            if (r.is_string())
                rules_.push_back(text(r));
}

std::string vocabulary::time(const boost::json::value& v) const {
    if (v.is_null())
        return "-";
    const auto s = text(v);
    const auto t = core::parse_time(s);
    if (!t)
        return s.empty() ? boost::json::serialize(v) : s;
    const auto minutes = date::floor<std::chrono::minutes>(*t);
    if (!zone_)
        return date::format("%F %H:%M UTC", minutes);
    return date::format("%F %H:%M %Z", date::make_zoned(zone_, minutes));
}

std::string vocabulary::theme(std::string_view id) const {
    for (const auto& [known, name] : themes_)
        if (known == id && !name.empty())
            return name;
    return std::string(id);
}

std::string vocabulary::themes(const boost::json::value& ids) const {
    std::string out;
    if (ids.is_array())
        for (const auto& id : ids.get_array())
            out += (out.empty() ? "" : ", ") + theme(text(id));
    return out.empty() ? "-" : out;
}

std::vector<std::string> vocabulary::theme_ids() const {
    std::vector<std::string> out;
    for (const auto& entry : themes_)
        out.push_back(entry.first);
    return out;
}

const vocabulary& words() { return current(); }

void load_words(http_call& call) {
    try {
        const auto answer = call.get("/v1/me");
        if (answer.status == 200)
            current() = vocabulary(boost::json::parse(answer.body));
    } catch (const std::exception&) {
        // The command's own call reports any real failure; here nothing is lost.
    }
}

} // namespace opel::ctl
