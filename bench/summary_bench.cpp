// summary_bench: the daily summary and the monthly report at England's scale
// (6,300 practices in 1,250 PCNs and 42 places, a year of daily reports, about
// 2.3 million), timed over the pure builders the daemon runs.
#include "summary/daily.hpp"
#include "summary/daily_render.hpp"
#include "summary/monthly.hpp"

#include <CLI/CLI.hpp>
#include <date/tz.h>

#include <chrono>
#include <cstdio>
#include <random>

using namespace opel;

namespace {

template <class F>
double time_ms(F&& f, int reps) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < reps; ++i)
        f();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
               .count() / reps;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App cli{"summary_bench"};
    int practices = 6300;
    int days = 365;
    cli.add_option("--practices", practices);
    cli.add_option("--days", days);
    CLI11_PARSE(cli, argc, argv);

    std::vector<core::practice> ps;
    for (int i = 0; i < practices; ++i)
        ps.push_back({"P" + std::to_string(10000 + i), "Practice " + std::to_string(i),
                      "PCN " + std::to_string(i / 5), "place" + std::to_string(i % 42)});
    std::mt19937 rng(42);
    const char* themes[] = {"workforce", "it_systems", "high_demand", "telephony", "ari"};
    using namespace date;
    const auto first = sys_days{2025_y / December / 1};
    std::vector<core::submission> history;
    history.reserve(static_cast<std::size_t>(practices) * static_cast<std::size_t>(days));
    std::int64_t id = 0;
    for (int d = 0; d < days; ++d)
        for (const auto& p : ps) {
            core::submission s;
            s.id = ++id;
            s.practice = p.code;
            s.level = 1 + static_cast<int>(rng() % 4);
            s.themes = {themes[rng() % 5]};
            s.reported_at = core::time_point{first + date::days{d} + std::chrono::hours(9)};
            s.received_at = s.reported_at;
            history.push_back(std::move(s));
        }
    const auto* tz = date::locate_zone("Europe/London");
    const auto as_of = history.back().reported_at + std::chrono::hours(1);

    std::vector<std::optional<core::submission>> latest;
    const double latest_ms = time_ms([&] { latest = summary::latest_per_practice(ps, history, as_of); }, 3);
    summary::summary_input in;
    in.date = year_month_day{floor<date::days>(as_of)};
    in.generated_at = as_of;
    in.as_of = as_of;
    in.practices = ps;
    in.latest = latest;
    boost::json::object daily;
    const double daily_ms = time_ms([&] { daily = summary::build_daily(in); }, 10);
    std::string html;
    const double html_ms = time_ms([&] { html = summary::render_daily_html(daily, tz); }, 10);
    boost::json::object monthly;
    const double monthly_ms = time_ms(
        [&] { monthly = summary::build_monthly(2026_y / May, tz, history, ps); }, 3);
    std::printf("practices %d, history %zu reports\n", practices, history.size());
    std::printf("latest report per practice over the whole history: %.1f ms\n", latest_ms);
    std::printf("daily summary (build_daily): %.1f ms; html: %.1f ms (%zu bytes)\n", daily_ms,
                html_ms, html.size());
    std::printf("monthly report over the whole history (build_monthly): %.1f ms, %lld responses\n",
                monthly_ms, static_cast<long long>(monthly.at("responses").as_int64()));
    return 0;
}
