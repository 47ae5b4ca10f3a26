// The names a silence may use, from the deployment in force: the rules file's
// rule names and the daemon's own (webhook-failing); practice codes, PCN
// names and place ids from the practices file; for the system scope,
// "system", the declared themes (theme-cluster's subjects) and the
// subscribers' names (webhook-failing's). An answer lists the known names
// when they are few, so a person can correct a typo from it.
#include "service/silence_names.hpp"

#include <algorithm>
#include <set>
#include <string>

namespace opel::service {

namespace {

constexpr std::size_t listed_at_most = 12;

/// The names a silence of `scope` may give as its subject (all when empty).
std::set<std::string> subjects(const std::string& scope, const config::config& cfg) {
    std::set<std::string> out;
    for (const auto& p : cfg.practices) {
        if (scope.empty() || scope == "practice") out.insert(p.code);
        if (scope.empty() || scope == "pcn") out.insert(p.pcn);
        if (scope.empty() || scope == "place") out.insert(p.place);
    }
    if (scope.empty() || scope == "system") {
        out.insert("system");
        out.insert(cfg.rules->themes.begin(), cfg.rules->themes.end());
        for (const auto& s : cfg.subscribers)
            out.insert(s.name);
    }
    return out;
}

std::string listed(const std::set<std::string>& names) {
    if (names.size() > listed_at_most)
        return std::to_string(names.size()) + " are known";
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return "known: " + out;
}

const char* kind_of(const std::string& scope) {
    return scope == "practice" ? "practice code"
           : scope == "pcn"    ? "PCN"
           : scope == "place"  ? "place"
           : scope == "system" ? "system subject (system, a theme id or a subscriber)"
                               : "practice, PCN, place, theme or subscriber";
}

} // namespace

std::optional<reply> check_silence_names(const rules::silence& s, const deployment& d) {
    const auto& cfg = *d.cfg;
    static const std::set<std::string> scopes{"practice", "pcn", "place", "system"};
    if (!s.scope.empty() && scopes.count(s.scope) == 0)
        return error_reply(422, "unknown_scope",
                           "There is no scope '" + s.scope +
                               "'; a silence's scope is practice, pcn, place or system.",
                           "scope");
    if (!s.rule.empty() && !rules::is_own_rule(s.rule) && !cfg.rules->find(s.rule)) {
        std::set<std::string> names{std::string(rules::webhook_failing_rule)};
        for (const auto& r : cfg.rules->rules)
            names.insert(r.name);
        return error_reply(422, "unknown_rule",
                           "There is no rule '" + s.rule + "' (" + listed(names) + ").", "rule");
    }
    if (s.subject.empty())
        return std::nullopt;
    const auto known = subjects(s.scope, cfg);
    if (known.count(s.subject) != 0)
        return std::nullopt;
    return error_reply(422, "unknown_subject",
                       "There is no " + std::string(kind_of(s.scope)) + " '" + s.subject + "' (" +
                           listed(known) + ").",
                       "subject");
}

} // namespace opel::service
