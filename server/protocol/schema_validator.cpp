#include "protocol/schema_validator.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>

namespace prodmcp::protocol {

namespace json = boost::json;

namespace {

constexpr int kMaxDepth = 64;

// A count a schema gave (minLength, maxItems, ...) for a message: whole when it is whole and fits,
// else as JSON writes it. A schema may say 1e300; converting that to an integer is undefined.
std::string count_text(double count) {
  if (count == std::floor(count) && std::fabs(count) < 9e15) return std::to_string(static_cast<std::int64_t>(count));
  return json::serialize(json::value(count));
}

class Validator {
 public:
  explicit Validator(json::value const& root) : root_(root) {}

  std::optional<std::string> check(json::value const& instance, json::value const& schema, std::string const& path,
                                   int depth) const {
    if (depth > kMaxDepth) return at(path, "schema nesting is too deep");
    if (schema.is_bool()) {
      if (!schema.get_bool()) return at(path, "no value is allowed here");
      return std::nullopt;
    }
    auto const* s = schema.if_object();
    if (!s) return std::nullopt;

    if (auto const* ref = s->if_contains("$ref"); ref && ref->is_string()) {
      if (auto const* target = resolve(ref->get_string()))
        if (auto error = check(instance, *target, path, depth + 1)) return error;
    }
    if (auto const* type = s->if_contains("type")) {
      if (!matches_type(instance, *type))
        return at(path, "expected " + describe_type(*type) + ", got " + type_name(instance));
    }
    if (auto const* values = s->if_contains("enum"); values && values->is_array()) {
      bool found = false;
      for (auto const& v : values->get_array()) found = found || equal(v, instance);
      if (!found) return at(path, "must be one of " + json::serialize(*values));
    }
    if (auto const* constant = s->if_contains("const"); constant && !equal(*constant, instance))
      return at(path, "must equal " + json::serialize(*constant));
    if (instance.is_number()) {
      double const x = instance.to_number<double>();
      if (auto e = bound(s, "minimum", x, [](double v, double b) { return v >= b; }, path)) return e;
      if (auto e = bound(s, "maximum", x, [](double v, double b) { return v <= b; }, path)) return e;
      if (auto e = bound(s, "exclusiveMinimum", x, [](double v, double b) { return v > b; }, path)) return e;
      if (auto e = bound(s, "exclusiveMaximum", x, [](double v, double b) { return v < b; }, path)) return e;
    }
    if (instance.is_string()) {
      auto const length = utf8_length(instance.get_string());
      if (auto const min = number(s, "minLength"); min && double(length) < *min)
        return at(path, "must be at least " + count_text(*min) + " characters long");
      if (auto const max = number(s, "maxLength"); max && double(length) > *max)
        return at(path, "must be at most " + count_text(*max) + " characters long");
    }
    if (auto const* object = instance.if_object()) {
      if (auto error = check_object(*object, *s, path, depth)) return error;
    }
    if (auto const* array = instance.if_array()) {
      if (auto const min = number(s, "minItems"); min && double(array->size()) < *min)
        return at(path, "needs at least " + count_text(*min) + " items");
      if (auto const max = number(s, "maxItems"); max && double(array->size()) > *max)
        return at(path, "takes at most " + count_text(*max) + " items");
      if (auto const* items = s->if_contains("items"))
        for (std::size_t i = 0; i < array->size(); ++i)
          if (auto error = check((*array)[i], *items, path + "/" + std::to_string(i), depth + 1)) return error;
    }
    if (auto const* all = s->if_contains("allOf"); all && all->is_array())
      for (auto const& sub : all->get_array())
        if (auto error = check(instance, sub, path, depth + 1)) return error;
    if (auto const* any = s->if_contains("anyOf"); any && any->is_array()) {
      bool ok = false;
      for (auto const& sub : any->get_array()) ok = ok || !check(instance, sub, path, depth + 1);
      if (!ok) return at(path, "matches none of the allowed forms (anyOf)");
    }
    if (auto const* one = s->if_contains("oneOf"); one && one->is_array()) {
      int matches = 0;
      for (auto const& sub : one->get_array()) matches += check(instance, sub, path, depth + 1) ? 0 : 1;
      if (matches != 1) return at(path, "must match exactly one of the allowed forms (oneOf)");
    }
    if (auto const* negated = s->if_contains("not"); negated && !check(instance, *negated, path, depth + 1))
      return at(path, "matches a form that is not allowed (not)");
    return std::nullopt;
  }

