// The time and rate sections, `calendar:`, `summary:` and `limits:`: which
// days are working days, when the daily summary goes out, how fast a token
// may call. Day names and dates are parsed strictly (value_parsers).
#include "config/config_sections.hpp"
#include "config/value_parsers.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>

namespace opel::config {

namespace {

void read_working_days(yaml_reader& r, const entry& e, calendar_config& cal) {
    const auto items = r.list(e);
    if (!items) return;
    if (items->empty()) {
        r.error(e, "needs at least one working day");
        return;
    }
    // Naming the days replaces the default set, it does not add to it.
    cal.working_days.fill(false);
    for (const auto& item : *items) {
        const auto name = r.text(item);
        if (!name) continue;
        const auto day = parse_weekday(*name);
        if (!day)
            r.error(item, "'" + *name + "' is not a day (mon, tue, wed, thu, fri, sat, sun)");
        else if (cal.working_days[*day])
            r.error(item, "'" + *name + "' is listed twice");
        else
            cal.working_days[*day] = true;
    }
}

void read_holidays(yaml_reader& r, const entry& e, calendar_config& cal) {
    const auto items = r.list(e);
    if (!items) return;
    for (const auto& item : *items) {
        const auto text = r.text(item);
        if (!text) continue;
        if (const auto day = parse_date(*text))
            cal.holidays.push_back(*day);
        else
            r.error(item, "'" + *text + "' is not a date (YYYY-MM-DD, a day that exists)");
    }
    std::sort(cal.holidays.begin(), cal.holidays.end());
    cal.holidays.erase(std::unique(cal.holidays.begin(), cal.holidays.end()), cal.holidays.end());
}

const field_table<calendar_config> calendar_fields{
    {"working_days", read_working_days},
    {"holidays", read_holidays},
};

void read_at(yaml_reader& r, const entry& e, summary_config& summary) {
    const auto text = r.text(e);
    if (!text) return;
    if (const auto at = parse_time_of_day(*text))
        summary.at = *at;
    else
        r.error(e, "'" + *text + "' is not a time of day (\"HH:MM\", 00:00 to 23:59)");
}

const field_table<summary_config> summary_fields{
    {"at", read_at},
};

const field_table<address_limits_config> address_limits_fields{
    {"rate",
     [](yaml_reader& r, const entry& e, address_limits_config& l) {
         if (const auto n = r.number(e)) l.rate = *n;
     }},
    {"burst",
     [](yaml_reader& r, const entry& e, address_limits_config& l) {
         if (const auto n = r.number(e)) l.burst = *n;
     }},
    {"exempt",
     [](yaml_reader& r, const entry& e, address_limits_config& l) {
         const auto items = r.list(e);
         if (!items) return;
         l.exempt.clear();
         for (const auto& item : *items) {
             const auto text = r.text(item);
             boost::system::error_code ec;
             if (!text) continue;
             const auto a = boost::asio::ip::make_address(*text, ec);
             if (ec)
                 r.error(item, "'" + *text + "' is not an IP address");
             else
                 l.exempt.push_back(a.to_string());
         }
     }},
};

void read_per_address(yaml_reader& r, const entry& e, limits_config& l) {
    if (!read_fields(r, e, address_limits_fields, l.per_address)) return;
    if (l.per_address.rate > 0 && l.per_address.burst < 1)
        r.error(yaml_reader::field(e, "burst"), "must be at least 1 while rate is above 0");
}

const field_table<limits_config> limits_fields{
    {"per_address", read_per_address},
    {"rate",
     [](yaml_reader& r, const entry& e, limits_config& l) {
         if (const auto n = r.number(e)) l.rate = *n;
     }},
    {"burst",
     [](yaml_reader& r, const entry& e, limits_config& l) {
         if (const auto n = r.number(e)) l.burst = *n;
     }},
};

} // namespace

void parse_calendar(yaml_reader& r, const entry& e, config_context& ctx) {
    read_fields(r, e, calendar_fields, ctx.cfg.calendar);
}

void parse_summary(yaml_reader& r, const entry& e, config_context& ctx) {
    read_fields(r, e, summary_fields, ctx.cfg.summary);
}

void parse_limits(yaml_reader& r, const entry& e, config_context& ctx) {
    auto& limits = ctx.cfg.limits;
    if (!read_fields(r, e, limits_fields, limits)) return;
    // A bucket smaller than one token would refuse every call while claiming
    // to allow `rate` a second.
    if (limits.rate > 0 && limits.burst < 1)
        r.error(yaml_reader::field(e, "burst"), "must be at least 1 while rate is above 0");
}

} // namespace opel::config
