// Closest matches by edit distance (Levenshtein, case folded), with a
// containment rule beside it: "larkspur" is far from "Larkspur Central PCN"
// in edits but plainly meant it. Lists are small (a few hundred practices at
// most), so a plain O(n*m) distance per name is instant.
#include "suggest.hpp"

#include "ctl_error.hpp"
#include "output.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

namespace opel::ctl {

namespace {

std::string folded(const std::string& s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::size_t distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const auto above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                               diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

/// How far `value` is from a known name: its edits, or 1 when one contains the other.
std::size_t score(const std::string& value, const known_name& k) {
    const auto v = folded(value);
    auto best = distance(v, folded(k.name));
    for (const auto* s : {&k.name, &k.label})
        if (!v.empty() && !s->empty() &&
            (folded(*s).find(v) != std::string::npos || v.find(folded(*s)) != std::string::npos))
            best = std::min<std::size_t>(best, 1);
    return best;
}

std::string shown(const known_name& k) {
    return k.label.empty() ? k.name : k.name + " (" + k.label + ")";
}

std::string listed(const std::vector<known_name>& names) {
    std::string out;
    for (const auto& k : names)
        out += (out.empty() ? "" : ", ") + shown(k);
    return out;
}

} // namespace

std::vector<known_name> closest(const std::string& value, const std::vector<known_name>& known,
                                std::size_t n) {
    // Close enough to be a slip: a third of the name's length, at least two edits.
    const auto limit = std::max<std::size_t>(2, value.size() / 3);
    std::vector<std::pair<std::size_t, const known_name*>> scored;
    for (const auto& k : known)
        if (const auto s = score(value, k); s <= limit)
            scored.emplace_back(s, &k);
    std::stable_sort(scored.begin(), scored.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<known_name> out;
    for (std::size_t i = 0; i < scored.size() && i < n; ++i)
        out.push_back(*scored[i].second);
    return out;
}

void require_known(const std::string& what, const std::string& value,
                   const std::vector<known_name>& known) {
    if (std::any_of(known.begin(), known.end(), [&](const auto& k) { return k.name == value; }))
        return;
    std::string message = "unknown " + what + " '" + value + "'";
    if (const auto near = closest(value, known); !near.empty())
        message += "; did you mean: " + listed(near) + "?";
    else if (known.empty())
        message += "; the daemon knows none";
    else if (known.size() <= 12)
        message += "; known: " + listed(known);
    else
        message += "; none is close (" + std::to_string(known.size()) +
                   " are known: `opelctl status` lists them)";
    throw usage_error(message);
}

std::vector<known_name> known_in_status(const boost::json::value& status,
                                        const std::string& kind) {
    std::vector<known_name> out;
    if (kind == "practice") {
        if (const auto& list = field(status, "practices"); list.is_array())
            for (const auto& p : list.get_array())
                out.push_back({cell(field(p, "code")), cell(field(p, "name"))});
        return out;
    }
    const auto& groups = field(status, kind == "place" ? "places" : "pcns");
    if (groups.is_object())
        for (const auto& [name, g] : groups.get_object())
            out.push_back({std::string(name), {}});
    return out;
}

} // namespace opel::ctl
