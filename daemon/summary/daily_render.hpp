#pragma once
// The daily summary's three forms (`format=json|csv|html`), each from the
// object build_daily made, so a stored summary renders the same later.

#include <string>

#include <boost/json.hpp>
#include <date/tz.h>

namespace opel::summary {

/// The summary as compact JSON text.
std::string render_daily_json(const boost::json::object& summary);

/// One CRLF-ended row per practice after a header row: code, name, pcn, place,
/// level, level_name, stale, reported_at, themes (';'-joined), note, support_requested.
std::string render_daily_csv(const boost::json::object& summary);

/// Plain text a person reads (opelctl, a mail's text part): "As of 09:00 ..."
/// first, then the system, places, PCNs, pressured practices, themes, how
/// many are not reporting, and the open alerts one line each; times in `tz`.
std::string render_daily_text(const boost::json::object& summary,
                              const date::time_zone* tz = nullptr);

/// A self-contained page; times shown in `tz` when given, else in UTC.
std::string render_daily_html(const boost::json::object& summary,
                              const date::time_zone* tz = nullptr);

} // namespace opel::summary
