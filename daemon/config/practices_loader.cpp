// The practices file: the list of practices the daemon accepts reports from,
// each with the PCN and place it is counted under. Every key is checked, as
// in the config file, and a code may appear once only, since everything else
// (tokens, submissions, alerts) refers to a practice by its code.
//
// The file is read from the parser's events, one practice at a time, rather
// than loaded whole as a yaml-cpp document: a document costs about 3 KiB a
// practice (150 MiB for 50,000), many times the practices themselves, and it
// set the daemon's peak memory. Only a practice being read, and any value an
// anchor names, is held as a small tree; the checks and their messages are
// those yaml_reader gives the config file's sections.
#include "config/practices_loader.hpp"

#include "config/value_parsers.hpp"
#include "config/yaml_reader.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <map>
#include <set>
#include <string_view>

namespace opel::config {

namespace {

/// One YAML value, as much of it as the checks read.
struct value {
    enum class kind { null, scalar, sequence, map };
    kind type = kind::null;
    int line = 0;             ///< 1-based line of its first event; 0 when it has none
    std::string text;         ///< a scalar's text
    std::vector<value> items; ///< a sequence's items, or a map's keys and values in turn
    std::size_t nodes = 1;    ///< values in this tree, itself included

    /// Its line, or `fallback` when it has none (as yaml_reader::line_of).
    int line_or(int fallback) const { return line > 0 ? line : fallback; }
    /// How it looks in a message, as yaml_reader's "got ..." says it.
    std::string describe() const {
        switch (type) {
        case kind::null: return "nothing";
        case kind::sequence: return "a list";
        case kind::map: return "a mapping";
        case kind::scalar: break;
        }
        return "'" + text + "'";
    }
    /// A map key's name in a key path ("?" unless a scalar), and the text a
    /// repeat is judged by (empty unless a scalar), as read_fields has them.
    std::string key_name() const { return type == kind::scalar ? text : "?"; }
    std::string key_text() const { return type == kind::scalar ? text : ""; }
};

int line_of(const YAML::Mark& m) { return m.is_null() || m.line < 0 ? 0 : m.line + 1; }

constexpr std::array<std::string_view, 4> practice_keys{"code", "name", "pcn", "place"};

/// At most this many values are copied for aliases in one file.
constexpr std::size_t alias_limit = 1'000'000;

/// Thrown when aliases would copy more than alias_limit values.
struct too_many_aliases {
    int line;
};

/// Builds values from the parser's events and checks each practice as soon as
/// it is complete; the top-level mapping and the practices list themselves
/// are never held.
class practices_reader : public YAML::EventHandler {
public:
    explicit practices_reader(yaml_reader& r) : r_(r) {}

    /// After the document: the required key's check.
    void finish() {
        if (root_is_map_ && !seen_root_keys_.count("practices"))
            r_.error(std::max(1, root_line_), "practices: missing (required)");
    }
    std::vector<core::practice> take() { return std::move(practices_); }

    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& m, YAML::anchor_t a) override {
        complete(value{value::kind::null, line_of(m), {}, {}}, a);
    }
    void OnAlias(const YAML::Mark& m, YAML::anchor_t a) override {
        const auto it = anchors_.find(a);
        if (it == anchors_.end())
            return complete(value{}, 0);
        // Each alias is a copy of what its anchor names, and anchors can name
        // values full of aliases: a few lines could otherwise expand into
        // more values than memory holds (or nest deeper than the stack).
        copied_ += it->second.nodes;
        if (copied_ > alias_limit)
            throw too_many_aliases{line_of(m)};
        complete(it->second, 0);
    }
    void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t a,
                  const std::string& text) override {
        complete(value{value::kind::scalar, line_of(m), text, {}}, a);
    }
    void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t a,
                         YAML::EmitterStyle::value) override {
        start(value::kind::sequence, m, a);
    }
    void OnSequenceEnd() override { end(); }
    void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t a,
                    YAML::EmitterStyle::value) override {
        start(value::kind::map, m, a);
    }
    void OnMapEnd() override { end(); }

