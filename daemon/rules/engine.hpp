#pragma once
// The rules engine: a deterministic state machine from submissions, time and
// acknowledgements to alert changes. One thread owns it (the store's writer),
// which persists every change it returns with the submission that caused it.
// Pure: no I/O, no clock of its own; every call says what time it is.

#include "core/calendar.hpp"
#include "core/types.hpp"
#include "rules/alert.hpp"
#include "rules/deadline_queue.hpp"
#include "rules/rule_set.hpp"

#include <date/tz.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace opel::rules {

/// Evaluates a rule set against the reports and alerts it is fed.
class engine {
public:
    /// The most submission ids an alert's evidence keeps (the latest ones).
    static constexpr std::size_t max_evidence = 200;

    /// The practices an engine is over, shared with whoever loaded them (the
    /// daemon's configuration): the engine keeps pointers into it, not copies.
    using directory = std::shared_ptr<const std::vector<core::practice>>;

    /// An engine over `practices`; `zone` turns instants into working days
    /// (null: UTC).
    engine(std::shared_ptr<const rule_set> rules, directory practices, core::calendar calendar,
           const date::time_zone* zone);
    engine(std::shared_ptr<const rule_set> rules, std::vector<core::practice> practices,
           core::calendar calendar, const date::time_zone* zone);
    /// Not copied: its index of open alerts points into its own map.
    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;
    engine(engine&&) noexcept = default;
    engine& operator=(engine&&) noexcept = default;

    /// Adds a stored report (history on start, or an import): updates the
    /// state the rules look at and raises nothing. Any order is accepted.
    void restore_submission(const core::submission& s);
    /// Adds a stored alert on start: open ones carry on; every one moves the
    /// id counter past its id.
    void restore_alert(const alert& a);
    /// Adds a stored silence on start.
    void restore_silence(const silence& s);
    /// After the restore calls: resolves open alerts of rules no longer in the
    /// rule set and catches up with every timer that fell due while stopped.
    std::vector<alert_change> resume(core::time_point now);

    /// A live report (already stored, with its id): the changes it causes, in order.
    std::vector<alert_change> on_submission(const core::submission& s, core::time_point now);
    /// The time-driven work due by `now`: unacknowledged timers, theme windows
    /// closing, reports going stale, silences starting and ending.
    std::vector<alert_change> on_time(core::time_point now);
    /// The not-reporting rules; run with the daily summary.
    std::vector<alert_change> check_not_reporting(core::time_point now);
    /// Acknowledges open alert `id`: the changes (the acknowledged alert first,
    /// then any unacknowledged-rule alert it resolves), or an error sentence
    /// when no alert with that id is open. Acknowledging twice changes nothing.
    std::variant<std::vector<alert_change>, std::string>
    acknowledge(std::int64_t id, std::string who, std::string note, core::time_point now);

    /// Swaps in a validated rule set, practices and calendar: open alerts of
    /// rules that still exist carry on, those of removed rules (or removed
    /// practices) resolve.
    std::vector<alert_change> reload(std::shared_ptr<const rule_set> rules, directory practices,
                                     core::calendar calendar, core::time_point now);
    std::vector<alert_change> reload(std::shared_ptr<const rule_set> rules,
                                     std::vector<core::practice> practices,
                                     core::calendar calendar, core::time_point now);

    /// Adds a silence (id 0: one is assigned); open alerts it covers now are
    /// marked silenced.
    std::pair<silence, std::vector<alert_change>> add_silence(silence s, core::time_point now);
    /// Ends silence `id` now: alerts it kept quiet that still fire are pushed.
    std::vector<alert_change> expire_silence(std::int64_t id, core::time_point now);

    /// Raises `a`, an alert the daemon raises about itself (`is_own_rule`),
    /// with a new id, unless one is open already for its rule and subject:
    /// then nothing changes, so raising it again never notifies twice.
    std::vector<alert_change> raise_own(alert a, core::time_point now);
    /// Resolves the open own alert of `rule` on `subject`, if there is one.
    std::vector<alert_change> resolve_own(const std::string& rule, const std::string& subject,
                                          const std::string& reason, core::time_point now);
    /// The subjects of the open own alerts of `rule`.
    std::vector<std::string> own_subjects(const std::string& rule) const;

    /// On start, before resume(): whether `practice` has a support item open.
    void restore_support(const std::string& practice, bool open);
    /// After restore_support: starts every practice's wait for support from
    /// its stored run of pressure (resume() does it too).
    void arm_support_waits();
    /// A support item of `practice` opened or closed; `open` says whether any
    /// is open now. Offered support resolves its `support` rule alerts; none
    /// left open starts the wait again from the run of pressure.
    std::vector<alert_change> on_support(const std::string& practice, bool open,
                                         core::time_point now);

