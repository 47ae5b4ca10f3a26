// Fuzz target: the rules loader, on the input as a rules file.
#include "fuzz_target.hpp"

#include "rules/rules_loader.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {
std::filesystem::path dir;
std::filesystem::path file;
} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "opeld-fuzz-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) std::abort();
    dir = tmpl;
    file = dir / "rules.yaml";
    std::atexit([] {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    std::vector<opel::core::diagnostic> errors;
    const auto rules = opel::rules::load_rule_set(file, errors);
    if ((rules != nullptr) == !errors.empty()) std::abort();
    if (rules) (void)opel::rules::parse_duration(std::string(reinterpret_cast<const char*>(data), size));
    return 0;
}