private:
    /// What becomes of a container's items as they complete.
    enum class role {
        held,      ///< kept in its value
        root,      ///< the top-level mapping: each key and value handled in turn
        practices, ///< the practices list: each item checked, then dropped
    };
    struct frame {
        value v;
        YAML::anchor_t anchor = 0;
        role what = role::held;
        std::size_t count = 0; ///< items seen (practices) or keys and values seen (root)
    };

    void start(value::kind k, const YAML::Mark& m, YAML::anchor_t a) {
        frame f{value{k, line_of(m), {}, {}}, a, role::held, 0};
        if (stack_.empty() && k == value::kind::map) {
            f.what = role::root;
            root_line_ = f.v.line;
        } else if (k == value::kind::sequence && in_practices_value()) {
            f.what = role::practices;
        }
        if (f.what != role::held && a)
            anchors_[a] = f.v; // an alias to it reads only its kind and line
        stack_.push_back(std::move(f));
    }

    void end() {
        frame f = std::move(stack_.back());
        stack_.pop_back();
        if (f.what == role::practices) {
            if (f.count == 0) r_.error(list_line_, "practices: lists no practices");
            after_value();
        } else if (f.what == role::held) {
            complete(std::move(f.v), f.anchor);
        }
    }

    /// True when the next value is the practices list: the value of the top
    /// level's first `practices` key.
    bool in_practices_value() const {
        return stack_.size() == 1 && stack_.back().what == role::root &&
               stack_.back().count % 2 == 1 && next_is_practices_;
    }

    void complete(value v, YAML::anchor_t a) {
        if (a) anchors_[a] = v;
        if (stack_.empty()) {
            root(v);
            return;
        }
        frame& parent = stack_.back();
        switch (parent.what) {
        case role::held:
            parent.v.nodes += v.nodes;
            parent.v.items.push_back(std::move(v));
            break;
        case role::practices: practice(v, list_line_); ++parent.count; break;
        case role::root:
            if (parent.count++ % 2 == 0)
                root_key(v);
            else
                root_value(v);
            break;
        }
    }

    /// A top level that is not a mapping (a mapping streams through root_key).
    void root(const value& v) {
        root_line_ = v.line;
        if (v.type != value::kind::null && v.type != value::kind::map) {
            root_is_map_ = false;
            r_.error(std::max(1, root_line_), "expected a mapping, got " + v.describe());
        }
    }

    void root_key(const value& key) {
        const int line = key.line_or(std::max(1, root_line_));
        // A top-level key is its whole path; an empty one leaves the message bare.
        const auto name = key.key_name().empty() ? "" : key.key_name() + ": ";
        next_is_practices_ = false;
        if (!seen_root_keys_.insert(key.key_text()).second) {
            r_.error(line, name + "repeated key");
        } else if (key.key_text() == "practices") {
            next_is_practices_ = true;
            list_line_ = line;
        } else {
            r_.error(line, name + "unknown key (known keys: practices)");
        }
    }

    /// The value of a top-level key, when it is not a streamed list.
    void root_value(const value& v) {
        if (!next_is_practices_) return;
        if (v.type == value::kind::sequence) {
            for (const auto& item : v.items)
                practice(item, list_line_);
            if (v.items.empty()) r_.error(list_line_, "practices: lists no practices");
        } else if (v.type == value::kind::null) {
            r_.error(list_line_, "practices: lists no practices");
        } else {
            r_.error(list_line_, "practices: expected a list, got " + v.describe());
        }
        next_is_practices_ = false;
    }

    /// The streamed list ended: the root mapping counts it as its value.
    void after_value() {
        ++stack_.back().count;
        next_is_practices_ = false;
    }

    /// `list_size`: registered patients, a positive whole number (at most ten
    /// million, more than any practice has), for weighted group levels.
    void read_list_size(const value& v, int line, core::practice& p) {
        const auto& t = v.text;
        const bool digits = v.type == value::kind::scalar && !t.empty() && t.size() <= 8 &&
                            std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
        const long n = digits ? std::stol(t) : 0;
        if (!digits || n < 1 || n > 10'000'000) {
            r_.error(line, "practices.list_size: expected a positive whole number of registered "
                           "patients (such as 9120), got " + v.describe());
            return;
        }
        p.list_size = static_cast<int>(n);
    }

    /// Checks one item of the list and keeps it if it is a whole new practice.
    void practice(const value& item, int list_line) {
        const int line = item.line_or(list_line);
        const auto before = r_.error_count();
        if (item.type != value::kind::null && item.type != value::kind::map) {
            r_.error(line, "practices: expected a mapping, got " + item.describe());
            return;
        }
        core::practice p;
        std::set<std::string, std::less<>> seen;
        int code_line = 0;
        for (std::size_t i = 0; i + 1 < item.items.size(); i += 2) {
            const value& key = item.items[i];
            const value& v = item.items[i + 1];
            const int kline = key.line_or(line);
            const auto path = "practices." + key.key_name();
            const auto text = key.key_text();
            if (key.type == value::kind::scalar && text == "code" && code_line == 0)
                code_line = kline;
            if (!seen.insert(text).second) {
                r_.error(kline, path + ": repeated key");
                continue;
            }
            if (text == "list_size") {
                read_list_size(v, kline, p);
                continue;
            }
            std::string* into = text == "code"    ? &p.code
                                : text == "name"  ? &p.name
                                : text == "pcn"   ? &p.pcn
                                : text == "place" ? &p.place
                                                  : nullptr;
            if (!into) {
                r_.error(kline, path + ": unknown key (known keys: code, name, pcn, place, "
                                       "list_size)");
            } else if (v.type != value::kind::scalar) {
                r_.error(kline, path + ": expected a string, got " + v.describe());
            } else if (v.text.empty()) {
                r_.error(kline, path + ": must not be empty");
            } else if (into == &p.code && !is_practice_code(v.text)) {
                r_.error(kline, path + ": '" + v.text +
                                    "' is not a practice code (a letter and five digits, as "
                                    "C82001)");
            } else {
                *into = v.text;
            }
        }
        for (const auto key : practice_keys)
            if (!seen.count(key))
                r_.error(line, "practices." + std::string(key) + ": missing (required)");
        if (r_.error_count() != before) return;
        const auto [it, fresh] = codes_.emplace(p.code, line);
        if (fresh)
            practices_.push_back(std::move(p));
        else
            r_.error(code_line, "practices.code: '" + p.code +
                                    "' is already the code of the practice at line " +
                                    std::to_string(it->second));
    }

    yaml_reader& r_;
    std::vector<frame> stack_;
    std::map<YAML::anchor_t, value> anchors_;
    std::size_t copied_ = 0; ///< values copied by aliases so far
    int root_line_ = 0;
    bool root_is_map_ = true; ///< a null top level counts as an empty mapping
    std::set<std::string, std::less<>> seen_root_keys_;
    bool next_is_practices_ = false; ///< the value being read is the practices list
    int list_line_ = 0;              ///< the `practices` key's line
    std::map<std::string, int> codes_; ///< code -> line of its first practice
    std::vector<core::practice> practices_;
};

} // namespace

std::optional<std::vector<core::practice>> load_practices(const std::filesystem::path& file,
                                                          std::vector<core::diagnostic>& errors) {
    std::ifstream in(file);
    if (!in) {
        errors.push_back({file.string(), 0, "cannot read the practices file"});
        return std::nullopt;
    }
    yaml_reader r(file, errors);
    const auto before = errors.size();
    practices_reader reader(r);
    try {
        YAML::Parser parser(in);
        parser.HandleNextDocument(reader);
    } catch (const YAML::ParserException& e) {
        // A file that does not parse reports that alone, as a whole-document
        // load would: nothing read before the fault counts.
        errors.resize(before);
        errors.push_back({file.string(), e.mark.line + 1, e.msg});
        return std::nullopt;
    } catch (const too_many_aliases& e) {
        errors.resize(before);
        errors.push_back({file.string(), e.line,
                          "aliases expand to more than " + std::to_string(alias_limit) +
                              " values; refused"});
        return std::nullopt;
    }
    reader.finish();
    if (errors.size() != before) return std::nullopt;
    auto practices = reader.take();
    practices.shrink_to_fit();
    return practices;
}

} // namespace opel::config
