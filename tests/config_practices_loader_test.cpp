// The practices file read on its own: every error it can report, each
// checked whole (`line: key: message`, in order), for files small enough to
// write inline, including the unusual shapes (aliases, non-scalar keys, a
// wrong type at each level) whose messages must not depend on how the file is
// parsed.
#include "config/practices_loader.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;
using opel::config::load_practices;

namespace {

/// A practices file with `text` in a fresh directory, removed afterwards.
class practices_file {
public:
    explicit practices_file(const std::string& text) {
        std::string tmpl = (fs::temp_directory_path() / "opeld-practices-XXXXXX").string();
        REQUIRE(mkdtemp(tmpl.data()));
        dir_ = tmpl;
        std::ofstream(path()) << text;
    }
    ~practices_file() { fs::remove_all(dir_); }
    practices_file(const practices_file&) = delete;
    practices_file& operator=(const practices_file&) = delete;
    fs::path path() const { return dir_ / "practices.yaml"; }

private:
    fs::path dir_;
};

/// The errors of loading `text`, each as `line: message`.
std::vector<std::string> errors_of(const std::string& text) {
    practices_file f(text);
    std::vector<opel::core::diagnostic> errors;
    const auto practices = load_practices(f.path(), errors);
    CHECK_FALSE(practices.has_value());
    std::vector<std::string> out;
    for (const auto& d : errors) {
        CHECK(d.file == f.path().string());
        out.push_back(std::to_string(d.line) + ": " + d.message);
    }
    return out;
}

using lines = std::vector<std::string>;

const std::string one = "  - {code: C82001, name: A, pcn: P, place: city}\n";

} // namespace

TEST_CASE("a valid practices file loads in file order", "[config]") {
    practices_file f("# two\npractices:\n" + one +
                     "  - code: C82002\n    name: B Surgery\n    pcn: P\n    place: county\n");
    std::vector<opel::core::diagnostic> errors;
    const auto practices = load_practices(f.path(), errors);
    REQUIRE(practices.has_value());
    CHECK(errors.empty());
    REQUIRE(practices->size() == 2);
    CHECK((*practices)[0].code == "C82001");
    CHECK((*practices)[1].code == "C82002");
    CHECK((*practices)[1].name == "B Surgery");
    CHECK((*practices)[1].pcn == "P");
    CHECK((*practices)[1].place == "county");
}

TEST_CASE("aliases in a practices file stand for what they name", "[config]") {
    practices_file g("practices:\n  - &first {code: C82001, name: A, pcn: &p North, place: "
                     "city}\n  - {code: C82002, name: B, pcn: *p, place: city}\n");
    std::vector<opel::core::diagnostic> errors;
    const auto practices = load_practices(g.path(), errors);
    REQUIRE(practices.has_value());
    REQUIRE(practices->size() == 2);
    CHECK((*practices)[1].pcn == "North");
    // An alias is the node it names, position included.
    CHECK(errors_of("practices:\n  - &first {code: C82001, name: A, pcn: P, place: city}\n"
                    "  - *first\n") ==
          lines{"2: practices.code: 'C82001' is already the code of the practice at line 2"});
    CHECK(errors_of("list: &l\n" + one + "practices: *l\n") ==
          lines{"1: list: unknown key (known keys: practices)"});
    CHECK(errors_of("practices: &l\n" + one + "  - {code: C82002, name: *l, pcn: P, place: x}\n") ==
          lines{"3: practices.name: expected a string, got a list"});
}

TEST_CASE("aliases that would expand beyond a bound are refused, not expanded", "[config]") {
    // Nine levels of ten aliases each name a billion values in a few lines:
    // refused with a line, where expanding them would exhaust memory.
    std::string text = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i <= 9; ++i) {
        const auto prev = "*l" + std::to_string(i - 1);
        text += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
        for (int k = 0; k < 10; ++k)
            text += (k ? ", " : "") + prev;
        text += "]\n";
    }
    text += "practices:\n" + one;
    const auto got = errors_of(text);
    REQUIRE(got.size() == 1);
    CHECK(got[0].find("aliases expand to more than 1000000 values; refused") != std::string::npos);
    CHECK(got[0].rfind("6: ", 0) == 0); // the line of the first alias past the bound
}

