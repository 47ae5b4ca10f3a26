#pragma once
// Refusing an unknown name the way a person can act on: an unknown place,
// PCN, rule or practice given to a filter or a silence is a usage error that
// names the closest known ones, rather than an empty table or a silence that
// never matches anything.

#include <boost/json/value.hpp>

#include <string>
#include <vector>

namespace opel::ctl {

/// A name opelctl may check a value against, with an optional label shown
/// beside it ("C82001" labelled "Aldermere Surgery"); the label matches too.
struct known_name {
    std::string name;
    std::string label;
};

/// Up to `n` known names closest to `value`, closest first: those within a
/// few edits of it (case ignored), or that contain it or its words.
std::vector<known_name> closest(const std::string& value, const std::vector<known_name>& known,
                                std::size_t n = 3);

/// Throws usage_error when `value` is not one of `known` (by name, case
/// sensitive, as the daemon compares): "unknown place 'cty'; did you mean:
/// city?", or the known ones listed when none is close. `what` names the kind.
void require_known(const std::string& what, const std::string& value,
                   const std::vector<known_name>& known);

/// The known names of a kind in a GET /v1/status answer: "place" (place
/// ids), "pcn" (PCN names) or "practice" (codes, labelled with names).
std::vector<known_name> known_in_status(const boost::json::value& status, const std::string& kind);

} // namespace opel::ctl
