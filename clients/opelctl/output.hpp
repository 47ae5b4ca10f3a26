#pragma once
// How opelctl shows things to a person: aligned tables, OPEL levels with
// their names and (on a terminal) colours, times in a short form.

#include <boost/json/value.hpp>

#include <iosfwd>
#include <string>
#include <vector>

namespace opel::ctl {

/// True when stdout is a terminal and NO_COLOR is unset.
bool colour_wanted();

/// True when stderr is a terminal (progress bars go there).
bool stderr_is_terminal();

/// A table row: its cells and the OPEL level that colours it (0: none).
struct table_row {
    std::vector<std::string> cells;
    int level = 0;
};

/// Prints `rows` under `headers`, columns padded to their widest cell
/// (counted in characters, not bytes), coloured by level when `colour`.
void print_table(std::ostream& out, const std::vector<std::string>& headers,
                 const std::vector<table_row>& rows, bool colour);

/// "3 Severe pressure" for a level (an integer JSON value), "-" for null.
std::string level_label(const boost::json::value& level);

/// `text` wrapped in the ANSI colour of OPEL `level` when `colour`.
std::string paint(const std::string& text, int level, bool colour);

/// The integer level of a JSON value, 0 when it is null or not an integer.
int level_number(const boost::json::value& level);

/// A JSON value shown in a cell: strings bare, arrays comma-joined, null "-".
std::string cell(const boost::json::value& v);

/// An RFC 3339 time in the daemon's zone, "2026-11-25 10:00 GMT" (UTC until
/// load_words has read the zone); other text unchanged.
std::string short_time(const boost::json::value& v);

/// The field `key` of object `o`, or null when it is absent.
const boost::json::value& field(const boost::json::value& o, const char* key);

} // namespace opel::ctl
