// Lexer and recursive-descent parser of the PromQL subset (see promql.hpp). Types are checked
// while parsing, so an expression that parses can always be evaluated.
#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "metrics/promql.hpp"

namespace prodmcp::console::metrics {

namespace {

enum class Tok {
  kEnd,
  kNumber,
  kIdentifier,
  kString,
  kDuration,  // the text between '[' and ']'
  kLParen,
  kRParen,
  kLBrace,
  kRBrace,
  kLBracket,
  kRBracket,
  kComma,
  kColon,
  kAt,
  kAssign,
  kNotEqual,
  kRegexMatch,
  kRegexNoMatch,
  kEqualEqual,
  kGreater,
  kLess,
  kGreaterEqual,
  kLessEqual,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kInvalid,  // a lexing error, reported when the parser reaches it (value holds the message)
};

struct Token {
  Tok kind = Tok::kEnd;
  std::size_t pos = 0;    // 0-based offset in the text
  std::string_view text;  // as written
  double number = 0;      // kNumber
  std::string value;      // kString, unescaped
};

// Internal: parsing stops at the first error.
struct Failure {
  PromqlError error;
};

[[noreturn]] void fail(std::size_t pos, std::string message) {
  throw Failure{PromqlError{static_cast<int>(pos) + 1, std::move(message)}};
}

constexpr bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool is_ident_start(char c) {
  return is_alpha(c) || c == '_' || c == ':';
}
constexpr bool is_ident_char(char c) {
  return is_ident_start(c) || is_digit(c);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::vector<Token> run() {
    std::vector<Token> tokens;
    while (true) {
      Token token;
      try {
        token = next();
      } catch (Failure const& failure) {
        // The parser may fail earlier with a better message; if it gets here, this is the error.
        tokens.push_back(Token{
            Tok::kInvalid, static_cast<std::size_t>(failure.error.column - 1), {}, 0, failure.error.message});
        break;
      }
      bool end = token.kind == Tok::kEnd;
      bool bracket = token.kind == Tok::kLBracket;
      tokens.push_back(std::move(token));
      if (end) break;
      if (bracket) {
        tokens.push_back(duration());
        // ':' would otherwise start an identifier (metric names may hold colons).
        if (pos_ < text_.size() && text_[pos_] == ':')
          tokens.push_back(Token{Tok::kColon, pos_, text_.substr(pos_++, 1), 0, {}});
      }
    }
    return tokens;
  }

 private:
  void skip_space_and_comments() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++pos_;
      } else if (c == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else {
        break;
      }
    }
  }

