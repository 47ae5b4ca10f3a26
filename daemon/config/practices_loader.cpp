// The practices file: the list of practices the daemon accepts reports from,
// each with the PCN and place it is counted under. Every key is checked, as
// in the config file, and a code may appear once only, since everything else
// (tokens, submissions, alerts) refers to a practice by its code.
#include "config/practices_loader.hpp"
#include "config/value_parsers.hpp"
#include "config/yaml_reader.hpp"

#include <map>

namespace opel::config {

namespace {

/// A required text field of a practice.
template <std::string core::practice::*member>
void read_text(yaml_reader& r, const entry& e, core::practice& p) {
    if (auto s = r.text(e)) p.*member = std::move(*s);
}

const field_table<core::practice> practice_fields{
    {"code",
     [](yaml_reader& r, const entry& e, core::practice& p) {
         const auto s = r.text(e);
         if (s && is_practice_code(*s))
             p.code = *s;
         else if (s)
             r.error(e, "'" + *s +
                            "' is not a practice code (a letter and five digits, "
                            "as C82001)");
     }},
    {"name", read_text<&core::practice::name>},
    {"pcn", read_text<&core::practice::pcn>},
    {"place", read_text<&core::practice::place>},
};

/// The practices file's top level while it is read.
struct practices_draft {
    std::vector<core::practice> practices;
};

void read_practice_list(yaml_reader& r, const entry& e, practices_draft& d) {
    const auto items = r.list(e);
    if (!items) return;
    std::map<std::string, int> seen; // code -> line of its first practice
    for (const auto& item : *items) {
        const auto before = r.error_count();
        core::practice p;
        read_fields(r, item, practice_fields, p, {"code", "name", "pcn", "place"});
        if (r.error_count() != before) continue;
        const auto [it, fresh] = seen.emplace(p.code, item.line);
        if (fresh)
            d.practices.push_back(std::move(p));
        else
            r.error(yaml_reader::field(item, "code"),
                    "'" + p.code + "' is already the code of the practice at line " +
                        std::to_string(it->second));
    }
    if (items->empty()) r.error(e, "lists no practices");
}

const field_table<practices_draft> file_fields{
    {"practices", read_practice_list},
};

} // namespace

std::optional<std::vector<core::practice>> load_practices(const std::filesystem::path& file,
                                                          std::vector<core::diagnostic>& errors) {
    YAML::Node root;
    try {
        root = YAML::LoadFile(file.string());
    } catch (const YAML::BadFile&) {
        errors.push_back({file.string(), 0, "cannot read the practices file"});
        return std::nullopt;
    } catch (const YAML::ParserException& e) {
        errors.push_back({file.string(), e.mark.line + 1, e.msg});
        return std::nullopt;
    }
    yaml_reader r(file, errors);
    const auto before = r.error_count();
    practices_draft d;
    read_fields(r, {root, std::max(1, yaml_reader::line_of(root, 1)), ""}, file_fields, d,
                {"practices"});
    if (r.error_count() != before) return std::nullopt;
    return std::move(d.practices);
}

} // namespace opel::config
