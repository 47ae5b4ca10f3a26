#pragma once
// A loaded rules file: the theme ids, the stale-after period, the system-level
// thresholds, and the rules. Immutable once loaded; reload swaps a new one in.

#include "core/system_level.hpp"
#include "rules/text_template.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace opel::rules {

/// `practice_level`: a practice reports a level in [at_least, at_most].
struct practice_level_condition {
    int at_least = 3;
    int at_most = 4;
};

/// `rise`: a report is `by` or more levels above the practice's previous one.
struct rise_condition {
    int by = 2;
};

/// `sustained`: the practice's reports on `working_days` consecutive working
/// days are all at `at_least` or above.
struct sustained_condition {
    int at_least = 3;
    int working_days = 3;
};

/// Which groups a `group` condition counts over.
enum class group_scope { pcn, place, system };

/// `group`: within each PCN, place or the system, the practices standing at
/// `at_least` or above number `min_count` or more and make up `min_share` or
/// more of the `min_reporting` or more practices that stand at any level.
struct group_condition {
    group_scope scope = group_scope::system;
    int at_least = 3;
    int min_count = 1;
    double min_share = 0.0; ///< a fraction: 0.2 = 20%
    int min_reporting = 1;
};

/// `theme`: `practices` or more distinct practices report one theme within
/// `within` of each other (the window ends now).
struct theme_condition {
    int practices = 3;
    std::chrono::seconds within{24 * 3600};
    std::vector<std::string> themes; ///< empty: every declared theme
};

/// `not_reporting`: no report for `after` (checked with the daily summary).
struct not_reporting_condition {
    std::chrono::seconds after{7 * 24 * 3600};
    bool never_reported = true; ///< a practice that never reported counts
};

/// `unacknowledged`: an alert of `rule` still firing `after` it (re)fired.
struct unacknowledged_condition {
    std::string rule;
    std::chrono::seconds after{30 * 60};
};

/// `support`: a practice standing at 3 or 4 since a report `working_days`
/// working days ago or more, with no support item open (`state: none`).
struct support_condition {
    int working_days = 2;
};

/// One condition of each kind the language has.
using condition = std::variant<practice_level_condition, rise_condition, sustained_condition,
                               group_condition, theme_condition, not_reporting_condition,
                               unacknowledged_condition, support_condition>;

/// The kind keyword of `c` as the rules file spells it ("practice_level", ...).
const char* kind_name(const condition& c);

/// One rule of the file.
struct rule {
    std::string name;
    int line = 0;                   ///< where it starts in the file, for messages
    condition when;
    std::optional<int> level;       ///< nullopt: the level of the report (`level: report`)
    std::vector<std::string> audiences;
    text_template title;
    text_template message;
    std::vector<std::string> places; ///< filter: empty = every place
    std::vector<std::string> pcns;   ///< filter: empty = every PCN
    std::vector<std::string> supersedes; ///< rules whose alert on the same subject this resolves
    std::vector<std::string> inhibits; ///< rules whose alert on the same subject this one speaks for
    int inhibits_line = 0;          ///< where `inhibits` is in the file, for messages
    int resolve_at_most = 2;        ///< practice rules: a report at or below resolves

    /// The scope of this rule's alerts: practice, pcn, place or system.
    std::string scope() const;
    /// True for the rules whose subject is one practice and that resolve on its reports.
    bool resolves_on_report() const;
    /// True when a practice of this PCN and place passes the rule's filters.
    bool admits(const std::string& pcn, const std::string& place) const;
};

/// Parses a group scope keyword; nullopt if it is not one.
std::optional<group_scope> parse_group_scope(const std::string& s);
/// The keyword of a group scope.
const char* scope_name(group_scope s);

/// One entry of `support_actions`: what the team can offer a practice.
struct support_action {
    std::string id;   ///< as the API and events carry it
    std::string name; ///< as pages and reports show it
};

/// A validated rules file.
struct rule_set {
    std::vector<std::string> themes;                  ///< declared theme ids
    /// Display names by theme id (`themes: [{id, name}]`); ids without one are absent.
    std::map<std::string, std::string> theme_names;
    std::chrono::hours stale_after{7 * 24};           ///< reports older are stale
    core::system_thresholds system;                   ///< the group-level rule (`group_level:`)
    std::vector<rule> rules;                          ///< in file order
    std::vector<support_action> support_actions;      ///< in file order

    /// The support action `id`, or null.
    const support_action* find_action(const std::string& id) const;

    /// True when `id` is a declared theme.
    bool has_theme(const std::string& id) const;
    /// The name a person reads for theme `id`: its display name, else the id.
    const std::string& theme_name(const std::string& id) const;
    /// The rule named `name`, or null.
    const rule* find(const std::string& name) const;
    /// The index of the rule named `name`, or nullopt.
    std::optional<std::size_t> index_of(const std::string& name) const;
    /// The order rules are evaluated in: a rule that inhibits another comes
    /// before it (so its alert is open when the other's is raised), otherwise
    /// file order. Every rule once; nullopt when the inhibitions form a cycle.
    std::optional<std::vector<std::size_t>> evaluation_order() const;
    /// A cycle of inhibitions as rule indices (the first repeated at the
    /// end), or empty when there is none.
    std::vector<std::size_t> inhibition_cycle() const;
};

} // namespace opel::rules