  // Everything up to ']' or ':' after a '[' is the range (or a subquery, rejected by the parser).
  Token duration() {
    skip_space_and_comments();
    std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ']' && text_[pos_] != ':') ++pos_;
    std::string_view raw = text_.substr(start, pos_ - start);
    while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t')) raw.remove_suffix(1);
    return Token{Tok::kDuration, start, raw, 0, {}};
  }

  Token next() {
    skip_space_and_comments();
    std::size_t start = pos_;
    if (pos_ >= text_.size()) return Token{Tok::kEnd, start, {}, 0, {}};
    char c = text_[pos_];
    if (is_digit(c) || (c == '.' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1]))) return number();
    if (is_ident_start(c)) {
      while (pos_ < text_.size() && is_ident_char(text_[pos_])) ++pos_;
      std::string_view word = text_.substr(start, pos_ - start);
      if (iequals(word, "inf") || iequals(word, "nan")) {
        return Token{Tok::kNumber, start, word, *parse_prometheus_float(word), {}};
      }
      return Token{Tok::kIdentifier, start, word, 0, {}};
    }
    if (c == '"' || c == '\'' || c == '`') return string(c);
    auto single = [&](Tok kind, std::size_t length) {
      pos_ += length;
      return Token{kind, start, text_.substr(start, length), 0, {}};
    };
    char n = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
    switch (c) {
      case '(':
        return single(Tok::kLParen, 1);
      case ')':
        return single(Tok::kRParen, 1);
      case '{':
        return single(Tok::kLBrace, 1);
      case '}':
        return single(Tok::kRBrace, 1);
      case '[':
        return single(Tok::kLBracket, 1);
      case ']':
        return single(Tok::kRBracket, 1);
      case ',':
        return single(Tok::kComma, 1);
      case ':':
        return single(Tok::kColon, 1);
      case '@':
        return single(Tok::kAt, 1);
      case '+':
        return single(Tok::kAdd, 1);
      case '-':
        return single(Tok::kSub, 1);
      case '*':
        return single(Tok::kMul, 1);
      case '/':
        return single(Tok::kDiv, 1);
      case '%':
        return single(Tok::kMod, 1);
      case '^':
        return single(Tok::kPow, 1);
      case '=':
        if (n == '=') return single(Tok::kEqualEqual, 2);
        if (n == '~') return single(Tok::kRegexMatch, 2);
        return single(Tok::kAssign, 1);
      case '!':
        if (n == '=') return single(Tok::kNotEqual, 2);
        if (n == '~') return single(Tok::kRegexNoMatch, 2);
        break;
      case '>':
        return n == '=' ? single(Tok::kGreaterEqual, 2) : single(Tok::kGreater, 1);
      case '<':
        return n == '=' ? single(Tok::kLessEqual, 2) : single(Tok::kLess, 1);
      default:
        break;
    }
    fail(start, std::string("unexpected character '") + c + "'");
  }

  Token number() {
    std::size_t start = pos_;
    while (pos_ < text_.size() && (is_digit(text_[pos_]) || text_[pos_] == '.')) ++pos_;
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      std::size_t exp = pos_ + 1;
      if (exp < text_.size() && (text_[exp] == '+' || text_[exp] == '-')) ++exp;
      if (exp < text_.size() && is_digit(text_[exp])) {
        pos_ = exp;
        while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
      }
    }
    std::size_t end = pos_;
    while (end < text_.size() && is_ident_char(text_[end])) ++end;
    if (end != pos_) {
      fail(start, "invalid number \"" + std::string(text_.substr(start, end - start)) +
                      "\" (durations like 5m only go inside a range selector, like x[5m])");
    }
    std::string_view word = text_.substr(start, pos_ - start);
    auto value = parse_prometheus_float(word);
    if (!value) fail(start, "invalid number \"" + std::string(word) + "\"");
    return Token{Tok::kNumber, start, word, *value, {}};
  }

  Token string(char quote) {
    std::size_t start = pos_++;
    std::string value;
    while (true) {
      if (pos_ >= text_.size() || (quote != '`' && text_[pos_] == '\n')) {
        fail(start, std::string("unterminated string (expected a closing ") + quote + ")");
      }
      char c = text_[pos_];
      if (c == quote) {
        ++pos_;
        break;
      }
      if (c != '\\' || quote == '`') {
        value.push_back(c);
        ++pos_;
        continue;
      }
      char e = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
      switch (e) {
        case 'n':
          value.push_back('\n');
          break;
        case 't':
          value.push_back('\t');
          break;
        case 'r':
          value.push_back('\r');
          break;
        case 'a':
          value.push_back('\a');
          break;
        case 'b':
          value.push_back('\b');
          break;
        case 'f':
          value.push_back('\f');
          break;
        case 'v':
          value.push_back('\v');
          break;
        case '\\':
        case '"':
        case '\'':
          value.push_back(e);
          break;
        default:
          fail(pos_, std::string("invalid escape sequence in string (a regex backslash is written \\\\, like "
                                 "\"a\\\\.b\")"));
      }
      pos_ += 2;
    }
    return Token{Tok::kString, start, text_.substr(start, pos_ - start), 0, std::move(value)};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

struct FunctionSignature {
  std::string_view name;
  PromqlFunction function;
  std::vector<PromqlType> args;
};

std::vector<FunctionSignature> const& functions() {
  static std::vector<FunctionSignature> const kFunctions = {
      {"rate", PromqlFunction::kRate, {PromqlType::kMatrix}},
      {"increase", PromqlFunction::kIncrease, {PromqlType::kMatrix}},
      {"irate", PromqlFunction::kIrate, {PromqlType::kMatrix}},
      {"delta", PromqlFunction::kDelta, {PromqlType::kMatrix}},
      {"avg_over_time", PromqlFunction::kAvgOverTime, {PromqlType::kMatrix}},
      {"max_over_time", PromqlFunction::kMaxOverTime, {PromqlType::kMatrix}},
      {"min_over_time", PromqlFunction::kMinOverTime, {PromqlType::kMatrix}},
      {"changes", PromqlFunction::kChanges, {PromqlType::kMatrix}},
      {"resets", PromqlFunction::kResets, {PromqlType::kMatrix}},
      {"histogram_quantile", PromqlFunction::kHistogramQuantile, {PromqlType::kScalar, PromqlType::kVector}},
      {"clamp_min", PromqlFunction::kClampMin, {PromqlType::kVector, PromqlType::kScalar}},
      {"clamp_max", PromqlFunction::kClampMax, {PromqlType::kVector, PromqlType::kScalar}},
      {"abs", PromqlFunction::kAbs, {PromqlType::kVector}},
      {"time", PromqlFunction::kTime, {}},
  };
  return kFunctions;
}

std::string type_name(PromqlType type) {
  switch (type) {
    case PromqlType::kScalar:
      return "a scalar";
    case PromqlType::kVector:
      return "an instant vector";
    case PromqlType::kMatrix:
      break;
  }
  return "a range vector";
}

struct BinaryInfo {
  PromqlBinaryOp op;
  int precedence;  // higher binds tighter
  bool right_assoc;
};

constexpr int kPowPrecedence = 6;

bool is_comparison(PromqlBinaryOp op) {
  return op >= PromqlBinaryOp::kEqual && op <= PromqlBinaryOp::kLessEqual;
}
bool is_set_op(PromqlBinaryOp op) {
  return op >= PromqlBinaryOp::kAnd;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : tokens_(Lexer(text).run()) {}

  std::unique_ptr<PromqlExpr> run() {
    // Parsing, evaluating and freeing recurse as deep as the expression: a query from a hostile
    // rule file or a paste stays within the stack. No real query comes near this.
    constexpr std::size_t kMaxTokens = 2000;
    if (tokens_.size() > kMaxTokens)
      fail(tokens_[kMaxTokens].pos, "the query is longer than " + std::to_string(kMaxTokens) + " tokens");
    auto expr = parse_expr(0);
    if (cur().kind != Tok::kEnd)
      fail(cur().pos, "unexpected " + describe(cur()) + " after the end of the expression");
    if (expr->type == PromqlType::kMatrix) {
      fail(expr->column - 1, "a range vector cannot be the result; apply a function to it, like rate(x[5m])");
    }
    return expr;
  }

 private:
  Token const& cur() const {
    Token const& t = tokens_[index_];
    if (t.kind == Tok::kInvalid) fail(t.pos, t.value);
    return t;
  }
  Token const& peek(std::size_t ahead = 1) const {
    return tokens_[std::min(index_ + ahead, tokens_.size() - 1)];
  }
  Token const& advance() { return tokens_[index_ < tokens_.size() - 1 ? index_++ : index_]; }
  bool at_word(std::string_view word) const { return cur().kind == Tok::kIdentifier && cur().text == word; }

  static std::string describe(Token const& t) {
    switch (t.kind) {
      case Tok::kEnd:
        return "end of input";
      case Tok::kIdentifier:
        return "\"" + std::string(t.text) + "\"";
      case Tok::kNumber:
        return "number " + std::string(t.text);
      case Tok::kString:
        return "string " + std::string(t.text);
      default:
        return "'" + std::string(t.text) + "'";
    }
  }

  void expect(Tok kind, std::string const& what) {
    if (cur().kind != kind) fail(cur().pos, "expected " + what + ", found " + describe(cur()));
    advance();
  }

  static std::unique_ptr<PromqlExpr> node(PromqlExpr::Kind kind, PromqlType type, std::size_t pos) {
    auto e = std::make_unique<PromqlExpr>();
    e->kind = kind;
    e->type = type;
    e->column = static_cast<int>(pos) + 1;
    return e;
  }

  std::optional<BinaryInfo> binary_at(Token const& t) const {
    switch (t.kind) {
      case Tok::kAdd:
        return BinaryInfo{PromqlBinaryOp::kAdd, 4, false};
      case Tok::kSub:
        return BinaryInfo{PromqlBinaryOp::kSub, 4, false};
      case Tok::kMul:
        return BinaryInfo{PromqlBinaryOp::kMul, 5, false};
      case Tok::kDiv:
        return BinaryInfo{PromqlBinaryOp::kDiv, 5, false};
      case Tok::kMod:
        return BinaryInfo{PromqlBinaryOp::kMod, 5, false};
      case Tok::kPow:
        return BinaryInfo{PromqlBinaryOp::kPow, kPowPrecedence, true};
      case Tok::kEqualEqual:
        return BinaryInfo{PromqlBinaryOp::kEqual, 3, false};
      case Tok::kNotEqual:
        return BinaryInfo{PromqlBinaryOp::kNotEqual, 3, false};
      case Tok::kGreater:
        return BinaryInfo{PromqlBinaryOp::kGreater, 3, false};
      case Tok::kLess:
        return BinaryInfo{PromqlBinaryOp::kLess, 3, false};
      case Tok::kGreaterEqual:
        return BinaryInfo{PromqlBinaryOp::kGreaterEqual, 3, false};
      case Tok::kLessEqual:
        return BinaryInfo{PromqlBinaryOp::kLessEqual, 3, false};
      case Tok::kIdentifier:
        if (t.text == "and") return BinaryInfo{PromqlBinaryOp::kAnd, 2, false};
        if (t.text == "unless") return BinaryInfo{PromqlBinaryOp::kUnless, 2, false};
        if (t.text == "or") return BinaryInfo{PromqlBinaryOp::kOr, 1, false};
        return std::nullopt;
      default:
        return std::nullopt;
    }
  }

  // Precedence climbing: or < and/unless < comparisons < + - < * / % < ^ (right-associative).
  std::unique_ptr<PromqlExpr> parse_expr(int min_precedence) {
    auto lhs = parse_unary();
    while (true) {
      auto info = binary_at(cur());
      if (!info || info->precedence < min_precedence) break;
      Token const& op_token = advance();
      std::size_t op_pos = op_token.pos;
      std::string op_text(op_token.text);
      auto e = node(PromqlExpr::Kind::kBinary, PromqlType::kVector, op_pos);
      e->op = info->op;
      bool has_matching = false;
      if (at_word("bool")) {
        if (!is_comparison(info->op))
          fail(cur().pos, "the bool modifier only applies to comparison operators");
        advance();
        e->return_bool = true;
      }
      if (at_word("on") || at_word("ignoring")) {
        e->on = cur().text == "on";
        std::string what(cur().text);
        advance();
        e->grouping = parse_label_list(what);
        has_matching = true;
      }
      if (at_word("group_left") || at_word("group_right")) {
        fail(cur().pos, std::string(cur().text) + " (many-to-one matching) is not supported");
      }
      auto rhs = parse_expr(info->right_assoc ? info->precedence : info->precedence + 1);
      check_binary(*lhs, *rhs, *e, op_text, has_matching);
      e->type = lhs->type == PromqlType::kScalar && rhs->type == PromqlType::kScalar ? PromqlType::kScalar
                                                                                     : PromqlType::kVector;
      e->children.push_back(std::move(lhs));
      e->children.push_back(std::move(rhs));
      lhs = std::move(e);
    }
    return lhs;
  }

  void check_binary(PromqlExpr const& lhs, PromqlExpr const& rhs, PromqlExpr const& e, std::string const& op,
                    bool has_matching) {
    std::size_t pos = static_cast<std::size_t>(e.column - 1);
    for (PromqlExpr const* side : {&lhs, &rhs}) {
      if (side->type == PromqlType::kMatrix) {
        fail(side->column - 1,
             "operator " + op +
                 " needs scalars or instant vectors, found a range vector (apply a function "
                 "like rate() to it first)");
      }
    }
    bool both_vectors = lhs.type == PromqlType::kVector && rhs.type == PromqlType::kVector;
    if (is_set_op(e.op) && !both_vectors)
      fail(pos, "operator " + op + " needs instant vectors on both sides");
    if (is_comparison(e.op) && lhs.type == PromqlType::kScalar && rhs.type == PromqlType::kScalar &&
        !e.return_bool) {
      fail(pos, "comparisons between two scalars need the bool modifier, like 1 > bool 0");
    }
    if (has_matching && !both_vectors) fail(pos, "on/ignoring only apply between two instant vectors");
  }

  std::unique_ptr<PromqlExpr> parse_unary() {
    if (cur().kind == Tok::kSub || cur().kind == Tok::kAdd) {
      Token const& sign = advance();
      bool negate = sign.kind == Tok::kSub;
      std::size_t pos = sign.pos;
      // Unary minus binds looser than ^ (-2^2 is -4), tighter than * and /.
      auto operand = parse_expr(kPowPrecedence);
      if (operand->type == PromqlType::kMatrix) {
        fail(operand->column - 1, "unary minus needs a scalar or an instant vector, found a range vector");
      }
      if (!negate) return operand;
      if (operand->kind == PromqlExpr::Kind::kNumber) {
        operand->number = -operand->number;
        operand->column = static_cast<int>(pos) + 1;
        return operand;
      }
      auto e = node(PromqlExpr::Kind::kNegation, operand->type, pos);
      e->children.push_back(std::move(operand));
      return e;
    }
    return parse_postfix(parse_primary());
  }

  std::unique_ptr<PromqlExpr> parse_postfix(std::unique_ptr<PromqlExpr> e) {
    if (cur().kind == Tok::kLBracket) {
      std::size_t bracket = cur().pos;
      if (e->kind != PromqlExpr::Kind::kSelector) {
        fail(bracket,
             "a range [...] can only follow a metric selector, like x[5m] (subqueries are not supported)");
      }
      advance();
      Token const& d = advance();  // the lexer always puts a duration token after '['
      if (cur().kind == Tok::kColon) fail(cur().pos, "subqueries are not supported");
      e->range_ms = parse_duration(d);
      expect(Tok::kRBracket, "']' to close the range selector");
      e->kind = PromqlExpr::Kind::kRangeSelector;
      e->type = PromqlType::kMatrix;
    }
    if (at_word("offset")) fail(cur().pos, "the offset modifier is not supported");
    if (cur().kind == Tok::kAt) fail(cur().pos, "the @ modifier is not supported");
    return e;
  }

  static int64_t parse_duration(Token const& d) {
    std::string_view s = d.text;
    auto bad = [&]() {
      fail(d.pos, "expected a duration like 30s, 5m or 1h30m in the range selector, found " +
                      (s.empty() ? std::string("nothing") : "\"" + std::string(s) + "\""));
    };
    if (s.empty()) bad();
    int64_t total = 0;
    std::size_t i = 0;
    while (i < s.size()) {
      if (!is_digit(s[i])) bad();
      int64_t n = 0;
      while (i < s.size() && is_digit(s[i])) {
        n = n * 10 + (s[i] - '0');
        if (n > 1'000'000'000'000) bad();
        ++i;
      }
      int64_t unit = 0;
      if (s.substr(i, 2) == "ms") {
        unit = 1;
        i += 2;
      } else if (i < s.size()) {
        switch (s[i]) {
          case 's':
            unit = 1'000;
            break;
          case 'm':
            unit = 60'000;
            break;
          case 'h':
            unit = 3'600'000;
            break;
          case 'd':
            unit = 86'400'000;
            break;
          case 'w':
            unit = 7 * 86'400'000LL;
            break;
          case 'y':
            unit = 365 * 86'400'000LL;
            break;
          default:
            bad();
        }
        ++i;
      } else {
        bad();
      }
      // Ten years is far past any history the console keeps; the check keeps the sum in range.
      constexpr int64_t kLongest = 10 * 365 * 86'400'000LL;
      if (n > kLongest / unit || total > kLongest - n * unit)
        fail(d.pos, "the range \"" + std::string(s) + "\" is longer than ten years");
      total += n * unit;
    }
    if (total <= 0) fail(d.pos, "the range of a range selector must be positive");
    return total;
  }

  std::vector<std::string> parse_label_list(std::string const& what) {
    expect(Tok::kLParen, "'(' after " + what);
    std::vector<std::string> labels;
    while (cur().kind != Tok::kRParen) {
      if (cur().kind != Tok::kIdentifier || !is_valid_label_name(cur().text)) {
        fail(cur().pos, "expected a label name or ')' in " + what + "(...), found " + describe(cur()));
      }
      labels.emplace_back(advance().text);
      if (cur().kind == Tok::kComma) {
        advance();
      } else if (cur().kind != Tok::kRParen) {
        fail(cur().pos, "expected ',' or ')' in " + what + "(...), found " + describe(cur()));
      }
    }
    advance();
    return labels;
  }

  std::unique_ptr<PromqlExpr> parse_primary() {
    Token const& t = cur();
    switch (t.kind) {
      case Tok::kNumber: {
        auto e = node(PromqlExpr::Kind::kNumber, PromqlType::kScalar, t.pos);
        e->number = t.number;
        advance();
        return e;
      }
      case Tok::kLParen: {
        std::size_t open = t.pos;
        advance();
        auto e = parse_expr(0);
        expect(Tok::kRParen, "')' to close the '(' at column " + std::to_string(open + 1));
        return e;
      }
      case Tok::kLBrace:
        return parse_selector(std::nullopt, t.pos);
      case Tok::kIdentifier:
        return parse_identifier();
      case Tok::kString:
        fail(t.pos, "string literals are only supported as label matcher values");
      default:
        fail(t.pos, "expected an expression, found " + describe(t));
    }
  }

  std::unique_ptr<PromqlExpr> parse_identifier() {
    Token const& t = cur();
    std::string_view word = t.text;
    static constexpr std::array<std::pair<std::string_view, PromqlAggregation>, 6> kAggregations = {{
        {"sum", PromqlAggregation::kSum},
        {"avg", PromqlAggregation::kAvg},
        {"min", PromqlAggregation::kMin},
        {"max", PromqlAggregation::kMax},
        {"count", PromqlAggregation::kCount},
        {"topk", PromqlAggregation::kTopk},
    }};
    for (auto const& [name, aggregation] : kAggregations) {
      if (word == name) return parse_aggregation(aggregation);
    }
    static constexpr std::array<std::string_view, 8> kUnsupportedAggregations = {
        "bottomk", "count_values", "quantile", "stddev", "stdvar", "group", "limitk", "limit_ratio"};
    if (std::find(kUnsupportedAggregations.begin(), kUnsupportedAggregations.end(), word) !=
        kUnsupportedAggregations.end()) {
      fail(t.pos, "the aggregation " + std::string(word) +
                      " is not supported (supported: sum, avg, min, max, count, topk)");
    }
    if (word == "and" || word == "or" || word == "unless" || word == "by" || word == "without" ||
        word == "bool" || word == "on" || word == "ignoring" || word == "offset") {
      fail(t.pos, "expected an expression, found the keyword \"" + std::string(word) + "\"");
    }
    if (peek().kind == Tok::kLParen) return parse_call();
    std::string name(word);
    std::size_t pos = t.pos;
    advance();
    return parse_selector(name, pos);
  }

  std::unique_ptr<PromqlExpr> parse_call() {
    Token const& name_token = advance();
    std::string name(name_token.text);
    auto const& table = functions();
    auto it =
        std::find_if(table.begin(), table.end(), [&](FunctionSignature const& f) { return f.name == name; });
    if (it == table.end()) {
      fail(name_token.pos,
           "unknown or unsupported function \"" + name +
               "\" (supported: rate, increase, irate, delta, avg_over_time, max_over_time, min_over_time, "
               "histogram_quantile, clamp_min, clamp_max, abs, time)");
    }
    auto e = node(PromqlExpr::Kind::kCall,
                  it->function == PromqlFunction::kTime ? PromqlType::kScalar : PromqlType::kVector,
                  name_token.pos);
    e->function = it->function;
    advance();  // '('
    while (cur().kind != Tok::kRParen) {
      e->children.push_back(parse_expr(0));
      if (cur().kind == Tok::kComma) {
        advance();
      } else if (cur().kind != Tok::kRParen) {
        fail(cur().pos, "expected ',' or ')' in the arguments of " + name + "(), found " + describe(cur()));
      }
    }
    std::size_t close = cur().pos;
    advance();
    if (e->children.size() != it->args.size()) {
      fail(e->children.size() > it->args.size()
               ? static_cast<std::size_t>(e->children[it->args.size()]->column - 1)
               : close,
           name + "() takes " + std::to_string(it->args.size()) + " argument" +
               (it->args.size() == 1 ? "" : "s") + ", found " + std::to_string(e->children.size()));
    }
    for (std::size_t i = 0; i < it->args.size(); ++i) {
      PromqlExpr const& arg = *e->children[i];
      if (arg.type == it->args[i]) continue;
      std::string message = "expected " + type_name(it->args[i]) + " as argument " + std::to_string(i + 1) +
                            " of " + name + "(), found " + type_name(arg.type);
      if (it->args[i] == PromqlType::kMatrix) message += " (like " + name + "(x[5m]))";
      fail(arg.column - 1, message);
    }
    return e;
  }

  std::unique_ptr<PromqlExpr> parse_aggregation(PromqlAggregation aggregation) {
    Token const& name_token = advance();
    std::string name(name_token.text);
    auto e = node(PromqlExpr::Kind::kAggregation, PromqlType::kVector, name_token.pos);
    e->aggregation = aggregation;
    bool grouped = false;
    auto grouping = [&]() {
      if (!at_word("by") && !at_word("without")) return;
      e->without = cur().text == "without";
      std::string what(cur().text);
      advance();
      e->grouping = parse_label_list(what);
      grouped = true;
    };
    grouping();
    expect(Tok::kLParen, "'(' after " + name);
    if (aggregation == PromqlAggregation::kTopk) {
      auto k = parse_expr(0);
      if (k->type != PromqlType::kScalar) {
        fail(k->column - 1, "expected a scalar as the k of topk, found " + type_name(k->type));
      }
      e->children.push_back(std::move(k));
      expect(Tok::kComma, "',' after the k of topk");
    }
    auto arg = parse_expr(0);
    if (arg->type != PromqlType::kVector) {
      std::string message =
          "expected an instant vector as the argument of " + name + ", found " + type_name(arg->type);
      if (arg->type == PromqlType::kMatrix) message += " (apply a function like rate() to it first)";
      fail(arg->column - 1, message);
    }
    e->children.push_back(std::move(arg));
    expect(Tok::kRParen, "')' to close " + name + "(");
    if (!grouped) {
      grouping();
    } else if (at_word("by") || at_word("without")) {
      fail(cur().pos, "an aggregation takes one by/without clause");
    }
    return e;
  }

  std::unique_ptr<PromqlExpr> parse_selector(std::optional<std::string> name, std::size_t pos) {
    auto e = node(PromqlExpr::Kind::kSelector, PromqlType::kVector, pos);
    if (name) e->matchers.push_back(LabelMatcher{"__name__", LabelMatcher::Op::kEqual, *name, nullptr});
    if (cur().kind == Tok::kLBrace) {
      advance();
      while (cur().kind != Tok::kRBrace) {
        if (cur().kind != Tok::kIdentifier || !is_valid_label_name(cur().text)) {
          fail(cur().pos, "expected a label name or '}' in the selector, found " + describe(cur()));
        }
        std::string label(advance().text);
        LabelMatcher::Op op;
        switch (cur().kind) {
          case Tok::kAssign:
            op = LabelMatcher::Op::kEqual;
            break;
          case Tok::kNotEqual:
            op = LabelMatcher::Op::kNotEqual;
            break;
          case Tok::kRegexMatch:
            op = LabelMatcher::Op::kRegexMatch;
            break;
          case Tok::kRegexNoMatch:
            op = LabelMatcher::Op::kRegexNoMatch;
            break;
          default:
            fail(cur().pos, "expected one of =, !=, =~, !~ after label name \"" + label + "\", found " +
                                describe(cur()));
        }
        advance();
        if (cur().kind != Tok::kString) {
          fail(cur().pos,
               "expected a quoted string as the value of label \"" + label + "\", found " + describe(cur()));
        }
        Token const& value = advance();
        if (label == "__name__" && name)
          fail(value.pos, "the metric name is set twice (before '{' and as __name__)");
        LabelMatcher matcher{label, op, value.value, nullptr};
        if (op == LabelMatcher::Op::kRegexMatch || op == LabelMatcher::Op::kRegexNoMatch) {
          // Anchored at both ends, as Prometheus anchors its matchers.
          auto regex = std::make_shared<QRegularExpression const>(
              QRegularExpression::anchoredPattern(QString::fromStdString(value.value)));
          if (!regex->isValid())
            fail(value.pos, "invalid regular expression " + std::string(value.text) + ": " +
                                regex->errorString().toStdString());
          matcher.regex = std::move(regex);
        }
        e->matchers.push_back(std::move(matcher));
        if (cur().kind == Tok::kComma) {
          advance();
        } else if (cur().kind != Tok::kRBrace) {
          fail(cur().pos,
               "expected ',' or '}' after the matcher of label \"" + label + "\", found " + describe(cur()));
        }
      }
      advance();
    }
    // As Prometheus: a selector that would match every series is refused.
    bool selective = std::any_of(e->matchers.begin(), e->matchers.end(),
                                 [](LabelMatcher const& m) { return !m.matches(""); });
    if (!selective) {
      fail(pos,
           "a selector needs at least one matcher that does not match the empty string, like {job=~\".+\"}");
    }
    return e;
  }

  std::vector<Token> tokens_;
  std::size_t index_ = 0;
};

}  // namespace

bool LabelMatcher::matches(std::string_view label_value) const {
  switch (op) {
    case Op::kEqual:
      return label_value == value;
    case Op::kNotEqual:
      return label_value != value;
    case Op::kRegexMatch:
      return regex->match(QString::fromUtf8(label_value.data(), static_cast<qsizetype>(label_value.size()))).hasMatch();
    case Op::kRegexNoMatch:
      return !regex->match(QString::fromUtf8(label_value.data(), static_cast<qsizetype>(label_value.size()))).hasMatch();
  }
  return false;
}

std::string PromqlError::to_string() const {
  return "column " + std::to_string(column) + ": " + message;
}

PromqlParseResult parse_promql(std::string_view text) {
  PromqlParseResult result;
  try {
    result.expr = Parser(text).run();
  } catch (Failure const& failure) {
    result.error = failure.error;
  }
  return result;
}

}  // namespace prodmcp::console::metrics
