// Fuzz target: the config loader, on the input as a config file. The file
// sits in a scratch directory beside copies of the demo practices and rules
// files, so an input that names them reaches the loaders behind them.
#include "fuzz_target.hpp"

#include "config/config_loader.hpp"

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
    const std::filesystem::path src = OPEL_SOURCE_DIR;
    std::filesystem::copy_file(src / "config/practices.yaml", dir / "practices.yaml");
    std::filesystem::copy_file(src / "rules/llr.yaml", dir / "rules.yaml");
    file = dir / "opeld.yaml";
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
    const auto cfg = opel::config::load_config(file, errors);
    // Either a config or at least one error, never both and never neither.
    if (cfg.has_value() == !errors.empty()) std::abort();
    for (const auto& e : errors)
        if (e.message.empty()) std::abort();
    return 0;
}