    /// When on_time must next be called; nullopt when nothing is pending.
    std::optional<core::time_point> next_deadline() const;
    /// Every open (firing or acknowledged) alert, by id.
    std::vector<alert> open_alerts() const;
    /// The open alert `id`, or null.
    const alert* find(std::int64_t id) const;
    /// The silences in force or still to come.
    std::vector<silence> silences() const;
    /// How many submission ids the per-day records hold, over every practice
    /// (bounded: a day keeps at most 2 * max_evidence; for tests and metrics).
    std::size_t report_ids_held() const;
    /// The id the next new alert will get.
    std::int64_t next_alert_id() const { return next_id_; }
    /// The rule set in force.
    const rule_set& rules() const { return *rules_; }

private:
    using changes = std::vector<alert_change>;
    using ids = std::vector<std::int64_t>;

    /// One report, as much of it as the rules read.
    struct report {
        std::int64_t id = 0;
        int level = 0;
        core::time_point at{};
        std::vector<std::string> themes;
        std::string note;
        std::string support;
    };
    /// A report as the theme windows read it: kept only while it may still
    /// count in one, and only when it carries a theme.
    struct themed_report {
        std::int64_t id = 0;
        core::time_point at{};
        std::vector<std::string> themes;
    };
    /// The reports of one local day: the lowest level and their ids.
    struct day_record {
        int min_level = 4;
        ids reports;
    };
    /// Everything kept per practice.
    struct practice_state {
        const core::practice* info = nullptr; ///< in directory_
        std::size_t pcn = 0;   ///< index into pcns_
        std::size_t place = 0; ///< index into places_
        std::optional<report> latest;
        std::optional<int> counted;                  ///< the level counted in the groups while fresh
        /// Recent local days, oldest first (a vector: a report a day
        /// appends, and a std::map node cost 80 bytes a day).
        std::vector<std::pair<date::sys_days, day_record>> days;
        std::vector<themed_report> recent;           ///< reports with themes within the longest theme window, oldest first
        std::optional<core::time_point> pressed_since; ///< the first report of the current run at 3 or 4
        bool supported = false;                      ///< a support item is open
    };
    /// A group's counters for one group rule.
    struct group_counter {
        int reporting = 0;
        /// The practices standing at the rule's level or above, in no order
        /// (4 bytes each; a std::set took 48 and a malloc per change).
        std::vector<std::uint32_t> at_least;
    };
    /// The state of one `group` rule: a counter per PCN, place or the system.
    struct group_state {
        static constexpr std::uint32_t absent = UINT32_MAX;
        std::size_t rule = 0;
        std::vector<group_counter> groups;
        /// Per practice: its place in its group's `at_least`, or `absent`.
        std::vector<std::uint32_t> slot;

        bool stands(std::size_t p) const { return slot[p] != absent; }
        void join(group_counter& c, std::size_t p) {
            if (stands(p))
                return;
            slot[p] = static_cast<std::uint32_t>(c.at_least.size());
            c.at_least.push_back(static_cast<std::uint32_t>(p));
        }
        void leave(group_counter& c, std::size_t p) {
            if (!stands(p))
                return;
            const auto i = slot[p];
            const auto moved = c.at_least.back();
            c.at_least[i] = moved;
            slot[moved] = i;
            c.at_least.pop_back();
            slot[p] = absent;
        }
    };
    /// The state of one `theme` rule: per theme, each practice's latest report of it in the window.
    struct theme_state {
        std::size_t rule = 0;
        std::vector<std::map<std::size_t, std::pair<core::time_point, std::int64_t>>> themes;
    };
    /// A sentence made only if a change is recorded: it calls a callable of
    /// the caller's, which must outlive the raise() it is given to (a local
    /// lambda; a temporary does not compile).
    class deferred_text {
    public:
        deferred_text() = default;
        template <class F>
            requires(!std::is_same_v<std::remove_cvref_t<F>, deferred_text>)
        deferred_text(const F& f) // NOLINT(google-explicit-constructor): a callable
            : obj_(&f), make_([](const void* o) { return (*static_cast<const F*>(o))(); }) {}
        template <class F>
            requires(!std::is_same_v<std::remove_cvref_t<F>, deferred_text>)
        deferred_text(const F&&) = delete;
        std::string operator()() const { return make_ ? make_(obj_) : std::string(); }

