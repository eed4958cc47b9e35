// The guarded parser: every refusal with its code, the limits at their boundaries, and the
// deep inputs that crash a plain parse-then-serialize.
#include "guarded_json.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace pactum::json {
namespace {

struct Case {
  const char* name;
  std::string text;
  Limits limits;
  std::optional<ErrorCode> code;  // nullopt: accepted
  const char* message;            // a part of the error message
};

std::string nested_arrays(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

std::string nested_objects(std::size_t depth) {
  std::string out;
  for (std::size_t i = 0; i < depth; ++i) out += "{\"a\":";
  out += "1";
  out += std::string(depth, '}');
  return out;
}

TEST(GuardedJson, Table) {
  const Limits tight{64, 3, true};
  const Limits dup_ok{64, 3, false};
  const Case cases[] = {
      {"object", R"({"a":1})", tight, std::nullopt, ""},
      {"scalar", "17", tight, std::nullopt, ""},
      {"empty text", "", tight, ErrorCode::kInvalidArgument, "not JSON"},
      {"whitespace only", "  ", tight, ErrorCode::kInvalidArgument, "not JSON"},
      {"truncated", R"({"a":)", tight, ErrorCode::kInvalidArgument, "not JSON"},
      {"trailing garbage", R"({"a":1} x)", tight, ErrorCode::kInvalidArgument, "not JSON"},
      {"two values", R"({} {})", tight, ErrorCode::kInvalidArgument, "not JSON"},
      {"comment", R"({/*c*/"a":1})", tight, ErrorCode::kInvalidArgument, "not JSON"},
      {"single quotes", R"({'a':1})", tight, ErrorCode::kInvalidArgument, "not JSON"},
      {"bad escape", R"({"a":"\q"})", tight, ErrorCode::kInvalidArgument, "not JSON"},
      {"lone surrogate", R"({"a":"\ud800"})", tight, ErrorCode::kInvalidArgument, "not JSON"},
      {"invalid utf-8", "{\"a\":\"\xff\"}", tight, ErrorCode::kInvalidArgument, "not JSON"},
      {"control char in string", std::string("{\"a\":\"\x01\"}"), tight,
       ErrorCode::kInvalidArgument, "not JSON"},
      {"depth 3 arrays", nested_arrays(3), tight, std::nullopt, ""},
      {"depth 4 arrays", nested_arrays(4), tight, ErrorCode::kInvalidArgument, "deeper than 3"},
      {"depth 3 objects", nested_objects(3), tight, std::nullopt, ""},
      {"depth 4 objects", nested_objects(4), tight, ErrorCode::kInvalidArgument, "deeper than 3"},
      {"mixed depth 4", R"({"a":[{"b":[]}]})", tight, ErrorCode::kInvalidArgument, "deeper than 3"},
      {"64 bytes", "\"" + std::string(62, 'x') + "\"", tight, std::nullopt, ""},
      {"65 bytes", "\"" + std::string(63, 'x') + "\"", tight, ErrorCode::kResourceExhausted,
       "more than 64"},
      {"duplicate key", R"({"a":1,"a":2})", tight, ErrorCode::kInvalidArgument,
       "repeats the key \"a\""},
      {"duplicate key, same value", R"({"a":1,"a":1})", tight, ErrorCode::kInvalidArgument,
       "repeats the key"},
      {"duplicate in inner object", R"({"a":{"b":1,"b":2}})", tight, ErrorCode::kInvalidArgument,
       "repeats the key \"b\""},
      {"same key in sibling objects", R"([{"a":1},{"a":2}])", tight, std::nullopt, ""},
      {"same key at two levels", R"({"a":{"a":1}})", tight, std::nullopt, ""},
      {"duplicate after nested close", R"({"a":{"x":1},"b":[],"a":3})", tight,
       ErrorCode::kInvalidArgument, "repeats the key \"a\""},
      {"escaped duplicate", R"({"a":1,"\u0061":2})", tight, ErrorCode::kInvalidArgument,
       "repeats the key \"a\""},
      {"duplicates allowed", R"({"a":1,"a":2})", dup_ok, std::nullopt, ""},
  };
  for (const auto& c : cases) {
    auto got = parse(c.text, c.limits, "input");
    if (!c.code) {
      EXPECT_TRUE(got.ok()) << c.name << ": " << (got.ok() ? "" : got.error().to_string());
      continue;
    }
    ASSERT_FALSE(got.ok()) << c.name;
    EXPECT_EQ(got.error().code(), *c.code) << c.name << ": " << got.error().to_string();
    EXPECT_NE(got.error().message().find(c.message), std::string::npos)
        << c.name << ": " << got.error().message();
    EXPECT_EQ(got.error().message().rfind("input", 0), 0u) << c.name;
  }
}

TEST(GuardedJson, ValuesSurviveTheCallback) {
  auto got = parse(R"({"a":[1,"x",{"b":null}],"c":true})", Limits{}, "input");
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(got->dump(), R"({"a":[1,"x",{"b":null}],"c":true})");
}

// The attack of #18: 200,000 nested arrays in a 400 KB body. Refused while parsing, long before
// anything could recurse on it.
TEST(GuardedJson, DeepNestingIsRefusedNotRecursed) {
  Limits limits;
  limits.max_bytes = 1 << 20;
  for (std::string text : {nested_arrays(200'000), nested_objects(100'000),
                           "{\"ddo\":" + nested_arrays(200'000) + "}"}) {
    auto got = parse(text, limits, "body");
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(got.error().message().find("deeper than 32"), std::string::npos);
  }
  // An unclosed deep prefix is refused the same way (the parser stops at the limit).
  auto open = parse(std::string(500'000, '['), limits, "body");
  ASSERT_FALSE(open.ok());
  EXPECT_NE(open.error().message().find("deeper than 32"), std::string::npos);
}

TEST(GuardedJson, ErrorMessagesAreBounded) {
  const std::string long_key(100'000, 'k');
  auto dup = parse("{\"" + long_key + "\":1,\"" + long_key + "\":2}", Limits{}, "input");
  ASSERT_FALSE(dup.ok());
  EXPECT_LT(dup.error().message().size(), 200u);
  auto bad = parse("{\"a\":" + std::string(100'000, '9') + "x}", Limits{}, "input");
  ASSERT_FALSE(bad.ok());
  EXPECT_LT(bad.error().message().size(), 400u);
}

}  // namespace
}  // namespace pactum::json
