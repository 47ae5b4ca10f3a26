// Working-day arithmetic over the config's calendar.
#include "core/calendar.hpp"

#include <algorithm>

namespace opel::core {

bool calendar::is_working_day(date::sys_days d) const {
    if (!working_days[date::weekday{d}.c_encoding()])
        return false;
    return !std::binary_search(holidays.begin(), holidays.end(), date::year_month_day{d});
}

date::sys_days calendar::previous_working_day(date::sys_days d) const {
    // A calendar with no working weekday would loop for ever; the loader
    // refuses one, and the bound keeps a hand-built one from hanging.
    for (int i = 0; i < 3660; ++i) {
        d -= date::days{1};
        if (is_working_day(d))
            return d;
    }
    return d;
}

} // namespace opel::core
