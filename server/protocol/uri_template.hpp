#pragma once
// RFC 6570 URI templates, the simple-expansion subset resource templates use ("test://{id}/data"):
// matching a URI against a template and listing its variables.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace prodmcp::protocol {

class UriTemplate {
 public:
  explicit UriTemplate(std::string_view pattern);
  // The variables' values when `uri` matches; a variable matches one or more characters other
  // than '/' (or anything, for a reserved "{+var}" expansion).
  std::optional<std::map<std::string, std::string>> match(std::string_view uri) const;
  std::vector<std::string> const& variables() const { return variables_; }

 private:
  struct Part {
    std::string literal;  // empty for a variable
    std::string variable;
    bool reserved = false;
  };
  std::vector<Part> parts_;
  std::vector<std::string> variables_;
};

}  // namespace prodmcp::protocol
