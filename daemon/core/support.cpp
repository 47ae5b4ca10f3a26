// Support items and escalations as values. The state machine is a table of
// moves and one verdict function, so every allowed and refused move is tested
// directly; the body parsers share the strict JSON layer of submissions, so a
// duplicate key or a lone surrogate is refused here exactly as there.
#include "core/support.hpp"

#include "core/submission_parser.hpp"
#include "core/time.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <map>

namespace opel::core {

namespace json = boost::json;

namespace {

constexpr std::array<std::pair<support_state, const char*>, 5> names{{
    {support_state::offered, "offered"},
    {support_state::agreed, "agreed"},
    {support_state::declined, "declined"},
    {support_state::in_place, "in_place"},
    {support_state::ended, "ended"},
}};

error bad(std::string code, std::string message, std::string field) {
    return error{400, std::move(code), std::move(message), std::move(field)};
}

error invalid(std::string code, std::string message, std::string field) {
    return error{422, std::move(code), std::move(message), std::move(field)};
}

json::array strings(const std::vector<std::string>& v) {
    json::array a;
    for (const auto& s : v)
        a.emplace_back(s);
    return a;
}

/// Text of at most `max` code points, with no control character but tab and
/// line breaks, at obj[key]; an error when it is not.
std::optional<error> read_text(const json::value& v, const std::string& key, std::size_t max,
                               bool required, std::string& out) {
    if (!v.is_string())
        return bad("wrong_type", "The field '" + key + "' must be text.", key);
    out = v.as_string();
    const auto n = code_points(out);
    if (required && n == 0)
        return invalid("too_short", "The field '" + key + "' must not be empty.", key);
    if (n > max)
        return invalid("too_long", "The field '" + key + "' must be at most " +
                                       std::to_string(max) + " characters; it has " +
                                       std::to_string(n) + ".", key);
    return check_control_characters(out, key);
}

/// A list of unique non-empty strings at `key`.
std::optional<error> read_list(const json::value& v, const std::string& key,
                               std::vector<std::string>& out) {
    if (!v.is_array())
        return bad("wrong_type", "The field '" + key + "' must be a list of ids.", key);
    if (v.as_array().size() > 200)
        return invalid("too_many", "The field '" + key + "' may name at most 200.", key);
    for (const auto& e : v.as_array()) {
        if (!e.is_string())
            return bad("wrong_type", "The field '" + key + "' must be a list of ids.", key);
        const std::string s(e.as_string());
        if (s.empty())
            return invalid("empty_id", "An id in '" + key + "' is empty; remove it.", key);
        if (auto e = check_control_characters(s, key))
            return e;
        if (std::find(out.begin(), out.end(), s) != out.end())
            return invalid("duplicate_id", "'" + s + "' is named twice in '" + key + "'.", key);
        out.push_back(s);
    }
    return std::nullopt;
}

using field_reader = std::function<std::optional<error>(const json::value&)>;

/// Runs `readers` over the keys of `body`: unknown keys are 400, and each key
/// of `required` must be there.
std::optional<error> read_fields(std::string_view body, const std::string& what,
                                 const std::map<std::string, field_reader>& readers,
                                 const std::vector<std::string>& required) {
    auto parsed = parse_json_object(body);
    if (auto* e = std::get_if<error>(&parsed))
        return *e;
    const auto& o = std::get<json::object>(parsed);
    for (const auto& [k, v] : o) {
        const std::string key(k);
        const auto it = readers.find(key);
        if (it == readers.end())
            return bad("unknown_field", "The field '" + key + "' is not part of " + what +
                                            "; remove it.", key);
        if (auto e = it->second(v))
            return e;
    }
    for (const auto& key : required)
        if (!o.contains(key))
            return bad("missing_field", "The field '" + key + "' is required; add it.", key);
    return std::nullopt;
}

} // namespace

const char* state_name(support_state s) {
    for (const auto& [state, name] : names)
        if (state == s)
            return name;
    return "offered";
}

std::optional<support_state> parse_support_state(std::string_view s) {
    for (const auto& [state, name] : names)
        if (s == name)
            return state;
    return std::nullopt;
}

bool is_open(support_state s) {
    return s == support_state::offered || s == support_state::agreed ||
           s == support_state::in_place;
}

bool can_move(support_state from, support_state to) {
    using enum support_state;
    switch (from) {
    case offered:
        return to == agreed || to == declined;
    case agreed:
        return to == in_place || to == ended;
    case in_place:
        return to == ended;
    case declined:
    case ended:
        return false;
    }
    return false;
}

move_verdict judge_move(support_state from, support_state to, mover by) {
    if (!can_move(from, to))
        return move_verdict::not_allowed;
    switch (by.who) {
    case role::team:
    case role::admin:
        return move_verdict::allowed;
    case role::practice:
        // A practice answers an offer made to it; the rest is the team's work.
        return by.own_practice && from == support_state::offered ? move_verdict::allowed
                                                                 : move_verdict::forbidden;
    case role::control_room:
        return move_verdict::forbidden;
    }
    return move_verdict::forbidden;
}

std::optional<support_state> support_item::state_at(time_point t) const {
    if (t < created_at)
        return std::nullopt;
    std::optional<support_state> at = support_state::offered;
    for (const auto& step : history)
        if (step.at <= t)
            at = step.state;
    return at;
}

json::object to_json(const support_item& s) {
    json::array history;
    for (const auto& h : s.history)
        history.push_back({{"state", state_name(h.state)},
                           {"by", h.by},
                           {"role", h.role},
                           {"at", format_time(h.at)},
                           {"note", h.note.empty() ? json::value(nullptr) : json::value(h.note)}});
    return {{"id", s.id},
            {"practice", s.practice},
            {"action", s.action},
            {"note", s.note.empty() ? json::value(nullptr) : json::value(s.note)},
            {"state", state_name(s.state)},
            {"by", s.by},
            {"created_at", format_time(s.created_at)},
            {"updated_at", format_time(s.updated_at)},
            {"alert", s.alert ? json::value(*s.alert) : json::value(nullptr)},
            {"history", std::move(history)}};
}

json::object to_json(const escalation& e) {
    return {{"id", e.id},
            {"title", e.title},
            {"message", e.message},
            {"level", e.level},
            {"themes", strings(e.themes)},
            {"practices", strings(e.practices)},
            {"by", e.by},
            {"created_at", format_time(e.created_at)}};
}

std::string history_json(const std::vector<support_step>& h) {
    json::array a;
    for (const auto& s : h)
        a.push_back({{"state", state_name(s.state)},
                     {"by", s.by},
                     {"role", s.role},
                     {"at", s.at.time_since_epoch().count()},
                     {"note", s.note}});
    return json::serialize(a);
}

std::vector<support_step> history_from_json(std::string_view text) {
    std::vector<support_step> out;
    boost::system::error_code ec;
    const auto v = json::parse(text, ec);
    if (ec || !v.is_array())
        return out;
    for (const auto& e : v.as_array()) {
        const auto* o = e.if_object();
        if (!o)
            continue;
        support_step s;
        s.state = parse_support_state(json::value_to<std::string>(o->at("state")))
                      .value_or(support_state::offered);
        s.by = json::value_to<std::string>(o->at("by"));
        s.role = json::value_to<std::string>(o->at("role"));
        s.at = time_point{std::chrono::microseconds{o->at("at").to_number<std::int64_t>()}};
        s.note = json::value_to<std::string>(o->at("note"));
        out.push_back(std::move(s));
    }
    return out;
}

std::variant<support_offer, error> parse_support_offer(std::string_view body) {
    support_offer out;
    const auto e = read_fields(
        body, "a support offer",
        {{"action", [&](const json::value& v) { return read_text(v, "action", 64, true, out.action); }},
         {"note", [&](const json::value& v) {
              return v.is_null() ? std::nullopt
                                 : read_text(v, "note", max_support_note_chars, false, out.note);
          }}},
        {"action"});
    if (e)
        return *e;
    return out;
}

std::variant<support_move, error> parse_support_move(std::string_view body) {
    support_move out;
    const auto e = read_fields(
        body, "a support change",
        {{"state",
          [&](const json::value& v) -> std::optional<error> {
              std::string s;
              if (auto bad_text = read_text(v, "state", 16, true, s))
                  return bad_text;
              const auto st = parse_support_state(s);
              if (!st || *st == support_state::offered)
                  return invalid("invalid_state",
                                 "state must be agreed, declined, in_place or ended.", "state");
              out.to = *st;
              return std::nullopt;
          }},
         {"note", [&](const json::value& v) {
              return v.is_null() ? std::nullopt
                                 : read_text(v, "note", max_support_note_chars, false, out.note);
          }}},
        {"state"});
    if (e)
        return *e;
    return out;
}

std::variant<escalation, error> parse_escalation(std::string_view body) {
    escalation out;
    const auto e = read_fields(
        body, "an escalation",
        {{"title", [&](const json::value& v) { return read_text(v, "title", max_title_chars, true, out.title); }},
         {"message",
          [&](const json::value& v) {
              return read_text(v, "message", max_message_chars, true, out.message);
          }},
         {"level",
          [&](const json::value& v) -> std::optional<error> {
              if (!v.is_int64() && !v.is_uint64())
                  return bad("wrong_type", "The field 'level' must be a whole number.", "level");
              if (!v.is_int64() || v.as_int64() < 1 || v.as_int64() > 4)
                  return invalid("level_out_of_range", "The level must be 1, 2, 3 or 4.", "level");
              out.level = static_cast<int>(v.as_int64());
              return std::nullopt;
          }},
         {"themes", [&](const json::value& v) { return read_list(v, "themes", out.themes); }},
         {"practices",
          [&](const json::value& v) { return read_list(v, "practices", out.practices); }}},
        {"title", "message", "level"});
    if (e)
        return *e;
    return out;
}

} // namespace opel::core
