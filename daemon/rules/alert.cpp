// Alert and silence values and their JSON: the one place the contract's Alert
// shape is spelled, so the store, the feeds and opelctl all agree on it.
#include "rules/alert.hpp"

#include "core/json_out.hpp"
#include "core/time.hpp"

#include <charconv>

namespace opel::rules {

namespace json = boost::json;

const char* state_name(alert_state s) {
    switch (s) {
    case alert_state::firing: return "firing";
    case alert_state::acknowledged: return "acknowledged";
    case alert_state::resolved: return "resolved";
    }
    return "firing";
}

std::optional<alert_state> parse_state(std::string_view s) {
    for (auto st : {alert_state::firing, alert_state::acknowledged, alert_state::resolved})
        if (s == state_name(st))
            return st;
    return std::nullopt;
}

bool silence::matches(const alert& a) const {
    return (rule.empty() || rule == a.rule) && (scope.empty() || scope == a.scope) &&
           (subject.empty() || subject == a.subject);
}

namespace {

json::value or_null(const std::string& s, const json::storage_ptr& sp = {}) {
    return s.empty() ? json::value(nullptr, sp) : json::value(s, sp);
}

json::array strings(const std::vector<std::string>& v, const json::storage_ptr& sp) {
    json::array out(sp);
    out.reserve(v.size());
    for (const auto& s : v)
        out.emplace_back(s);
    return out;
}

} // namespace

json::object to_json(const alert& a, json::storage_ptr sp) {
    json::array evidence(sp);
    evidence.reserve(a.evidence.size());
    for (auto id : a.evidence)
        evidence.emplace_back(id);
    return json::object(
           {{"id", a.id},
            {"rule", a.rule},
            {"level", a.level},
            {"scope", a.scope},
            {"subject", a.subject},
            {"audiences", strings(a.audiences, sp)},
            {"title", a.title},
            {"message", a.message},
            {"evidence", std::move(evidence)},
            {"state", state_name(a.state)},
            {"created_at", core::format_time(a.created_at)},
            {"updated_at", core::format_time(a.updated_at)},
            {"fired_at", a.fired_at ? json::value(core::format_time(*a.fired_at), sp)
                                    : json::value(nullptr, sp)},
            {"acknowledged_by", or_null(a.acknowledged_by, sp)},
            {"note", or_null(a.note, sp)},
            {"resolution", or_null(a.resolution, sp)},
            {"silenced", a.silenced},
            {"inhibited_by", a.inhibited_by ? json::value(*a.inhibited_by, sp)
                                            : json::value(nullptr, sp)}},
           sp);
}

std::string to_json_text(const alert& a) {
    // The keys in to_json's order; strings escaped as its serializer does.
    std::string out;
    out.reserve(320 + a.title.size() + a.message.size() + 12 * a.evidence.size());
    const auto text = [&out](const char* key, std::string_view v) {
        out += key;
        core::append_json_string(out, v);
    };
    const auto text_or_null = [&](const char* key, const std::string& v) {
        if (v.empty())
            (out += key) += "null";
        else
            text(key, v);
    };
    const auto time_or_null = [&](const char* key, const std::optional<core::time_point>& t) {
        if (!t)
            (out += key) += "null";
        else {
            out += key;
            out += '"';
            out += core::format_time(*t);
            out += '"';
        }
    };
    (out += "{\"id\":") += std::to_string(a.id);
    text(",\"rule\":", a.rule);
    (out += ",\"level\":") += std::to_string(a.level);
    text(",\"scope\":", a.scope);
    text(",\"subject\":", a.subject);
    out += ",\"audiences\":[";
    for (std::size_t i = 0; i < a.audiences.size(); ++i) {
        if (i > 0)
            out += ',';
        core::append_json_string(out, a.audiences[i]);
    }
    text("],\"title\":", a.title);
    text(",\"message\":", a.message);
    out += ",\"evidence\":[";
    for (std::size_t i = 0; i < a.evidence.size(); ++i) {
        // Up to 200 ids a group alert: digits straight into the text.
        char digits[24];
        char* end = digits;
        if (i > 0)
            *end++ = ',';
        end = std::to_chars(end, digits + sizeof digits, a.evidence[i]).ptr;
        out.append(digits, end);
    }
    (out += "],\"state\":\"") += state_name(a.state);
    time_or_null("\",\"created_at\":", a.created_at);
    time_or_null(",\"updated_at\":", a.updated_at);
    time_or_null(",\"fired_at\":", a.fired_at);
    text_or_null(",\"acknowledged_by\":", a.acknowledged_by);
    text_or_null(",\"note\":", a.note);
    text_or_null(",\"resolution\":", a.resolution);
    (out += ",\"silenced\":") += a.silenced ? "true" : "false";
    out += ",\"inhibited_by\":";
    out += a.inhibited_by ? std::to_string(*a.inhibited_by) : std::string("null");
    out += '}';
    return out;
}

namespace {

/// Reads the optional text and time fields of an alert.
bool read_optional_fields(const json::object& o, alert& a) {
    for (auto [key, field] : {std::pair{"acknowledged_by", &a.acknowledged_by},
                              std::pair{"note", &a.note}, std::pair{"resolution", &a.resolution}}) {
        const auto* v = o.if_contains(key);
        if (v && v->is_string())
            *field = std::string(v->get_string());
        else if (v && !v->is_null())
            return false;
    }
    if (const auto* v = o.if_contains("fired_at"); v && v->is_string()) {
        a.fired_at = core::parse_time(v->get_string());
        if (!a.fired_at)
            return false;
    }
    if (const auto* v = o.if_contains("silenced"); v && v->is_bool())
        a.silenced = v->get_bool();
    if (const auto* v = o.if_contains("inhibited_by"); v && v->is_int64())
        a.inhibited_by = v->get_int64();
    else if (v && !v->is_null())
        return false;
    return true;
}

} // namespace

std::optional<alert> alert_from_json(const json::value& v) {
    try {
        const auto& o = v.as_object();
        alert a;
        a.id = o.at("id").to_number<std::int64_t>();
        a.rule = std::string(o.at("rule").as_string());
        a.level = o.at("level").to_number<int>();
        a.scope = std::string(o.at("scope").as_string());
        a.subject = std::string(o.at("subject").as_string());
        a.title = std::string(o.at("title").as_string());
        a.message = std::string(o.at("message").as_string());
        for (const auto& s : o.at("audiences").as_array())
            a.audiences.emplace_back(s.as_string());
        for (const auto& e : o.at("evidence").as_array())
            a.evidence.push_back(e.to_number<std::int64_t>());
        const auto state = parse_state(o.at("state").as_string());
        const auto created = core::parse_time(o.at("created_at").as_string());
        const auto updated = core::parse_time(o.at("updated_at").as_string());
        if (!state || !created || !updated || !read_optional_fields(o, a))
            return std::nullopt;
        a.state = *state;
        a.created_at = *created;
        a.updated_at = *updated;
        return a;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

json::object to_json(const silence& s) {
    return {{"id", s.id},
            {"rule", or_null(s.rule)},
            {"scope", or_null(s.scope)},
            {"subject", or_null(s.subject)},
            {"starts_at", core::format_time(s.starts_at)},
            {"ends_at", core::format_time(s.ends_at)},
            {"created_by", s.created_by},
            {"comment", s.comment}};
}

std::optional<silence> silence_from_json(const json::value& v) {
    try {
        const auto& o = v.as_object();
        const auto text = [&](const char* key) {
            const auto& x = o.at(key);
            return x.is_null() ? std::string() : std::string(x.as_string());
        };
        silence s;
        s.id = o.at("id").to_number<std::int64_t>();
        s.rule = text("rule");
        s.scope = text("scope");
        s.subject = text("subject");
        s.created_by = text("created_by");
        s.comment = text("comment");
        const auto starts = core::parse_time(o.at("starts_at").as_string());
        const auto ends = core::parse_time(o.at("ends_at").as_string());
        if (!starts || !ends)
            return std::nullopt;
        s.starts_at = *starts;
        s.ends_at = *ends;
        return s;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::string alert_topic(const alert& a) {
    return "alert.L" + std::to_string(a.level) + "." + a.scope + "." + a.subject;
}

} // namespace opel::rules
