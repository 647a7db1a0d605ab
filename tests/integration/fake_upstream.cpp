// A misbehaving stdio MCP server for the gateway's tests. Tools: echo, crash (writes to stderr,
// then exits with code 3 mid-call), garbage (a non-JSON line on stdout, then the answer), slow
// (answers after `ms`; reports a notifications/cancelled it receives on stderr), remember and
// recall (state kept in the process: what a client sees of another's), count (1, 2, 3, ...),
// crash_once (read-only) and crash_once_unsafe (exit 5 the first time, then "recovered"), touch
// (notifications/resources/updated for fake://note, sent only while it is subscribed). One
// resource, fake://note, which resources/subscribe subscribes to. ask_later answers at once, then
// asks roots/list outside any call; the answer goes to stderr ("roots answer: ...").
// On SIGTERM it says so on stderr and exits. Flags: --fail-at-start (exits 4 before reading
// anything), --ignore-sigterm,
// --stuck-cursor (tools/list returns the same nextCursor forever).
#include <boost/json.hpp>
#include <signal.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

namespace json = boost::json;

namespace {

void send(json::object const& message) {
  std::cout << json::serialize(message) << '\n' << std::flush;
}

json::object result(json::value const& id, json::object body) {
  return json::object{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(body)}};
}

json::object text(std::string const& value) {
  return json::object{{"content", json::array{json::object{{"type", "text"}, {"text", value}}}}};
}

json::object tool(std::string const& name) {
  return json::object{{"name", name},
                      {"description", "fake " + name},
                      {"inputSchema", json::object{{"type", "object"}}}};
}

json::object read_only(json::object descriptor) {
  descriptor["annotations"] = json::object{{"readOnlyHint", true}};
  return descriptor;
}

bool stuck_cursor = false;
std::string marker;  // --marker FILE: crash_once crashes while FILE does not exist (and creates it)
std::string remembered;
int counted = 0;
bool note_subscribed = false;

// Waits up to `ms` for input; a notifications/cancelled read meanwhile is reported on stderr and
// ends the wait (returns false: a cancelled request gets no answer).
bool wait_reading(int ms) {
  auto const until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  std::string line;
  while (std::chrono::steady_clock::now() < until) {
    pollfd p{0, POLLIN, 0};
    auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (::poll(&p, 1, static_cast<int>(std::max<long>(1, left.count()))) <= 0) continue;
    if (!std::getline(std::cin, line)) return false;
    if (line.find("notifications/cancelled") != std::string::npos) {
      std::cerr << "received " << line << std::endl;
      return false;
    }
  }
  return true;
}

