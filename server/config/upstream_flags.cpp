#include "config/upstream_flags.hpp"

#include <boost/json/parse.hpp>
#include <wordexp.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "config/upstream_keys.hpp"

namespace prodmcp::config {

namespace {

namespace json = boost::json;

std::string key_of(std::string const& name, std::string_view leaf) {
  return std::string(kUpstreamsSection) + "." + name + "." + std::string(leaf);
}

FlagSetting setting(std::string const& name, std::string_view leaf, Value value, std::string const& flag) {
  FlagSetting result;
  result.key = key_of(name, leaf);
  result.flag = flag;
  result.value = std::move(value);
  return result;
}

bool is_url(std::string_view text) { return text.starts_with("http://") || text.starts_with("https://"); }

// Shell words, as a shell would split them (quotes, backslashes, $VAR), without running anything.
std::vector<std::string> split_words(std::string const& text) {
  wordexp_t words{};
  int const status = ::wordexp(text.c_str(), &words, WRDE_NOCMD | WRDE_UNDEF);
  if (status != 0) {
    if (status != WRDE_NOSPACE) ::wordfree(&words);
    switch (status) {
      case WRDE_BADCHAR:
        throw std::invalid_argument("the command holds a character a shell treats specially (| & ; < > ( ) { } or a "
                                    "newline): quote it, or put the command in a config file");
      case WRDE_CMDSUB: throw std::invalid_argument("the command may not use $(...) or backticks");
      case WRDE_BADVAL: throw std::invalid_argument("the command names an environment variable that is not set");
      default: throw std::invalid_argument("the command is not valid shell words (an unclosed quote?)");
    }
  }
  std::vector<std::string> result(words.we_wordv, words.we_wordv + words.we_wordc);
  ::wordfree(&words);
  return result;
}

StringMap string_map(json::value const* value, std::string const& what) {
  StringMap result;
  if (!value || value->is_null()) return result;
  if (!value->is_object()) throw std::invalid_argument(what + " must be an object of strings");
  for (auto const& [key, item] : value->get_object()) {
    if (!item.is_string()) throw std::invalid_argument(what + "." + std::string(key) + " must be a string");
    result[std::string(key)] = std::string(item.get_string());
  }
  return result;
}

std::string string_member(json::object const& object, std::string_view key, std::string const& what) {
  auto const* value = object.if_contains(key);
  if (!value || value->is_null()) return {};
  if (!value->is_string()) throw std::invalid_argument(what + "." + std::string(key) + " must be a string");
  return std::string(value->get_string());
}

}  // namespace

std::vector<FlagSetting> upstream_flag(std::string const& spec) {
  std::string const flag = "--upstream";
  auto const equals = spec.find('=');
  if (equals == std::string::npos || equals == 0)
    throw std::invalid_argument("expected NAME=COMMAND [ARGS...] or NAME=URL, e.g. --upstream 'notes=python3 "
                                "notes_server.py', got \"" + spec + "\"");
  std::string const name = spec.substr(0, equals);
  if (!valid_upstream_name(name))
    throw std::invalid_argument("upstream name \"" + name + "\" must be 1-64 lowercase letters, digits or '-'");
  std::string const rest = spec.substr(equals + 1);
  if (is_url(rest)) return {setting(name, "url", rest, flag)};
  auto words = split_words(rest);
  if (words.empty()) throw std::invalid_argument("upstream \"" + name + "\" names no command");
  std::vector<FlagSetting> result{setting(name, "command", words.front(), flag)};
  words.erase(words.begin());
  result.push_back(setting(name, "args", StringList(std::move(words)), flag));
  return result;
}

std::vector<FlagSetting> mcp_json_file(std::string const& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::invalid_argument("cannot read " + path);
  std::ostringstream text;
  text << file.rdbuf();
  boost::system::error_code ec;
  auto const document = json::parse(text.str(), ec);
  if (ec) throw std::invalid_argument(path + " is not valid JSON (" + ec.message() + ")");
  // Claude Desktop, Claude Code and Cursor write "mcpServers"; VS Code's .vscode/mcp.json "servers".
  auto const* servers = document.is_object() ? document.get_object().if_contains("mcpServers") : nullptr;
  if (!servers && document.is_object()) servers = document.get_object().if_contains("servers");
  if (!servers || !servers->is_object())
    throw std::invalid_argument(path + " has no \"mcpServers\" object (Claude Desktop, Claude Code, Cursor) or "
                                "\"servers\" object (VS Code)");
  if (servers->get_object().empty()) throw std::invalid_argument(path + " lists no servers");
  std::string const flag = "--mcp-json";
  std::vector<FlagSetting> result;
  for (auto const& [server_name, entry] : servers->get_object()) {
    std::string const what = std::string(servers == document.get_object().if_contains("servers") ? "servers." : "mcpServers.") +
                             std::string(server_name);
    // Names there are free text; ours become labels and prefixes.
    std::string name;
    for (unsigned char c : std::string_view(server_name))
      name += std::isalnum(c) ? static_cast<char>(std::tolower(c)) : '-';
    if (!valid_upstream_name(name))
      throw std::invalid_argument(what + ": the name cannot become an upstream name (1-64 letters, digits, '-')");
    for (auto const& earlier : result)
      if (earlier.key.starts_with(key_of(name, "")))
        throw std::invalid_argument(what + ": two servers become upstream \"" + name + "\"; rename one");
    if (!entry.is_object()) throw std::invalid_argument(what + " must be an object");
    auto const& server = entry.get_object();
    auto const command = string_member(server, "command", what);
    auto const url = string_member(server, "url", what);
    if (!command.empty()) {
      result.push_back(setting(name, "command", command, flag));
      StringList args;
      if (auto const* list = server.if_contains("args"); list && !list->is_null()) {
        if (!list->is_array()) throw std::invalid_argument(what + ".args must be an array of strings");
        for (auto const& arg : list->get_array()) {
          if (!arg.is_string()) throw std::invalid_argument(what + ".args must be an array of strings");
          args.emplace_back(arg.get_string());
        }
      }
      result.push_back(setting(name, "args", std::move(args), flag));
      result.push_back(setting(name, "env", string_map(server.if_contains("env"), what + ".env"), flag));
      if (auto cwd = string_member(server, "cwd", what); !cwd.empty())
        result.push_back(setting(name, "cwd", std::move(cwd), flag));
    } else if (!url.empty()) {
      result.push_back(setting(name, "url", url, flag));
      result.push_back(setting(name, "headers", string_map(server.if_contains("headers"), what + ".headers"), flag));
    } else {
      throw std::invalid_argument(what + " has neither \"command\" nor \"url\"");
    }
  }
  return result;
}

}  // namespace prodmcp::config
