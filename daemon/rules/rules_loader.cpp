// The rules file loader: yaml-cpp into rule_set, every key validated.
#include "rules/rules_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <set>

namespace opel::rules {

namespace {

core::diagnostic at(const std::filesystem::path& file, const YAML::Node& node,
                    std::string message) {
    return {file.string(), node.Mark().line + 1, std::move(message)};
}

} // namespace

std::shared_ptr<const rule_set> load_rule_set(const std::filesystem::path& file,
                                              std::vector<core::diagnostic>& errors) {
    const auto before = errors.size();
    YAML::Node root;
    try {
        root = YAML::LoadFile(file.string());
    } catch (const YAML::BadFile&) {
        errors.push_back({file.string(), 0, "cannot read the rules file"});
        return nullptr;
    } catch (const YAML::ParserException& e) {
        errors.push_back({file.string(), e.mark.line + 1, e.msg});
        return nullptr;
    }
    auto set = std::make_shared<rule_set>();
    if (!root.IsMap()) {
        errors.push_back({file.string(), 1, "the rules file must be a mapping"});
        return nullptr;
    }
    for (const auto& kv : root) {
        const auto key = kv.first.as<std::string>();
        const auto& value = kv.second;
        if (key == "themes") {
            if (!value.IsSequence()) {
                errors.push_back(at(file, value, "themes: expected a list of theme ids"));
                continue;
            }
            std::set<std::string> seen;
            for (const auto& t : value) {
                if (!t.IsScalar()) {
                    errors.push_back(at(file, t, "themes: each theme id must be a string"));
                    continue;
                }
                auto id = t.as<std::string>();
                if (!seen.insert(id).second)
                    errors.push_back(at(file, t, "themes: duplicate theme id '" + id + "'"));
                set->themes.push_back(std::move(id));
            }
        } else if (key == "rules" || key == "stale_after" || key == "system_level") {
            // Read by the rules engine (issue 4).
        } else {
            errors.push_back(at(file, kv.first, "unknown key '" + key + "'"));
        }
    }
    if (errors.size() != before)
        return nullptr;
    return set;
}

} // namespace opel::rules