void serve(json::object const& message) {
  auto const& method = message.at("method").as_string();
  auto const* id = message.if_contains("id");
  if (!id) return;
  if (method == "initialize") {
    send(result(*id, json::object{{"protocolVersion", "2025-06-18"},
                                  {"capabilities", json::object{{"tools", json::object{}},
                                                                {"resources", json::object{{"subscribe", true}}}}},
                                  {"serverInfo", json::object{{"name", "fake-upstream"}, {"version", "1"}}}}));
  } else if (method == "tools/list") {
    json::object body{{"tools", json::array{tool("echo"), tool("crash"), tool("garbage"), tool("slow"), tool("remember"), tool("recall"), tool("count"),
                                     read_only(tool("crash_once")), tool("crash_once_unsafe"), tool("touch"),
                                     tool("ask_later")}}};
    if (stuck_cursor) body["nextCursor"] = "same";
    send(result(*id, std::move(body)));
  } else if (method == "tools/call") {
    auto const& params = message.at("params").as_object();
    std::string const name(params.at("name").as_string());
    json::object arguments;
    if (auto const* a = params.if_contains("arguments"); a && a->is_object()) arguments = a->as_object();
    if (name == "echo") {
      std::string const value = arguments.contains("message") ? std::string(arguments.at("message").as_string()) : "";
      send(result(*id, text(value)));
    } else if (name == "crash_once" || name == "crash_once_unsafe") {
      if (::access(marker.c_str(), F_OK) != 0) {
        std::fclose(std::fopen(marker.c_str(), "w"));
        std::cerr << "crashing once" << std::endl;
        std::_Exit(5);
      }
      send(result(*id, text("recovered")));
    } else if (name == "ask_later") {
      send(result(*id, text("asking later")));
      send(json::object{{"jsonrpc", "2.0"}, {"id", "later-1"}, {"method", "roots/list"}, {"params", json::object{}}});
    } else if (name == "touch") {
      if (note_subscribed)
        send(json::object{{"jsonrpc", "2.0"}, {"method", "notifications/resources/updated"},
                          {"params", json::object{{"uri", "fake://note"}}}});
      send(result(*id, text(note_subscribed ? "touched, told" : "touched, nobody subscribed")));
    } else if (name == "count") {
      send(result(*id, text(std::to_string(++counted))));
    } else if (name == "remember") {
      remembered = arguments.contains("value") ? std::string(arguments.at("value").as_string()) : "";
      send(result(*id, text("remembered")));
    } else if (name == "recall") {
      send(result(*id, text(remembered.empty() ? "(nothing)" : remembered)));
    } else if (name == "crash") {
      std::cerr << "about to crash: the database is gone" << std::endl;
      std::_Exit(3);
    } else if (name == "garbage") {
      std::cout << "this is not JSON-RPC" << std::endl;
      send(result(*id, text("after garbage")));
    } else if (name == "slow") {
      int const ms = arguments.contains("ms") ? static_cast<int>(arguments.at("ms").to_number<std::int64_t>()) : 1000;
      std::cerr << "slow call started" << std::endl;
      if (wait_reading(ms)) send(result(*id, text("slow done")));
    } else {
      send(json::object{{"jsonrpc", "2.0"}, {"id", *id},
                        {"error", json::object{{"code", -32602}, {"message", "unknown tool " + name}}}});
    }
  } else if (method == "resources/list") {
    send(result(*id, json::object{{"resources", json::array{json::object{{"uri", "fake://note"}, {"name", "note"}}}}}));
  } else if (method == "resources/templates/list") {
    send(result(*id, json::object{{"resourceTemplates", json::array{}}}));
  } else if (method == "resources/read") {
    send(result(*id, json::object{{"contents", json::array{json::object{{"uri", "fake://note"}, {"text", remembered}}}}}));
  } else if (method == "resources/subscribe") {
    note_subscribed = message.at("params").at("uri") == "fake://note";
    std::cerr << "subscribed " << std::string(message.at("params").at("uri").as_string()) << std::endl;
    send(result(*id, {}));
  } else if (method == "ping") {
    send(result(*id, {}));
  } else {
    send(json::object{{"jsonrpc", "2.0"}, {"id", *id},
                      {"error", json::object{{"code", -32601}, {"message", "no " + std::string(method)}}}});
  }
}

}  // namespace

// Says so on stderr (the gateway logs it) and exits, as a well-behaved server does on SIGTERM.
void on_sigterm(int) {
  char text[64];
  int const length = std::snprintf(text, sizeof text, "fake upstream %d got SIGTERM\n", static_cast<int>(::getpid()));
  if (length > 0) (void)!::write(2, text, static_cast<std::size_t>(length));
  ::_exit(0);
}

int main(int argc, char** argv) {
  ::signal(SIGTERM, on_sigterm);
  for (int i = 1; i < argc; ++i) {
    std::string const flag = argv[i];
    if (flag == "--fail-at-start") {
      std::cerr << "cannot open the notes directory" << std::endl;
      return 4;
    }
    if (flag == "--ignore-sigterm") ::signal(SIGTERM, SIG_IGN);
    if (flag == "--stuck-cursor") stuck_cursor = true;
    if (flag == "--marker" && i + 1 < argc) marker = argv[++i];
  }
  std::cerr << "fake upstream " << ::getpid() << " started" << std::endl;
  std::string line;
  while (std::getline(std::cin, line)) {
    boost::system::error_code ec;
    auto value = json::parse(line, ec);
    if (ec || !value.is_object()) continue;
    if (auto const* id = value.as_object().if_contains("id"); id && *id == "later-1") {
      std::cerr << "roots answer: " << json::serialize(value) << std::endl;
      continue;
    }
    if (!value.as_object().contains("method")) continue;
    serve(value.as_object());
  }
  // stdin closed: a polite server exits; one that ignores SIGTERM lingers until killed.
  if (argc > 1 && std::string(argv[1]) == "--ignore-sigterm")
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
  return 0;
}
