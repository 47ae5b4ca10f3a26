// The rules file loader: yaml-cpp into rule_set. Every key is validated where
// it is read and every error carries the file and line, so an operator editing
// rules/llr.yaml sees all of them at once; a file with any error is refused
// whole, which is what lets reload swap rule sets atomically.
#include "rules/rules_loader.hpp"

#include "rules/alert.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <utility>

namespace opel::rules {

namespace {

/// The state of one load: the file and where its errors go.
struct loader {
    const std::filesystem::path& file;
    std::vector<core::diagnostic>& errors;

    void error(const YAML::Node& node, std::string message) {
        errors.push_back({file.string(), node.Mark().line + 1, std::move(message)});
    }
};

using key_handler = std::function<void(const YAML::Node& key, const YAML::Node& value)>;

/// Walks a mapping, refusing duplicate and unknown keys; `handlers` maps each
/// allowed key to its reader. False if `node` is not a mapping.
bool for_each_key(loader& l, const YAML::Node& node, const std::string& what,
                  const std::map<std::string, key_handler>& handlers) {
    if (!node.IsMap()) {
        l.error(node, what + ": expected a mapping");
        return false;
    }
    std::set<std::string> seen;
    for (const auto& kv : node) {
        const auto key = kv.first.Scalar();
        if (!seen.insert(key).second) {
            l.error(kv.first, what + ": duplicate key '" + key + "'");
            continue;
        }
        const auto h = handlers.find(key);
        if (h == handlers.end())
            l.error(kv.first, what + ": unknown key '" + key + "'");
        else
            h->second(kv.first, kv.second);
    }
    return true;
}

std::optional<std::string> read_string(loader& l, const YAML::Node& n, const std::string& key) {
    if (!n.IsScalar() || n.Scalar().empty()) {
        l.error(n, key + ": expected a non-empty string");
        return std::nullopt;
    }
    return n.Scalar();
}

std::optional<int> read_int(loader& l, const YAML::Node& n, const std::string& key, int lo,
                            int hi) {
    int v = 0;
    const auto& s = n.IsScalar() ? n.Scalar() : std::string();
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 9 ||
        (v = std::stoi(s)) < lo || v > hi) {
        l.error(n, key + ": expected a whole number from " + std::to_string(lo) + " to " +
                       std::to_string(hi));
        return std::nullopt;
    }
    return v;
}

std::optional<int> read_level(loader& l, const YAML::Node& n, const std::string& key) {
    return read_int(l, n, key, 1, 4);
}

std::optional<std::chrono::seconds> read_duration(loader& l, const YAML::Node& n,
                                                  const std::string& key) {
    auto d = n.IsScalar() ? parse_duration(n.Scalar()) : std::nullopt;
    if (!d || d->count() <= 0)
        l.error(n, key + ": expected a positive duration such as 30m, 24h or 7d");
    return d && d->count() > 0 ? d : std::nullopt;
}

/// A share: `20%` or a fraction from 0 to 1.
std::optional<double> read_share(loader& l, const YAML::Node& n, const std::string& key) {
    const auto& s = n.IsScalar() ? n.Scalar() : std::string();
    double v = -1;
    try {
        std::size_t used = 0;
        v = std::stod(s, &used);
        if (used + 1 == s.size() && s.back() == '%')
            v /= 100;
        else if (used != s.size())
            v = -1;
    } catch (const std::exception&) {
        v = -1;
    }
    if (!std::isfinite(v) || v < 0 || v > 1) {
        l.error(n, key + ": expected a share such as 20% or 0.2, from 0 to 100%");
        return std::nullopt;
    }
    return v;
}

bool read_bool(loader& l, const YAML::Node& n, const std::string& key, bool& out) {
    const auto& s = n.IsScalar() ? n.Scalar() : std::string();
    if (s != "true" && s != "false") {
        l.error(n, key + ": expected true or false");
        return false;
    }
    out = s == "true";
    return true;
}

/// A list of unique non-empty strings.
std::vector<std::string> read_list(loader& l, const YAML::Node& n, const std::string& key) {
    std::vector<std::string> out;
    if (!n.IsSequence()) {
        l.error(n, key + ": expected a list");
        return out;
    }
    for (const auto& item : n) {
        auto s = read_string(l, item, key);
        if (!s)
            continue;
        if (std::find(out.begin(), out.end(), *s) != out.end())
            l.error(item, key + ": '" + *s + "' is listed twice");
        else
            out.push_back(std::move(*s));
    }
    return out;
}

// --- conditions ---------------------------------------------------------

/// Sets `field` from `n` when it reads; a helper for the condition tables.
template <typename T>
void set_if(std::optional<T> v, T& field) {
    if (v)
        field = *v;
}

condition read_practice_level(loader& l, const YAML::Node& n) {
    practice_level_condition c;
    const bool ok = for_each_key(
        l, n, "practice_level",
        {{"at_least", [&](auto&, auto& v) { set_if(read_level(l, v, "at_least"), c.at_least); }},
         {"at_most", [&](auto&, auto& v) { set_if(read_level(l, v, "at_most"), c.at_most); }}});
    if (ok && c.at_most < c.at_least)
        l.error(n, "practice_level: at_most is below at_least");
    return c;
}

condition read_rise(loader& l, const YAML::Node& n) {
    rise_condition c;
    for_each_key(l, n, "rise",
                 {{"by", [&](auto&, auto& v) { set_if(read_int(l, v, "by", 1, 3), c.by); }}});
    return c;
}

condition read_sustained(loader& l, const YAML::Node& n) {
    sustained_condition c;
    for_each_key(
        l, n, "sustained",
        {{"at_least", [&](auto&, auto& v) { set_if(read_level(l, v, "at_least"), c.at_least); }},
         {"working_days",
          [&](auto&, auto& v) { set_if(read_int(l, v, "working_days", 1, 30), c.working_days); }}});
    return c;
}

condition read_group(loader& l, const YAML::Node& n) {
    group_condition c;
    bool scoped = false;
    const bool ok = for_each_key(
        l, n, "group",
        {{"scope",
          [&](auto&, auto& v) {
              const auto s = v.IsScalar() ? parse_group_scope(v.Scalar()) : std::nullopt;
              scoped = true;
              if (s)
                  c.scope = *s;
              else
                  l.error(v, "scope: expected pcn, place or system");
          }},
         {"at_least", [&](auto&, auto& v) { set_if(read_level(l, v, "at_least"), c.at_least); }},
         {"min_count",
          [&](auto&, auto& v) { set_if(read_int(l, v, "min_count", 1, 1000000), c.min_count); }},
         {"min_share", [&](auto&, auto& v) { set_if(read_share(l, v, "min_share"), c.min_share); }},
         {"min_reporting", [&](auto&, auto& v) {
              set_if(read_int(l, v, "min_reporting", 1, 1000000), c.min_reporting);
          }}});
    if (ok && !scoped)
        l.error(n, "group: scope is required (pcn, place or system)");
    return c;
}

condition read_theme(loader& l, const YAML::Node& n) {
    theme_condition c;
    for_each_key(
        l, n, "theme",
        {{"practices",
          [&](auto&, auto& v) { set_if(read_int(l, v, "practices", 1, 1000000), c.practices); }},
         {"within", [&](auto&, auto& v) { set_if(read_duration(l, v, "within"), c.within); }},
         {"themes", [&](auto&, auto& v) { c.themes = read_list(l, v, "themes"); }}});
    return c;
}

condition read_not_reporting(loader& l, const YAML::Node& n) {
    not_reporting_condition c;
    for_each_key(
        l, n, "not_reporting",
        {{"for", [&](auto&, auto& v) { set_if(read_duration(l, v, "for"), c.after); }},
         {"never_reported",
          [&](auto&, auto& v) { read_bool(l, v, "never_reported", c.never_reported); }}});
    return c;
}

condition read_unacknowledged(loader& l, const YAML::Node& n) {
    unacknowledged_condition c;
    const bool ok = for_each_key(
        l, n, "unacknowledged",
        {{"rule", [&](auto&, auto& v) { set_if(read_string(l, v, "rule"), c.rule); }},
         {"after", [&](auto&, auto& v) { set_if(read_duration(l, v, "after"), c.after); }}});
    if (ok && c.rule.empty())
        l.error(n, "unacknowledged: rule is required (the rule whose alerts it watches)");
    return c;
}

/// "2 working days" (or "1 working day"), as `support: {for: ...}` reads.
std::optional<int> read_working_days(loader& l, const YAML::Node& n) {
    const auto& s = n.IsScalar() ? n.Scalar() : std::string();
    const auto space = s.find(' ');
    const auto unit = space == std::string::npos ? "" : s.substr(space + 1);
    const auto digits = s.substr(0, space);
    if (digits.empty() || digits.size() > 2 ||
        digits.find_first_not_of("0123456789") != std::string::npos ||
        (unit != "working days" && unit != "working day") || std::stoi(digits) < 1 ||
        std::stoi(digits) > 30) {
        l.error(n, "for: expected a number of working days from 1 to 30, such as 2 working days");
        return std::nullopt;
    }
    return std::stoi(digits);
}

condition read_support(loader& l, const YAML::Node& n) {
    support_condition c;
    bool has_for = false;
    const bool ok = for_each_key(
        l, n, "support",
        {{"state",
          [&](auto&, auto& v) {
              if (!v.IsScalar() || v.Scalar() != "none")
                  l.error(v, "state: expected none (no support item open)");
          }},
         {"for", [&](auto&, auto& v) {
              has_for = true;
              set_if(read_working_days(l, v), c.working_days);
          }}});
    if (ok && !has_for)
        l.error(n, "support: for is required, such as 2 working days");
    return c;
}

/// `condition:` is a mapping with exactly one key, the kind.
std::optional<condition> read_condition(loader& l, const YAML::Node& n) {
    static const std::map<std::string, condition (*)(loader&, const YAML::Node&)> kinds{
        {"practice_level", read_practice_level}, {"rise", read_rise},
        {"sustained", read_sustained},           {"group", read_group},
        {"theme", read_theme},                   {"not_reporting", read_not_reporting},
        {"unacknowledged", read_unacknowledged}, {"support", read_support}};
    if (!n.IsMap() || n.size() != 1) {
        l.error(n, "condition: expected a mapping with one kind: practice_level, rise, "
                   "sustained, group, theme, not_reporting, unacknowledged or support");
        return std::nullopt;
    }
    const auto kv = *n.begin();
    const auto kind = kinds.find(kv.first.Scalar());
    if (kind == kinds.end()) {
        l.error(kv.first, "condition: unknown kind '" + kv.first.Scalar() + "'");
        return std::nullopt;
    }
    // `rise: {}` and `rise:` (null) both take every default.
    const YAML::Node params = kv.second.IsNull() ? YAML::Node(YAML::NodeType::Map) : kv.second;
    return kind->second(l, params);
}

} // namespace

