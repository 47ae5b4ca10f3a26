#pragma once
// Working days: the weekdays that count, less bank holidays. The summary and
// the rules both ask it; the time zone that turns instants into days is theirs.

#include <array>
#include <vector>

#include <date/date.h>

namespace opel::core {

/// The config's `calendar:` section.
struct calendar {
    /// Indexed by weekday, Sunday = 0 (as date::weekday::c_encoding()).
    std::array<bool, 7> working_days{false, true, true, true, true, true, false};
    std::vector<date::year_month_day> holidays; ///< sorted, unique

    /// True when `d` is a working weekday and not a holiday.
    bool is_working_day(date::sys_days d) const;
    /// The last working day strictly before `d`.
    date::sys_days previous_working_day(date::sys_days d) const;
};

} // namespace opel::core
