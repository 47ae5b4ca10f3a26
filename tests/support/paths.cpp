#include "support/paths.hpp"

namespace opel::test {
const char* source_dir() { return OPEL_TEST_SOURCE_DIR; }
const char* binary_dir() { return OPEL_TEST_BINARY_DIR; }
} // namespace opel::test
