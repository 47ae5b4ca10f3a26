// Template parsing and rendering. Parsing happens when the rules file loads, so
// rendering an alert never fails: every name it meets was checked then.
#include "rules/text_template.hpp"

namespace opel::rules {

namespace {

bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

} // namespace

std::optional<text_template> text_template::parse(std::string_view source, std::string& error) {
    text_template t;
    t.source_ = std::string(source);
    std::string literal;
    for (std::size_t i = 0; i < source.size(); ++i) {
        const char c = source[i];
        if ((c == '{' || c == '}') && i + 1 < source.size() && source[i + 1] == c) {
            literal += c;
            ++i;
            continue;
        }
        if (c == '}') {
            error = "a '}' with no '{' (write '}}' for a literal brace)";
            return std::nullopt;
        }
        if (c != '{') {
            literal += c;
            continue;
        }
        const auto close = source.find('}', i + 1);
        if (close == std::string_view::npos) {
            error = "a '{' with no closing '}' (write '{{' for a literal brace)";
            return std::nullopt;
        }
        const auto name = source.substr(i + 1, close - i - 1);
        bool valid = !name.empty();
        for (const char n : name)
            valid = valid && name_char(n);
        if (!valid) {
            error = "'{" + std::string(name) + "}' is not a placeholder name";
            return std::nullopt;
        }
        if (!literal.empty())
            t.parts_.push_back({std::move(literal), false});
        literal.clear();
        t.parts_.push_back({std::string(name), true});
        i = close;
    }
    if (!literal.empty())
        t.parts_.push_back({std::move(literal), false});
    return t;
}

std::vector<std::string> text_template::placeholders() const {
    std::vector<std::string> names;
    for (const auto& p : parts_)
        if (p.placeholder)
            names.push_back(p.text);
    return names;
}

std::string text_template::render(
    const std::function<std::string(std::string_view)>& lookup) const {
    std::string out;
    render_to(out, [&](std::string& o, std::string_view name) { o += lookup(name); });
    return out;
}

} // namespace opel::rules
