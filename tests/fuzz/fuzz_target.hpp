#pragma once
// What every fuzz target defines: libFuzzer's entry points. The same sources
// build two ways (tests/fuzz/CMakeLists.txt): with clang and libFuzzer under
// OPEL_FUZZ, and with the normal compiler and replay_main.cpp as a test that
// feeds each corpus file once.

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv);
