#pragma once
// Title and message templates of a rule: text with {placeholder}s, parsed once
// at load time so an unknown placeholder is a load error, not a blank alert.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opel::rules {

/// A parsed template: literal runs and placeholder names in order.
class text_template {
public:
    /// One piece: literal text, or a placeholder name when `placeholder` is set.
    struct part {
        std::string text;
        bool placeholder = false;
    };

    text_template() = default;

    /// Parses `source`: `{name}` is a placeholder, `{{` and `}}` are literal
    /// braces. Returns the error text (an unclosed or empty brace) on failure.
    static std::optional<text_template> parse(std::string_view source, std::string& error);

    /// The placeholder names used, in order of appearance.
    std::vector<std::string> placeholders() const;

    /// The text with each placeholder replaced by `lookup(name)`.
    std::string render(const std::function<std::string(std::string_view)>& lookup) const;

    /// Appends the text to `out`, each placeholder by `append(out, name)`:
    /// no string is made per placeholder, and no call goes through a
    /// std::function (the engine renders on every alert change).
    template <class Append>
    void render_to(std::string& out, Append&& append) const {
        for (const auto& p : parts_)
            if (p.placeholder)
                append(out, std::string_view(p.text));
            else
                out += p.text;
    }

    /// The template as written.
    const std::string& source() const { return source_; }

private:
    std::string source_;
    std::vector<part> parts_;
};

} // namespace opel::rules
