// The shared page frame of the daily summary and the monthly report. The CSS
// is written inline so the page works as an e-mail attachment or a saved file
// with no network; the level classes are generated from core::level_of so the
// colours cannot drift from the OPEL table.
#include "summary/page.hpp"

#include "core/opel_level.hpp"
#include "summary/text.hpp"

#include <cmath>
#include <string>

namespace opel::summary {

namespace {

constexpr std::string_view base_css = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0 auto;max-width:64rem;padding:1rem;color:#1a1a1a;line-height:1.4}
h1{font-size:1.5rem;margin:.2rem 0}
h2{font-size:1.15rem;margin-top:1.6rem;border-bottom:1px solid #bbb}
.asof{font-size:1.2rem;font-weight:600;margin:.2rem 0}
.meta{color:#444;margin:.2rem 0 1rem}
.banner{padding:1rem;border-radius:.5rem;font-size:1.3rem;font-weight:bold}
.banner small{display:block;font-size:.95rem;font-weight:normal}
.level{display:inline-block;padding:.1rem .45rem;border-radius:.25rem;font-weight:bold;white-space:nowrap}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{text-align:left;padding:.3rem .45rem;border-bottom:1px solid #ddd;vertical-align:top}
td.n,th.n{text-align:right}
ul{padding-left:1.2rem}
.note{white-space:pre-wrap}
.l0{background:#e0e0e0;color:#000}
@media (max-width:40rem){body{padding:.5rem}table{font-size:.85rem}th,td{padding:.25rem}}
@media print{body{max-width:none;padding:0;font-size:10pt}.banner,.level,svg{-webkit-print-color-adjust:exact;print-color-adjust:exact}.banner,.level{border:1px solid #000}h2{break-after:avoid}tr{break-inside:avoid}.scroll{overflow:visible}}
)";

// The sRGB relative luminance of WCAG 2.
double luminance(std::string_view hex) {
    if (hex.size() != 7 || hex.front() != '#') return 1.0;
    double sum = 0;
    constexpr double weights[] = {0.2126, 0.7152, 0.0722};
    for (int i = 0; i < 3; ++i) {
        const double c = std::stoi(std::string(hex.substr(1 + 2 * i, 2)), nullptr, 16) / 255.0;
        const double lin = c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
        sum += weights[i] * lin;
    }
    return sum;
}

std::string level_css() {
    std::string css;
    for (int n = 1; n <= 4; ++n) {
        const auto& info = core::level_of(n);
        css += ".l" + std::to_string(n) + "{background:" + std::string(info.hex) +
               ";color:" + std::string(text_colour_on(info.hex)) + "}\n";
    }
    return css;
}

} // namespace

std::string_view text_colour_on(std::string_view hex) {
    // Black wins when its contrast ratio beats white's: (L+0.05)/0.05 > 1.05/(L+0.05).
    const double l = luminance(hex);
    return (l + 0.05) * (l + 0.05) > 0.0525 ? "#000" : "#fff";
}

std::string page_head(std::string_view title, std::string_view extra_css) {
    std::string out = "<!doctype html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out += "<title>" + html_escape(title) + "</title>\n<style>";
    out += base_css;
    out += level_css();
    out += extra_css;
    out += "</style>\n</head>\n<body>\n<h1>" + html_escape(title) + "</h1>\n";
    return out;
}

std::string page_tail() {
    return "</body>\n</html>\n";
}

std::string level_badge(std::optional<int> level) {
    if (!level) return "<span class=\"level l0\">no level</span>";
    const auto& info = core::level_of(*level);
    return "<span class=\"level l" + std::to_string(info.level) + "\">OPEL " +
           std::to_string(info.level) + " " + html_escape(info.name) + "</span>";
}

std::string table_open(std::initializer_list<std::string_view> heads) {
    std::string out = "<div class=\"scroll\"><table>\n<thead><tr>";
    for (const auto h : heads)
        out += "<th>" + html_escape(h) + "</th>";
    return out + "</tr></thead>\n<tbody>\n";
}

} // namespace opel::summary
