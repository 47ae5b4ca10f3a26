#pragma once
// The daemon's words and clock, as opelctl shows them to a person: times in
// the daemon's `timezone` with the zone's name and the year, themes by the
// rules file's names, and the rule names a silence may use. Read once per run
// from GET /v1/me; ids stay what --json prints.

#include <boost/json/value.hpp>

#include <date/tz.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace opel::ctl {

class http_call;

/// What GET /v1/me says about the daemon, for printing.
class vocabulary {
public:
    /// UTC and ids: what is shown when the daemon cannot say.
    vocabulary() = default;
    /// From a GET /v1/me answer; missing or unknown parts keep the defaults.
    explicit vocabulary(const boost::json::value& me);

    /// "2026-11-25 10:00 GMT": an RFC 3339 time in the zone; other text unchanged.
    std::string time(const boost::json::value& rfc3339) const;
    /// The display name of theme `id`, or the id.
    std::string theme(std::string_view id) const;
    /// A JSON array of theme ids as names joined by ", "; "-" when empty.
    std::string themes(const boost::json::value& ids) const;
    /// The declared theme ids, in the rules file's order.
    std::vector<std::string> theme_ids() const;
    /// The rules file's rule names, or empty when the daemon does not list them.
    const std::vector<std::string>& rules() const { return rules_; }

private:
    const date::time_zone* zone_ = nullptr;
    std::vector<std::pair<std::string, std::string>> themes_;
    std::vector<std::string> rules_;
};

/// The vocabulary this run prints with; UTC and ids until one is loaded.
const vocabulary& words();

/// Reads GET /v1/me once and makes it this run's vocabulary. A daemon that
/// refuses or lacks the call leaves UTC and ids: printing never fails for it.
void load_words(http_call& call);

} // namespace opel::ctl