    private:
        const void* obj_ = nullptr;
        std::string (*make_)(const void*) = nullptr;
    };
    /// What a rule found: the alert to raise or refresh.
    struct finding {
        finding(const rule* r, std::string scope, std::string subject, int level, ids evidence = {})
            : r(r), scope(std::move(scope)), subject(std::move(subject)), level(level),
              evidence(std::move(evidence)) {}
        const rule* r = nullptr;
        std::string scope;
        std::string subject;
        int level = 0;
        ids evidence;
        /// Placeholder values of this finding, by name (a string literal).
        /// The alert's own ({rule}, {level}, ...) and, with `practice` set,
        /// the practice's and its report's are made only when a template
        /// asks for them (render()).
        std::vector<std::pair<std::string_view, std::string>> values;
        std::optional<std::size_t> practice; ///< whose placeholders the texts may use
        const report* rep = nullptr;         ///< its report, if the rule looks at one
        std::optional<int> previous_level;   ///< the level of the report before `rep`
        deferred_text why;                   ///< what caused it, for the change's `why`

        /// Sets placeholder `name` (a string literal) to `value`.
        void set(std::string_view name, std::string value) {
            for (auto& [k, v] : values)
                if (k == name) {
                    v = std::move(value);
                    return;
                }
            values.emplace_back(name, std::move(value));
        }
        /// The value of placeholder `name`, or null when it has none here.
        const std::string* value(std::string_view name) const {
            for (const auto& [k, v] : values)
                if (k == name)
                    return &v;
            return nullptr;
        }
    };

    // engine.cpp: state and lifecycle
    void rebuild();
    void index_practices(directory practices);
    /// The record of `day` in `st.days`, or null.
    static const day_record* find_day(const practice_state& st, date::sys_days day);
    /// The record of `day` in `st.days`, made (in order) if there is none.
    static day_record& day_of(practice_state& st, date::sys_days day);
    /// The index in practices_ of the practice `code`, if it is one.
    std::optional<std::size_t> practice_index(std::string_view code) const;
    void schedule_watchers(const alert& a);
    alert* open_alert(const std::string& rule, const std::string& subject);
    /// Indexes `a`, an alert of open_, by its rule and subject (an alert held
    /// there before under the same key is no longer found by it).
    void index_open(alert& a);
    /// Forgets `a`'s entry in by_key_, if that entry is `a`'s.
    void unindex_open(const alert& a);
    bool suppressed(const finding& f);
    void raise(finding f, core::time_point now, changes& out);
    void resolve(std::int64_t id, const std::string& reason, core::time_point now, changes& out);
    void resolve_orphans(core::time_point now, changes& out);
    void emit(alert& a, bool notify, std::string why, core::time_point now, changes& out,
              bool publish = false, bool refresh = false);
    const alert* inhibitor_for(const alert& a) const;
    void touch_source(const alert& a);
    void settle(core::time_point now, changes& out);
    void settle_all(core::time_point now, changes& out);
    void reinhibit(alert& a, core::time_point now, changes& out);
    void after_change(const alert& a, core::time_point now, changes& out);
    bool silenced_now(const alert& a, core::time_point now) const;
    /// The alert's title and message for `f`, into scratch_title_ and scratch_message_.
    void render(const alert& a, const finding& f) const;
    void append_practice_value(std::string& out, std::string_view name, const finding& f) const;

    // engine_state.cpp: what reports do to the state
    std::optional<report> apply_report(std::size_t p, const core::submission& s);
    void uncount(std::size_t p);
    void count(std::size_t p);
    void add_theme_entries(std::size_t p, core::time_point at, std::int64_t id,
                           const std::vector<std::string>& themes);
    void add_theme_entry(std::size_t ts, std::size_t theme, std::size_t p, core::time_point at,
                         std::int64_t id);
    date::sys_days local_day(core::time_point t) const;
    bool fresh(core::time_point reported_at) const;
    core::time_point stale_at(core::time_point reported_at) const;
    bool counts_in(const group_state& g, std::size_t p) const;
    std::size_t group_of(const group_state& g, std::size_t p) const;
    std::string group_subject(group_scope scope, std::size_t g) const;
    std::optional<std::size_t> theme_index(const std::string& id) const;

    // engine_evaluate.cpp: the conditions
    void evaluate_report(std::size_t p, const core::submission& s,
                         const std::optional<report>& prev, core::time_point now, changes& out);
    void evaluate_rule(std::size_t ri, std::size_t p, const core::submission& s,
                       const std::optional<report>& prev, core::time_point now, changes& out);
    bool evaluate_practice_rule(const rule& r, std::size_t p, const core::submission& s,
                                const std::optional<report>& prev, core::time_point now,
                                changes& out);
    bool evaluate_sustained(const rule& r, std::size_t p, const core::submission& s,
                            const std::optional<report>& prev, core::time_point now,
                            changes& out);
    void evaluate_group(std::size_t gs, std::size_t g, std::optional<std::size_t> trigger,
                        std::int64_t trigger_id, core::time_point now, changes& out);
    void evaluate_theme(std::size_t ts, std::size_t theme, std::optional<std::int64_t> trigger,
                        core::time_point now, changes& out);
    void check_not_reporting(const rule& r, std::size_t p, core::time_point now, changes& out);
    finding practice_finding(const rule& r, std::size_t p, const report* rep, int level,
                             const std::optional<report>& prev = std::nullopt) const;
    static std::string change_text(int level, std::optional<int> previous_level);
    std::string local_text(core::time_point t) const;

