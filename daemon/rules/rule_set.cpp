// Queries on a loaded rule set and its rules: names, scopes and filters, so the
// loader and the engine agree on what each kind of condition means.
#include "rules/rule_set.hpp"

#include <algorithm>
#include <functional>

namespace opel::rules {

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

} // namespace

const char* kind_name(const condition& c) {
    static constexpr const char* names[] = {"practice_level", "rise",          "sustained",
                                            "group",          "theme",         "not_reporting",
                                            "unacknowledged", "support"};
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
           std::holds_alternative<sustained_condition>(when) ||
           std::holds_alternative<support_condition>(when);
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

std::optional<std::size_t> rule_set::index_of(const std::string& name) const {
    for (std::size_t i = 0; i < rules.size(); ++i)
        if (rules[i].name == name)
            return i;
    return std::nullopt;
}

std::optional<std::vector<std::size_t>> rule_set::evaluation_order() const {
    // Kahn's algorithm, taking the earliest rule in the file whose inhibitors
    // are all placed: file order wherever the inhibitions leave it free.
    const auto n = rules.size();
    std::vector<int> waiting(n, 0);
    for (const auto& r : rules)
        for (const auto& t : r.inhibits)
            if (const auto i = index_of(t))
                ++waiting[*i];
    std::vector<std::size_t> order;
    std::vector<bool> placed(n, false);
    while (order.size() < n) {
        std::size_t next = n;
        for (std::size_t i = 0; i < n && next == n; ++i)
            if (!placed[i] && waiting[i] == 0)
                next = i;
        if (next == n)
            return std::nullopt;
        placed[next] = true;
        order.push_back(next);
        for (const auto& t : rules[next].inhibits)
            if (const auto i = index_of(t))
                --waiting[*i];
    }
    return order;
}

std::vector<std::size_t> rule_set::inhibition_cycle() const {
    // Depth-first search; a rule met again while on the path closes a cycle.
    enum class mark { none, on_path, done };
    std::vector<mark> marks(rules.size(), mark::none);
    std::vector<std::size_t> path;
    std::vector<std::size_t> cycle;
    const std::function<bool(std::size_t)> visit = [&](std::size_t i) {
        marks[i] = mark::on_path;
        path.push_back(i);
        for (const auto& t : rules[i].inhibits) {
            const auto j = index_of(t);
            if (!j || marks[*j] == mark::done)
                continue;
            if (marks[*j] == mark::on_path) {
                cycle.assign(std::find(path.begin(), path.end(), *j), path.end());
                cycle.push_back(*j);
                return true;
            }
            if (visit(*j))
                return true;
        }
        path.pop_back();
        marks[i] = mark::done;
        return false;
    };
    for (std::size_t i = 0; i < rules.size(); ++i)
        if (marks[i] == mark::none && visit(i))
            return cycle;
    return {};
}

const support_action* rule_set::find_action(const std::string& id) const {
    for (const auto& a : support_actions)
        if (a.id == id)
            return &a;
    return nullptr;
}

} // namespace opel::rules
