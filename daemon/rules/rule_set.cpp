// Queries on a loaded rule set and its rules: names, scopes and filters, so the
// loader and the engine agree on what each kind of condition means.
#include "rules/rule_set.hpp"

#include <algorithm>

namespace opel::rules {

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

} // namespace

const char* kind_name(const condition& c) {
    static constexpr const char* names[] = {"practice_level", "rise",          "sustained",
                                            "group",          "theme",         "not_reporting",
                                            "unacknowledged"};
    return names[c.index()];
}

std::optional<group_scope> parse_group_scope(const std::string& s) {
    if (s == "pcn")
        return group_scope::pcn;
    if (s == "place")
        return group_scope::place;
    if (s == "system")
        return group_scope::system;
    return std::nullopt;
}

const char* scope_name(group_scope s) {
    switch (s) {
    case group_scope::pcn: return "pcn";
    case group_scope::place: return "place";
    case group_scope::system: return "system";
    }
    return "system";
}

std::string rule::scope() const {
    if (const auto* g = std::get_if<group_condition>(&when))
        return scope_name(g->scope);
    if (std::holds_alternative<theme_condition>(when))
        return "system";
    // An unacknowledged rule's scope is its watched alert's; the engine sets it.
    return "practice";
}

bool rule::resolves_on_report() const {
    return std::holds_alternative<practice_level_condition>(when) ||
           std::holds_alternative<rise_condition>(when) ||
           std::holds_alternative<sustained_condition>(when);
}

bool rule::admits(const std::string& pcn, const std::string& place) const {
    return (places.empty() || contains(places, place)) && (pcns.empty() || contains(pcns, pcn));
}

bool rule_set::has_theme(const std::string& id) const {
    return contains(themes, id);
}

const std::string& rule_set::theme_name(const std::string& id) const {
    const auto it = theme_names.find(id);
    return it == theme_names.end() ? id : it->second;
}

const rule* rule_set::find(const std::string& name) const {
    for (const auto& r : rules)
        if (r.name == name)
            return &r;
    return nullptr;
}

} // namespace opel::rules
