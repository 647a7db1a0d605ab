// The replay driver: `prodmcp_fuzz_replay TARGET DIR...` runs TARGET on every file in each DIR (its
// seed corpus and the inputs that once crashed it), so every target is exercised by the normal
// test run, under the sanitizers too, without clang or libFuzzer.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "fuzz_target.hpp"

namespace {

std::map<std::string, prodmcp::fuzz::Target, std::less<>>& targets() {
  static std::map<std::string, prodmcp::fuzz::Target, std::less<>> all;
  return all;
}

}  // namespace

bool prodmcp::fuzz::register_target(std::string_view name, Target target) {
  targets().emplace(std::string(name), target);
  return true;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: " << argv[0] << " TARGET DIR...\ntargets:";
    for (auto const& [name, target] : targets()) std::cerr << ' ' << name;
    std::cerr << '\n';
    return 2;
  }
  auto const found = targets().find(std::string_view(argv[1]));
  if (found == targets().end()) {
    std::cerr << "no fuzz target \"" << argv[1] << "\"\n";
    return 2;
  }
  std::size_t inputs = 0;
  for (int i = 2; i < argc; ++i) {
    if (!std::filesystem::is_directory(argv[i])) continue;
    std::vector<std::filesystem::path> files;
    for (auto const& entry : std::filesystem::directory_iterator(argv[i]))
      if (entry.is_regular_file()) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (auto const& file : files) {
      std::ifstream stream(file, std::ios::binary);
      std::vector<char> bytes((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
      found->second(reinterpret_cast<std::uint8_t const*>(bytes.data()), bytes.size());
      ++inputs;
    }
  }
  if (inputs == 0) {
    std::cerr << "no inputs for " << argv[1] << " (an empty corpus tests nothing)\n";
    return 1;
  }
  std::cout << argv[1] << ": " << inputs << " inputs replayed\n";
  return 0;
}