// --- placeholders --------------------------------------------------------

const std::vector<std::string>& placeholders_for(const condition& c) {
    static const std::vector<std::string> common{"rule", "level", "level.name", "level.colour",
                                                 "support", "scope", "subject"};
    const auto with = [](std::vector<std::string> extra) {
        extra.insert(extra.end(), common.begin(), common.end());
        return extra;
    };
    static const std::vector<std::string> practice{"practice", "practice.code", "practice.name",
                                                   "pcn", "place"};
    const auto report = [&](std::vector<std::string> extra) {
        for (const auto* s : {"reported_level", "themes", "note", "support_requested",
                              "reported_at", "previous_level", "change"})
            extra.push_back(s);
        extra.insert(extra.end(), practice.begin(), practice.end());
        return with(extra);
    };
    static const std::vector<std::vector<std::string>> table{
        report({}),
        report({}),
        report({"days"}),
        with({"group", "count", "reporting", "share"}),
        with({"theme", "count", "practices"}),
        with({"practice", "practice.code", "practice.name", "pcn", "place", "last_reported",
              "days"}),
        with({"watched.rule", "watched.id", "watched.title", "watched.level", "minutes"}),
        report({"days"}),
    };
    return table[c.index()];
}

std::optional<std::chrono::seconds> parse_duration(const std::string& text) {
    if (text.size() < 2 || text.size() > 10)
        return std::nullopt;
    const auto digits = text.substr(0, text.size() - 1);
    if (digits.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    const long long n = std::stoll(digits);
    switch (text.back()) {
    case 's': return std::chrono::seconds{n};
    case 'm': return std::chrono::seconds{n * 60};
    case 'h': return std::chrono::seconds{n * 3600};
    case 'd': return std::chrono::seconds{n * 86400};
    default: return std::nullopt;
    }
}

namespace {

// --- rules ---------------------------------------------------------------

bool valid_rule_name(const std::string& s) {
    return !s.empty() && s.size() <= 64 &&
           s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos;
}

/// Parses a template and checks each placeholder against the rule's kind;
/// `kind` is null while the condition is not yet known (checked later).
text_template read_template(loader& l, const YAML::Node& n, const std::string& key) {
    auto s = read_string(l, n, key);
    if (!s)
        return {};
    std::string why;
    auto t = text_template::parse(*s, why);
    if (!t) {
        l.error(n, key + ": " + why);
        return {};
    }
    return *t;
}

void check_placeholders(loader& l, const YAML::Node& n, const text_template& t,
                        const rule& r, const std::string& key) {
    const auto& allowed = placeholders_for(r.when);
    for (const auto& name : t.placeholders())
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
            l.error(n, key + ": unknown placeholder {" + name + "} for a " +
                           kind_name(r.when) + " rule (see rules/README.md)");
}

/// The keys of one rule, read into `r`; `nodes` keeps where each key was.
std::map<std::string, key_handler> rule_keys(loader& l, rule& r, bool& has_condition,
                                             std::map<std::string, YAML::Node>& nodes) {
    return {
        {"name", [&](auto&, auto& v) { set_if(read_string(l, v, "name"), r.name); }},
        {"description", [&](auto&, auto& v) { read_string(l, v, "description"); }},
        {"condition",
         [&](auto&, auto& v) {
             if (auto c = read_condition(l, v)) {
                 r.when = std::move(*c);
                 has_condition = true;
             }
         }},
        {"level",
         [&](auto&, auto& v) {
             nodes["level"] = v;
             if (v.IsScalar() && v.Scalar() == "report")
                 r.level.reset();
             else
                 r.level = read_level(l, v, "level (or 'report')").value_or(1);
         }},
        {"audiences", [&](auto&, auto& v) { nodes["audiences"] = v; r.audiences = read_list(l, v, "audiences"); }},
        {"title", [&](auto&, auto& v) { nodes["title"] = v; r.title = read_template(l, v, "title"); }},
        {"message", [&](auto&, auto& v) { nodes["message"] = v; r.message = read_template(l, v, "message"); }},
        {"places", [&](auto&, auto& v) { r.places = read_list(l, v, "places"); }},
        {"pcns", [&](auto&, auto& v) { r.pcns = read_list(l, v, "pcns"); }},
        {"supersedes", [&](auto&, auto& v) { nodes["supersedes"] = v; r.supersedes = read_list(l, v, "supersedes"); }},
        {"inhibits", [&](auto&, auto& v) {
             r.inhibits_line = v.Mark().line + 1;
             r.inhibits = read_list(l, v, "inhibits");
         }},
        {"resolve_at_most", [&](auto&, auto& v) {
             nodes["resolve_at_most"] = v;
             set_if(read_int(l, v, "resolve_at_most", 0, 3), r.resolve_at_most);
         }},
    };
}

/// Checks that need the whole rule: required keys, and keys that only make
/// sense for some kinds.
void check_rule(loader& l, const YAML::Node& n, const rule& r, bool has_condition,
                std::map<std::string, YAML::Node>& nodes) {
    const std::string who = "rule '" + r.name + "': ";
    if (r.name.empty())
        l.error(n, "rule: name is required");
    else if (!valid_rule_name(r.name))
        l.error(n, who + "a name is lower-case letters, digits, '-' and '_'");
    else if (is_own_rule(r.name))
        l.error(n, who + "the name is reserved for the alert opeld raises itself when a "
                         "webhook subscriber keeps failing");
    if (!has_condition)
        l.error(n, who + "condition is required");
    if (!nodes.count("level"))
        l.error(n, who + "level is required (1 to 4, or report)");
    if (!nodes.count("audiences") || r.audiences.empty())
        l.error(nodes.count("audiences") ? nodes["audiences"] : n,
                who + "audiences: at least one audience is required");
    for (const auto* key : {"title", "message"})
        if (!nodes.count(key))
            l.error(n, who + key + " is required");
    if (!has_condition)
        return;
    if (nodes.count("title"))
        check_placeholders(l, nodes["title"], r.title, r, "title");
    if (nodes.count("message"))
        check_placeholders(l, nodes["message"], r.message, r, "message");
    const bool report = r.resolves_on_report();
    if (!r.level && !report)
        l.error(nodes["level"], who + "level: report only applies to rules about one report");
    if (nodes.count("resolve_at_most") && !report)
        l.error(nodes["resolve_at_most"], who + "resolve_at_most only applies to practice rules");
    if (nodes.count("supersedes") && !report)
        l.error(nodes["supersedes"], who + "supersedes only applies to practice rules");
}

std::optional<rule> read_rule(loader& l, const YAML::Node& n) {
    rule r;
    r.line = n.Mark().line + 1;
    bool has_condition = false;
    std::map<std::string, YAML::Node> nodes;
    const auto before = l.errors.size();
    if (!for_each_key(l, n, "rule", rule_keys(l, r, has_condition, nodes)))
        return std::nullopt;
    check_rule(l, n, r, has_condition, nodes);
    if (l.errors.size() != before)
        return std::nullopt;
    return r;
}

/// Checks between rules: unique names, and every name or theme a rule cites.
void check_references(loader& l, const rule_set& set, const std::vector<YAML::Node>& nodes) {
    std::set<std::string> names;
    for (std::size_t i = 0; i < set.rules.size(); ++i) {
        const auto& r = set.rules[i];
        const auto& n = nodes[i];
        if (!names.insert(r.name).second)
            l.error(n, "rule '" + r.name + "': another rule has this name");
        for (const auto& s : r.supersedes)
            if (!set.find(s) || s == r.name)
                l.error(n, "rule '" + r.name + "': supersedes '" + s + "', which is not another rule");
        for (const auto& s : r.inhibits)
            if (!set.find(s) || s == r.name)
                l.errors.push_back({l.file.string(), r.inhibits_line,
                                    "rule '" + r.name + "': inhibits '" + s +
                                        "', which is not another rule"});
        if (const auto* u = std::get_if<unacknowledged_condition>(&r.when)) {
            const auto* w = set.find(u->rule);
            if (!w || w == &r)
                l.error(n, "rule '" + r.name + "': unacknowledged: no other rule '" + u->rule + "'");
            else if (std::holds_alternative<unacknowledged_condition>(w->when))
                l.error(n, "rule '" + r.name + "': unacknowledged cannot watch another unacknowledged rule");
        }
        if (const auto* t = std::get_if<theme_condition>(&r.when))
            for (const auto& id : t->themes)
                if (!set.has_theme(id))
                    l.error(n, "rule '" + r.name + "': theme '" + id + "' is not declared in themes");
    }
}

/// Inhibitions must not form a cycle: two rules silencing each other would
/// leave a practice with no voice at all.
void check_inhibition_cycle(loader& l, const rule_set& set) {
    const auto cycle = set.inhibition_cycle();
    if (cycle.empty())
        return;
    std::string path;
    for (const auto i : cycle)
        path += (path.empty() ? "" : " -> ") + set.rules[i].name;
    const auto& first = set.rules[cycle.front()];
    l.errors.push_back({l.file.string(), first.inhibits_line,
                        "rule '" + first.name + "': inhibits form a cycle (" + path +
                            "): each rule would keep the other quiet"});
}

void read_rules(loader& l, const YAML::Node& n, rule_set& set) {
    if (!n.IsSequence()) {
        l.error(n, "rules: expected a list of rules");
        return;
    }
    std::vector<YAML::Node> nodes;
    for (const auto& item : n)
        if (auto r = read_rule(l, item)) {
            set.rules.push_back(std::move(*r));
            nodes.push_back(item);
        }
    check_references(l, set, nodes);
    check_inhibition_cycle(l, set);
}

bool valid_theme_id(const std::string& s) {
    return !s.empty() && s.size() <= 64 &&
           s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") == std::string::npos;
}

/// One entry of `themes`: a plain id, or `{id, name}` with a display name.
/// Returns the id (empty when refused).
std::string read_theme(loader& l, const YAML::Node& t, rule_set& set) {
    const YAML::Node id = t.IsMap() ? t["id"] : t;
    if (t.IsMap()) {
        for (const auto& kv : t) {
            const auto key = kv.first.Scalar();
            if (key != "id" && key != "name")
                l.error(kv.first, "themes: unknown key '" + key + "' (expected id and name)");
        }
        const YAML::Node name = t["name"];
        if (!name || !name.IsScalar() || name.Scalar().empty() || name.Scalar().size() > 80) {
            l.error(t, "themes: a theme's name is text of 1 to 80 characters");
            return {};
        }
    }
    if (!id || !id.IsScalar() || !valid_theme_id(id.Scalar())) {
        l.error(t, "themes: a theme id is lower-case letters, digits, '_' and '-'");
        return {};
    }
    if (set.has_theme(id.Scalar())) {
        l.error(t, "themes: duplicate theme id '" + id.Scalar() + "'");
        return {};
    }
    if (t.IsMap()) set.theme_names[id.Scalar()] = t["name"].Scalar();
    return id.Scalar();
}

void read_themes(loader& l, const YAML::Node& n, rule_set& set) {
    if (!n.IsSequence()) {
        l.error(n, "themes: expected a list of theme ids, or of {id, name}");
        return;
    }
    for (const auto& t : n)
        if (auto id = read_theme(l, t, set); !id.empty()) set.themes.push_back(std::move(id));
}

/// `support_actions`: a list of `{id, name}`, ids unique and shaped like
/// theme ids, names the text pages and reports show.
void read_support_actions(loader& l, const YAML::Node& n, rule_set& set) {
    if (!n.IsSequence()) {
        l.error(n, "support_actions: expected a list of {id, name}");
        return;
    }
    for (const auto& item : n) {
        support_action a;
        const bool ok = for_each_key(
            l, item, "support_actions",
            {{"id",
              [&](auto&, auto& v) {
                  if (!v.IsScalar() || !valid_theme_id(v.Scalar()))
                      l.error(v, "support_actions: an id is lower-case letters, digits, '_' "
                                 "and '-'");
                  else
                      a.id = v.Scalar();
              }},
             {"name", [&](auto&, auto& v) {
                  const auto s = read_string(l, v, "support_actions: name");
                  if (s && s->size() > 100)
                      l.error(v, "support_actions: name: at most 100 characters");
                  else if (s)
                      a.name = *s;
              }}});
        if (!ok)
            continue;
        if (!item["id"] || !item["name"])
            l.error(item, "support_actions: each action needs an id and a name");
        else if (!a.id.empty() && set.find_action(a.id))
            l.error(item["id"], "support_actions: duplicate id '" + a.id + "'");
        else if (!a.id.empty() && !a.name.empty())
            set.support_actions.push_back(std::move(a));
    }
}

void read_weight(loader& l, const YAML::Node& v, core::group_weight& w) {
    if (v.IsScalar() && v.Scalar() == "practices")
        w = core::group_weight::practices;
    else if (v.IsScalar() && v.Scalar() == "list_size")
        w = core::group_weight::list_size;
    else
        l.error(v, "weight: expected practices or list_size");
}

/// `group_level:` (or its older name `system_level:`): the one rule for the
/// level of the system, each place and each PCN.
void read_group_level(loader& l, const YAML::Node& n, const char* what,
                      core::system_thresholds& t) {
    const auto share = [&](double& field, const char* key) {
        return [&l, &field, key](auto&, auto& v) { set_if(read_share(l, v, key), field); };
    };
    const auto count = [&](int& field, const char* key) {
        return [&l, &field, key](auto&, auto& v) { set_if(read_int(l, v, key, 1, 1000000), field); };
    };
    for_each_key(l, n, what,
                 {{"level4_share_at_4", share(t.level4_share_at_4, "level4_share_at_4")},
                  {"level4_share_at_3", share(t.level4_share_at_3, "level4_share_at_3")},
                  {"level3_share_at_3", share(t.level3_share_at_3, "level3_share_at_3")},
                  {"level2_share_at_2", share(t.level2_share_at_2, "level2_share_at_2")},
                  {"min_reporting", count(t.min_reporting, "min_reporting")},
                  {"min_practices", count(t.min_practices, "min_practices")},
                  {"weight", [&](auto&, auto& v) { read_weight(l, v, t.weight); }}});
}

void read_stale_after(loader& l, const YAML::Node& n, rule_set& set) {
    const auto d = read_duration(l, n, "stale_after");
    if (!d)
        return;
    if (d->count() % 3600 != 0)
        l.error(n, "stale_after: expected whole hours or days, such as 168h or 7d");
    else
        set.stale_after = std::chrono::duration_cast<std::chrono::hours>(*d);
}

} // namespace

std::shared_ptr<const rule_set> load_rule_set(const std::filesystem::path& file,
                                              std::vector<core::diagnostic>& errors) {
    const auto before = errors.size();
    YAML::Node root;
    try {
        root = YAML::LoadFile(file.string());
    } catch (const YAML::BadFile&) {
        errors.push_back({file.string(), 0, "cannot read the rules file"});
        return nullptr;
    } catch (const YAML::ParserException& e) {
        errors.push_back({file.string(), e.mark.line + 1, e.msg});
        return nullptr;
    }
    auto set = std::make_shared<rule_set>();
    loader l{file, errors};
    if (!root.IsMap()) {
        errors.push_back({file.string(), 1, "the rules file must be a mapping"});
        return nullptr;
    }
    // Looked up before the walk: a non-const operator[] would insert the key
    // into the mapping being iterated.
    const bool has_group_level = std::as_const(root)["group_level"].IsDefined();
    // Themes first: the rules cite them, whatever order the file has.
    if (root["themes"])
        read_themes(l, root["themes"], *set);
    for_each_key(l, root, "rules file",
                 {{"themes", [](auto&, auto&) {}},
                  {"stale_after", [&](auto&, auto& v) { read_stale_after(l, v, *set); }},
                  {"group_level",
                   [&](auto&, auto& v) { read_group_level(l, v, "group_level", set->system); }},
                  {"system_level",
                   [&, has_group_level](auto& k, auto& v) {
                       if (has_group_level)
                           l.error(k, "system_level: the older name of group_level; give one of them");
                       else
                           read_group_level(l, v, "system_level", set->system);
                   }},
                  {"rules", [&](auto&, auto& v) { read_rules(l, v, *set); }},
                  {"support_actions",
                   [&](auto&, auto& v) { read_support_actions(l, v, *set); }}});
    if (errors.size() != before)
        return nullptr;
    return set;
}

} // namespace opel::rules
