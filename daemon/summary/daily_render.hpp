#pragma once
// The daily summary's three forms (`format=json|csv|html`), each from the
// object build_daily made, so a stored summary renders the same later.

#include "summary/themes.hpp"

#include <string>

#include <boost/json.hpp>
#include <date/tz.h>

namespace opel::summary {

/// The summary as compact JSON text.
std::string render_daily_json(const boost::json::object& summary);

/// One CRLF-ended row per practice after a header row: code, name, pcn, place,
/// level, level_name, stale, reported_at, themes (';'-joined ids), note,
/// support_requested; then one column per theme of `themes`, headed by its
/// name, "yes" where the practice's report carries it.
std::string render_daily_csv(const boost::json::object& summary, const theme_names& themes = {});

/// Plain text a person reads (opelctl, a mail's text part): "As of 09:00 ..."
/// first, then the system, places, PCNs, pressured practices, themes, how
/// many are not reporting, and the open alerts one line each; times in `tz`,
/// themes by their names in `themes`.
std::string render_daily_text(const boost::json::object& summary,
                              const date::time_zone* tz = nullptr,
                              const theme_names& themes = {});

/// A self-contained page; times shown in `tz` when given, else in UTC; themes
/// by their names in `themes`, support actions by theirs in `actions`.
std::string render_daily_html(const boost::json::object& summary,
                              const date::time_zone* tz = nullptr,
                              const theme_names& themes = {}, const theme_names& actions = {});

} // namespace opel::summary
