#pragma once
// The frame every HTML form shares: one self-contained page (no external
// script, font or stylesheet) that reads on a phone and prints, with the OPEL
// colours taken from the level table.

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace opel::summary {

/// Doctype, viewport, inline CSS (`extra_css` after the shared rules) and the
/// opening of <body> with an <h1>; `title` is escaped.
std::string page_head(std::string_view title, std::string_view extra_css = {});

/// Closes what page_head opened.
std::string page_tail();

/// "OPEL 3 Severe pressure" on its colour; a grey "no level" for nullopt. The
/// number is always spelled out: colour alone is lost on a grey printer.
std::string level_badge(std::optional<int> level);

/// Opens a table that scrolls sideways on a phone, with a header row of
/// `heads` (escaped) and an open <tbody>; table_close ends it.
std::string table_open(std::initializer_list<std::string_view> heads);

/// Ends what table_open began.
inline constexpr std::string_view table_close = "</tbody></table></div>\n";

/// Black or white, whichever reads better on the background `hex` (#rrggbb).
std::string_view text_colour_on(std::string_view hex);

} // namespace opel::summary