    // engine_time.cpp: deadlines
    void run_due(core::time_point now, changes& out);
    bool run_one(core::time_point now, changes& out);
    void expire_stale(std::size_t p, core::time_point now, changes& out);
    void expire_theme(std::size_t ts, std::size_t theme, std::size_t p, core::time_point now,
                      changes& out);
    void fire_unacknowledged(std::size_t ri, std::int64_t watched, core::time_point now,
                             changes& out);
    void apply_silences(core::time_point now, changes& out);

    // engine_support.cpp: the `support` condition
    core::time_point support_deadline(core::time_point since, int working_days) const;
    void schedule_support(std::size_t p);
    bool evaluate_unsupported(const rule& r, std::size_t p, core::time_point now, changes& out);
    void fire_unsupported(std::size_t p, core::time_point now, changes& out);

    std::shared_ptr<const rule_set> rules_;
    core::calendar calendar_;
    const date::time_zone* zone_;
    core::time_point now_{};     ///< the latest time any call gave; freshness is judged by it

    directory directory_;
    std::vector<practice_state> practices_;
    /// (code, index into practices_), sorted by code; the codes are directory_'s.
    std::vector<std::pair<std::string_view, std::size_t>> by_code_;
    std::vector<std::string> pcns_;
    std::vector<std::string> places_;
    std::vector<std::size_t> order_;                   ///< rule indices, inhibitors first
    std::vector<std::vector<std::size_t>> inhibitors_; ///< per rule: the rules that inhibit it
    std::vector<std::vector<std::size_t>> superseders_; ///< per rule: the rules that supersede it
    std::map<std::string, std::size_t, std::less<>> rule_index_; ///< rule name -> index
    /// (rule, subject) of inhibiting alerts that opened or resolved during
    /// the current call: their targets' inhibition is settled at its end.
    std::set<std::pair<std::size_t, std::string>> touched_;
    std::vector<group_state> group_states_;
    std::vector<theme_state> theme_states_;
    std::chrono::seconds theme_window_{0}; ///< the longest theme window: how long `recent` keeps

    std::map<std::int64_t, alert> open_;
    /// (rule, subject) of an open alert, looked up without copying either.
    using key_view = std::pair<std::string_view, std::string_view>;
    struct key_hash {
        using is_transparent = void;
        // The subject carries the spread (thousands of practices, PCNs and
        // places); the few rule names differ in length or in their first,
        // middle or last byte, so those tell them apart (a collision costs
        // only a comparison). Hashing every byte of both was 5% of the
        // engine's instructions.
        std::size_t operator()(key_view k) const noexcept {
            const auto h = std::hash<std::string_view>{}(k.second);
            const auto r = k.first;
            if (r.empty())
                return h;
            const auto byte = [](char c) {
                return static_cast<std::size_t>(static_cast<unsigned char>(c));
            };
            const std::size_t rule = (r.size() << 24) ^ (byte(r.front()) << 16) ^
                                     (byte(r[r.size() / 2]) << 8) ^ byte(r.back());
            return h ^ (rule * 0x9e3779b97f4a7c15);
        }
    };
    struct key_equal {
        using is_transparent = void;
        bool operator()(key_view a, key_view b) const noexcept { return a == b; }
    };
    /// (rule, subject) -> the open alert in open_; the key's views are that
    /// alert's own strings (a map node's do not move), so index_open() and
    /// unindex_open() bracket every change to open_.
    std::unordered_map<key_view, alert*, key_hash, key_equal> by_key_;
    std::int64_t next_id_ = 1;
    std::map<std::int64_t, silence> silences_;
    std::int64_t next_silence_id_ = 1;
    /// render()'s texts before they replace an alert's, kept to reuse their capacity.
    mutable std::string scratch_title_, scratch_message_;

    // Deadlines; an entry whose state moved on is dropped when it comes due.
    deadline_queue stale_q_; ///< practice -> when its counted report goes stale
    std::set<std::tuple<core::time_point, std::size_t, std::size_t, std::size_t>>
        theme_q_; ///< (expiry, theme state, theme, practice)
    std::set<std::tuple<core::time_point, std::size_t, std::int64_t>>
        unack_q_; ///< (deadline, unacknowledged rule, watched alert)
    std::set<std::pair<core::time_point, std::int64_t>> silence_q_; ///< (start or end, silence)
    std::set<std::pair<core::time_point, std::size_t>> support_q_; ///< (deadline, practice)
};

} // namespace opel::rules