TEST_CASE("practices file errors at the top level", "[config]") {
    CHECK(errors_of("") == lines{"1: practices: missing (required)"});
    CHECK(errors_of("# nothing\n") == lines{"1: practices: missing (required)"});
    CHECK(errors_of("\n\n- a\n- b\n") == lines{"3: expected a mapping, got a list"});
    CHECK(errors_of("just text\n") == lines{"1: expected a mapping, got 'just text'"});
    CHECK(errors_of("practices:\n") == lines{"1: practices: lists no practices"});
    CHECK(errors_of("practices: []\n") == lines{"1: practices: lists no practices"});
    CHECK(errors_of("practices: C82001\n") ==
          lines{"1: practices: expected a list, got 'C82001'"});
    CHECK(errors_of("practices: {a: b}\n") == lines{"1: practices: expected a list, got a mapping"});
    CHECK(errors_of("version: 2\npractices:\n" + one + "practices: []\n[x]: y\n") ==
          lines{"1: version: unknown key (known keys: practices)",
                "4: practices: repeated key",
                "5: ?: unknown key (known keys: practices)"});
    CHECK(errors_of("practices:\n  - {code: C82001\n") ==
          lines{"3: end of map flow not found"});
}

TEST_CASE("a practice may give its list size, a positive whole number", "[config]") {
    practices_file f("practices:\n  - {code: C82001, name: A, pcn: P, place: city, "
                     "list_size: 9120}\n" + std::string("  - {code: C82002, name: B, pcn: P, place: city}\n"));
    std::vector<opel::core::diagnostic> errors;
    const auto practices = load_practices(f.path(), errors);
    REQUIRE(practices.has_value());
    CHECK((*practices)[0].list_size == 9120);
    CHECK((*practices)[1].list_size == 0); // none given: the mean of the others, when weighed
    const auto bad = [](const std::string& v) {
        return errors_of("practices:\n  - {code: C82001, name: A, pcn: P, place: x, list_size: " +
                         v + "}\n");
    };
    const std::string msg = "2: practices.list_size: expected a positive whole number of "
                            "registered patients (such as 9120), got ";
    CHECK(bad("0") == lines{msg + "'0'"});
    CHECK(bad("-5") == lines{msg + "'-5'"});
    CHECK(bad("9120.5") == lines{msg + "'9120.5'"});
    CHECK(bad("lots") == lines{msg + "'lots'"});
    CHECK(bad("20000001") == lines{msg + "'20000001'"});
    CHECK(bad("[1]") == lines{msg + "a list"});
}

TEST_CASE("practices file errors in a practice", "[config]") {
    // An empty item's position is where the parser found it empty: the next line.
    CHECK(errors_of("practices:\n  -\n") ==
          lines{"3: practices.code: missing (required)", "3: practices.name: missing (required)",
                "3: practices.pcn: missing (required)", "3: practices.place: missing (required)"});
    CHECK(errors_of("practices:\n  - C82001\n  - [a]\n") ==
          lines{"2: practices: expected a mapping, got 'C82001'",
                "3: practices: expected a mapping, got a list"});
    CHECK(errors_of("practices:\n  - code:\n    name: ''\n    pcn: [a]\n    place: {a: b}\n") ==
          lines{"2: practices.code: expected a string, got nothing",
                "3: practices.name: must not be empty",
                "4: practices.pcn: expected a string, got a list",
                "5: practices.place: expected a string, got a mapping"});
    CHECK(errors_of("practices:\n  - code: C82001\n    code: C82002\n    name: A\n    pcn: P\n"
                    "    place: x\n    ~: 1\n    '': 2\n    lat: 3\n") ==
          lines{"3: practices.code: repeated key",
                "7: practices.?: unknown key (known keys: code, name, pcn, place, list_size)",
                "8: practices.: repeated key",
                "9: practices.lat: unknown key (known keys: code, name, pcn, place, list_size)"});
    CHECK(errors_of("practices:\n  - {code: X1, name: A, pcn: P, place: x}\n" + one + one) ==
          lines{"2: practices.code: 'X1' is not a practice code (a letter and five digits, as "
                "C82001)",
                "4: practices.code: 'C82001' is already the code of the practice at line 3"});
}
