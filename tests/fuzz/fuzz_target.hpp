#pragma once
// One fuzz target per parser. Built with clang and -fsanitize=fuzzer (PRODMCP_LIBFUZZER), each
// target is its own libFuzzer binary; built otherwise (GCC, the normal test run), every target
// registers with the replay driver, which feeds it each input of its checked-in corpus.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace prodmcp::fuzz {

using Target = int (*)(std::uint8_t const* data, std::size_t size);
bool register_target(std::string_view name, Target target);

inline std::string_view as_text(std::uint8_t const* data, std::size_t size) {
  return {reinterpret_cast<char const*>(data), size};
}

}  // namespace prodmcp::fuzz

#ifdef PRODMCP_LIBFUZZER
#define PRODMCP_FUZZ_TARGET(name) extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
#else
#define PRODMCP_FUZZ_TARGET(name)                                                                  \
  static int fuzz_##name(std::uint8_t const* data, std::size_t size);                              \
  [[maybe_unused]] static bool const registered_##name = prodmcp::fuzz::register_target(#name, fuzz_##name); \
  static int fuzz_##name(std::uint8_t const* data, std::size_t size)
#endif
