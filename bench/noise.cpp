// The noise the default rules make at England's scale, before and after their
// inhibitions: a made-up month of 6,300 practices (1,260 PCNs, 42 places)
// reporting every working day, levels drawn from the published November and
// December 2022 LLR distributions with day-to-day persistence, themes from
// the months' key themes, and a few practices rising 1 -> 4 over several days.
// The month is replayed through the backtest twice: with rules/llr.yaml as it
// is, and with its `inhibits` removed (level 4 superseding level 3, as the
// rules read before inhibitions). It prints the notifications per day and
// audience of each, and checks the goal: at most one notification per
// practice, day and audience unless its level rose, and every practice that
// reaches level 4 told at once (in the same simulated second as its report).
#include "core/time.hpp"
#include "rules/backtest.hpp"
#include "rules/rules_loader.hpp"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <array>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>

namespace {

using namespace opel;

/// The published months' shares of levels 1..4 (DOMAIN.md).
constexpr std::array<double, 4> november{76, 70, 12, 1};
constexpr std::array<double, 4> december{37, 66, 33, 3};

std::vector<core::practice> england(int n) {
    std::vector<core::practice> out;
    std::mt19937 rng(7);
    for (int i = 0; i < n; ++i)
        out.push_back({"E" + std::to_string(10000 + i), "Practice " + std::to_string(i),
                       "PCN " + std::to_string(i / 5), "place " + std::to_string(i / 150),
                       3000 + static_cast<int>(rng() % 17000)});
    return out;
}

/// NDJSON of a month of working-day reports at 08:00-12:00 local time.
std::string month_history(const std::vector<core::practice>& ps, const core::calendar& cal,
                          const std::array<double, 4>& weights, int rising, unsigned seed) {
    std::mt19937 rng(seed);
    std::discrete_distribution<int> draw(weights.begin(), weights.end());
    const std::vector<std::vector<std::string>> themes{
        {"workforce"}, {"high_demand"}, {"it_systems"}, {"workforce", "high_demand"},
        {"telephony"}, {"ari"}, {"strep_a"}, {}, {}, {}};
    std::vector<int> level(ps.size());
    for (auto& l : level)
        l = 1 + draw(rng);
    std::ostringstream out;
    int day_index = 0;
    // A week of lead-in before the month, so that no practice starts it as
    // "never reported"; only the month itself is counted.
    for (auto d = date::sys_days{date::year{2026} / 10 / 26}; d < date::sys_days{date::year{2026} / 12 / 1};
         d += date::days{1}) {
        if (!cal.is_working_day(d))
            continue;
        for (std::size_t p = 0; p < ps.size(); ++p) {
            // Most practices stay where they were; some move to a fresh draw.
            if (rng() % 100 < 30)
                level[p] = 1 + draw(rng);
            // The first `rising` practices climb 1, 2, 3, 4 over the month's first days.
            if (static_cast<int>(p) < rising)
                level[p] = std::min(4, 1 + day_index);
            const auto minute = 8 * 60 + static_cast<int>(rng() % 240);
            const auto at = date::sys_seconds{d} + std::chrono::minutes(minute);
            boost::json::array t;
            for (const auto& th : themes[rng() % themes.size()])
                t.emplace_back(th);
            out << boost::json::serialize(boost::json::object{
                       {"practice", ps[p].code},
                       {"level", level[p]},
                       {"themes", std::move(t)},
                       {"reported_at", date::format("%FT%TZ", at)}})
                << "\n";
        }
        ++day_index;
    }
    return out.str();
}

/// The rules without inhibitions: the shipped file as it read before them.
std::shared_ptr<const rules::rule_set> without_inhibitions(const rules::rule_set& set) {
    auto copy = std::make_shared<rules::rule_set>(set);
    for (auto& r : copy->rules) {
        r.inhibits.clear();
        if (r.name == "practice-level-4")
            r.supersedes = {"practice-level-3"};
    }
    return copy;
}

struct goal_check {
    int over_limit = 0;  ///< practice-days-audiences told more than once without a rise
    int level4_reports = 0; ///< reports of 4 from a practice whose level-4 alert was not open
    int level4_untold = 0;  ///< of those, not told to the control room in the same second
    std::vector<std::string> examples; ///< the first few over the limit, with what was told
    std::vector<std::string> untold_examples; ///< the first few level 4s not told at once
};

/// The first day counted: the history's lead-in week is not.
const std::string month_start = "2026-11-02";

goal_check check_goal(const rules::backtest_result& r, const std::string& history,
                      const rules::rule_set& set) {
    goal_check g;
    // (practice, day, audience) -> levels told, in order
    std::map<std::tuple<std::string, std::string, std::string>, std::vector<int>> told;
    std::map<std::tuple<std::string, std::string, std::string>, std::vector<std::string>> why;
    std::map<std::pair<std::string, core::time_point>, bool> control_told;
    for (const auto& [at, c] : r.changes) {
        if (!c.notify || c.after.scope != "practice")
            continue;
        // An ignored level 4 told again to the control room is the escalation
        // the unacknowledged rule exists for, not noise: counted apart.
        const auto* rule = set.find(c.after.rule);
        if (rule && std::holds_alternative<rules::unacknowledged_condition>(rule->when))
            continue;
        const auto day = date::format("%F", date::floor<date::days>(at));
        if (day < month_start)
            continue;
        for (const auto& a : c.after.audiences) {
            told[{c.after.subject, day, a}].push_back(
                c.after.state == rules::alert_state::resolved ? 0 : c.after.level);
            why[{c.after.subject, day, a}].push_back(c.after.rule + " " +
                                                     rules::state_name(c.after.state) + ": " + c.why);
        }
        if (std::find(c.after.audiences.begin(), c.after.audiences.end(), "control_room") !=
            c.after.audiences.end())
            control_told[{c.after.subject, core::time_point{date::floor<std::chrono::seconds>(at)}}] = true;
    }
    for (const auto& [key, levels] : told) {
        int rises = 0, best = 0;
        for (const auto l : levels) {
            rises += best > 0 && l > best;
            best = std::max(best, l);
        }
        const bool over = static_cast<int>(levels.size()) > 1 + rises;
        g.over_limit += over;
        if (over && g.examples.size() < 3) {
            std::string text = std::get<0>(key) + " " + std::get<1>(key) + " " + std::get<2>(key);
            for (const auto& w : why[key])
                text += "\n      " + w;
            g.examples.push_back(text);
        }
    }
    std::istringstream in(history);
    // Whether the practice's level-4 alert is open: from a report of 4 until
    // one of 2 or below. A 4 while it stands is a repeat, told already.
    std::map<std::string, bool> l4_open;
    std::string line;
    while (std::getline(in, line)) {
        const auto o = boost::json::parse(line).as_object();
        const std::string code(o.at("practice").as_string());
        const int level = static_cast<int>(o.at("level").as_int64());
        const auto at = core::parse_time(o.at("reported_at").as_string());
        if (level == 4 && !l4_open[code] && date::format("%F", date::floor<date::days>(*at)) >= month_start) {
            ++g.level4_reports;
            const bool untold =
                !control_told.count({code, core::time_point{date::floor<std::chrono::seconds>(*at)}});
            g.level4_untold += untold;
            if (untold && g.untold_examples.size() < 3)
                g.untold_examples.push_back(code + " at " + std::string(o.at("reported_at").as_string()));
        }
        if (level == 4)
            l4_open[code] = true;
        else if (level <= 2)
            l4_open[code] = false;
    }
    return g;
}

void print(const char* title, const rules::backtest_result& r, const goal_check& g) {
    auto noise = rules::per_day(r, date::locate_zone("Europe/London"));
    noise.erase(noise.begin(), noise.lower_bound(month_start));
    std::map<std::string, std::pair<int, int>> totals; // audience -> (notified, days)
    for (const auto& [day, audiences] : noise)
        for (const auto& [audience, d] : audiences) {
            if (day < month_start)
                continue;
            totals[audience].first += d.notified;
            ++totals[audience].second;
        }
    std::cout << "== " << title << "\n" << rules::format_per_day(noise);
    for (const auto& [audience, t] : totals)
        std::cout << "  " << audience << ": " << t.first << " notifications in " << t.second
                  << " days, " << t.first / std::max(1, t.second) << " a day\n";
    std::cout << "  practice-day-audiences told more than once without a rise: "
              << g.over_limit << "\n  level-4 reports from a practice with no level-4 alert open: "
              << g.level4_reports << ", not told to the control room at once: "
              << g.level4_untold << "\n";
    for (const auto& e : g.examples)
        std::cout << "    e.g. " << e << "\n";
    for (const auto& e : g.untold_examples)
        std::cout << "    level 4 not told at once: " << e << "\n";
    std::cout << "\n";
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"noise: notifications per day and audience, before and after inhibitions"};
    std::string rules_file = "rules/llr.yaml";
    int practices = 6300;
    int rising = 30;
    std::string month = "december";
    app.add_option("--rules", rules_file, "rules file");
    app.add_option("--practices", practices, "number of practices");
    app.add_option("--rising", rising, "practices that climb 1 to 4 over the first days");
    app.add_option("--month", month, "november or december (2022's distribution)")
        ->check(CLI::IsMember({"november", "december"}));
    CLI11_PARSE(app, argc, argv);

    std::vector<core::diagnostic> errors;
    auto set = rules::load_rule_set(rules_file, errors);
    if (!set) {
        for (const auto& e : errors)
            std::cerr << e.to_string() << "\n";
        return 1;
    }
    const auto ps = england(practices);
    rules::backtest_options o;
    o.practices = ps;
    o.zone = date::locate_zone("Europe/London");
    const auto history =
        month_history(ps, o.calendar, month == "november" ? november : december, rising, 11);
    std::cout << practices << " practices, a working month of daily reports ("
              << std::count(history.begin(), history.end(), '\n') << " reports), " << month
              << " 2022's levels\n\n";
    for (const auto& [title, rules] :
         {std::pair{"before: no inhibitions", without_inhibitions(*set)},
          std::pair{"after: the shipped inhibitions", set}}) {
        o.rules = rules;
        std::istringstream in(history);
        const auto r = rules::run_backtest(in, "month", o);
        print(title, r, check_goal(r, history, *rules));
    }
    return 0;
}