 private:
  std::optional<std::string> check_object(json::object const& object, json::object const& s, std::string const& path,
                                          int depth) const {
    if (auto const* required = s.if_contains("required"); required && required->is_array())
      for (auto const& name : required->get_array())
        if (name.is_string() && !object.contains(name.get_string()))
          return at(path, "missing required property \"" + std::string(name.get_string()) + "\"");
    json::object const* properties = nullptr;
    if (auto const* p = s.if_contains("properties"); p && p->is_object()) properties = &p->get_object();
    auto const* additional = s.if_contains("additionalProperties");
    for (auto const& [key, value] : object) {
      std::string const child = path + "/" + std::string(key);
      if (properties) {
        if (auto const* sub = properties->if_contains(key)) {
          if (auto error = check(value, *sub, child, depth + 1)) return error;
          continue;
        }
      }
      if (additional) {
        if (additional->is_bool() && !additional->get_bool())
          return at(path, "unknown property \"" + std::string(key) + "\"" + known(properties));
        if (auto error = check(value, *additional, child, depth + 1)) return error;
      }
    }
    return std::nullopt;
  }

  json::value const* resolve(std::string_view ref) const {
    if (!ref.starts_with("#")) return nullptr;
    ref.remove_prefix(1);
    json::value const* node = &root_;
    while (!ref.empty()) {
      if (ref.front() != '/') return nullptr;
      ref.remove_prefix(1);
      auto const slash = ref.find('/');
      auto const token = ref.substr(0, slash);
      ref = slash == std::string_view::npos ? std::string_view{} : ref.substr(slash);
      auto const* object = node->if_object();
      if (!object) return nullptr;
      node = object->if_contains(token);
      if (!node) return nullptr;
    }
    return node;
  }

  static std::string known(json::object const* properties) {
    if (!properties || properties->empty()) return "; this tool takes no arguments";
    std::string names;
    for (auto const& [key, value] : *properties) names += (names.empty() ? "" : ", ") + std::string(key);
    return "; known properties: " + names;
  }

  template <class Compare>
  static std::optional<std::string> bound(json::object const* s, std::string_view keyword, double x, Compare ok,
                                          std::string const& path) {
    auto const limit = number(s, keyword);
    if (!limit || ok(x, *limit)) return std::nullopt;
    return at(path, "violates " + std::string(keyword) + " " + json::serialize(s->at(keyword)));
  }

  static std::optional<double> number(json::object const* s, std::string_view keyword) {
    auto const* v = s->if_contains(keyword);
    if (!v || !v->is_number()) return std::nullopt;
    return v->to_number<double>();
  }

  static std::size_t utf8_length(json::string const& text) {
    std::size_t count = 0;
    for (unsigned char c : text) count += (c & 0xC0) != 0x80;
    return count;
  }

  static bool equal(json::value const& a, json::value const& b) {
    if (a.is_number() && b.is_number()) return a.to_number<double>() == b.to_number<double>();
    return a == b;
  }

  static bool matches_one(json::value const& instance, std::string_view type) {
    if (type == "object") return instance.is_object();
    if (type == "array") return instance.is_array();
    if (type == "string") return instance.is_string();
    if (type == "boolean") return instance.is_bool();
    if (type == "null") return instance.is_null();
    if (type == "number") return instance.is_number();
    if (type == "integer") {
      if (instance.is_int64() || instance.is_uint64()) return true;
      return instance.is_double() && std::floor(instance.get_double()) == instance.get_double();
    }
    return true;
  }

  static bool matches_type(json::value const& instance, json::value const& type) {
    if (type.is_string()) return matches_one(instance, type.get_string());
    if (auto const* types = type.if_array()) {
      for (auto const& t : *types)
        if (t.is_string() && matches_one(instance, t.get_string())) return true;
      return false;
    }
    return true;
  }

  static std::string describe_type(json::value const& type) {
    return type.is_string() ? std::string(type.get_string()) : json::serialize(type);
  }

  static std::string type_name(json::value const& v) {
    switch (v.kind()) {
      case json::kind::object: return "an object";
      case json::kind::array: return "an array";
      case json::kind::string: return "a string";
      case json::kind::bool_: return "a boolean";
      case json::kind::null: return "null";
      default: return "a number";
    }
  }

  static std::string at(std::string const& path, std::string const& problem) {
    return "at " + (path.empty() ? std::string("/") : path) + ": " + problem;
  }

  json::value const& root_;
};

}  // namespace

std::optional<std::string> validate_against_schema(json::value const& instance, json::value const& schema) {
  return Validator(schema).check(instance, schema, "", 0);
}

}  // namespace prodmcp::protocol
