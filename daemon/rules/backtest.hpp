#pragma once
// `opelctl rules test`: replays a history of reports through the engine on a
// simulated clock and reports what would have fired, when and why. Pure: the
// caller reads the files and prints the result.

#include "core/calendar.hpp"
#include "core/diagnostic.hpp"
#include "core/types.hpp"
#include "rules/alert.hpp"
#include "rules/rule_set.hpp"

#include <boost/json.hpp>
#include <date/tz.h>

#include <chrono>
#include <istream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace opel::rules {

/// Which changes a backtest's result keeps: a year of a nation's reports
/// makes millions, each with its alert, and the per-day table and the count
/// per rule need none of them (they are counted as the replay goes).
enum class backtest_keep { all, firings, none };

/// What a backtest runs on.
struct backtest_options {
    std::shared_ptr<const rule_set> rules;
    std::vector<core::practice> practices; ///< empty: inferred from the history, with no PCN or place
    core::calendar calendar;
    const date::time_zone* zone = nullptr; ///< null: UTC
    std::chrono::minutes summary_at{9 * 60}; ///< not-reporting checks run then, on working days
    std::optional<core::time_point> until; ///< default: one day after the last report
    backtest_keep keep = backtest_keep::all; ///< which changes the result keeps
};

/// One change the replay produced, at its simulated time.
struct backtest_change {
    core::time_point at{};
    alert_change change;
};

/// One local day's noise for one audience.
struct day_noise {
    int raised = 0;    ///< alerts raised that day with the audience (inhibited ones included)
    int inhibited = 0; ///< of those, raised inhibited: recorded, never told
    int notified = 0;  ///< deliveries to the audience: every change with notify set
};

/// Per local day (YYYY-MM-DD, in order), per audience (by name): what the
/// replay raised and told.
using noise_by_day = std::map<std::string, std::map<std::string, day_noise>>;

/// Counts changes, in time order, into a noise_by_day.
class noise_counter {
public:
    /// Days are read in `zone` (null: UTC).
    explicit noise_counter(const date::time_zone* zone) : zone_(zone) {}
    noise_counter(const noise_counter&) = delete; // its iterator points into its own map
    noise_counter& operator=(const noise_counter&) = delete;
    noise_counter(noise_counter&&) = default; // a map's nodes move with it
    noise_counter& operator=(noise_counter&&) = default;
    void add(core::time_point at, const alert_change& c);
    /// What was counted; the counter is empty after.
    noise_by_day take();

private:
    const date::time_zone* zone_;
    noise_by_day out_;
    std::set<std::int64_t> seen_;         ///< alerts already counted as raised
    std::optional<date::local_days> day_; ///< the day of the last change, and its entry
    noise_by_day::iterator day_it_;
};

/// What a replay produced.
struct backtest_result {
    std::size_t reports = 0;                 ///< history lines replayed
    std::vector<core::diagnostic> rejected;  ///< lines refused, with their line numbers
    std::vector<backtest_change> changes;    ///< the changes options.keep asks for, in order
    std::size_t changes_made = 0;            ///< every change, kept or not
    std::vector<std::pair<std::string, int>> fired; ///< per rule, in file order: times it fired
    noise_by_day noise; ///< per_day() of every change, days read in the options' zone
};

/// Replays `history` (NDJSON: one import submission with `reported_at` a
/// line; `name` is the file name for messages). Submission ids are line numbers.
backtest_result run_backtest(std::istream& history, const std::string& name,
                             const backtest_options& options);

/// True when a change is a firing the team would have been told of.
bool is_firing(const alert_change& c);

/// The noise of the changes `r` kept, per day and audience, days read in
/// `zone` (null: UTC); with every change kept, the same as r.noise.
noise_by_day per_day(const backtest_result& r, const date::time_zone* zone);

/// The per-day table for people: a row per day and audience.
std::string format_per_day(const noise_by_day& n);

/// The per-day table for machines: [{date, audience, raised, inhibited, notified}].
boost::json::array per_day_json(const noise_by_day& n);

/// The result for people: each firing (each change with `all`) with its local
/// time, alert and reason, then the count per rule.
std::string format_text(const backtest_result& r, const date::time_zone* zone, bool all);

/// The result for machines: {reports, rejected, changes, fired}.
boost::json::object to_json(const backtest_result& r, bool all);

} // namespace opel::rules
