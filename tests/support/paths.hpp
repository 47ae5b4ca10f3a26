#pragma once
// Where the tests find the source tree (rules, fixtures, the unit file) and
// the build tree (the built programs). Defined once, in support/paths.cpp,
// rather than as compile definitions on every test: a compile definition
// holding the checkout's path makes each checkout's test objects differ, so
// a compiler cache could not share them between two checkouts.

namespace opel::test {
const char* source_dir();
const char* binary_dir();
} // namespace opel::test

#define OPEL_SOURCE_DIR (::opel::test::source_dir())
#define OPEL_BINARY_DIR (::opel::test::binary_dir())
