#include "pactum/cli/exit_codes.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "support/process.hpp"

namespace pactum::cli {
namespace {

constexpr ErrorCode kAllCodes[] = {
    ErrorCode::kInvalidArgument,  ErrorCode::kNotFound,          ErrorCode::kAlreadyExists,
    ErrorCode::kPermissionDenied, ErrorCode::kUnauthenticated,   ErrorCode::kFailedPrecondition,
    ErrorCode::kAborted,          ErrorCode::kOutOfRange,        ErrorCode::kUnavailable,
    ErrorCode::kDeadlineExceeded, ErrorCode::kResourceExhausted, ErrorCode::kDataLoss,
    ErrorCode::kUnimplemented,    ErrorCode::kInternal,
};

TEST(ExitCodes, EveryCodeHasItsOwnNonZeroStatus) {
  std::set<int> seen;
  for (ErrorCode code : kAllCodes) {
    const int status = exit_code_for(code);
    EXPECT_NE(status, kExitOk) << error_code_name(code);
    EXPECT_LT(status, 126) << "126+ are the shell's";
    EXPECT_TRUE(seen.insert(status).second) << error_code_name(code) << " shares " << status;
  }
  EXPECT_EQ(exit_code_for(ErrorCode::kInvalidArgument), kExitUsage);
}

// The table in docs/cli.md is what users read: each row "| N | `name` | … |" must agree with
// exit_code_for.
TEST(ExitCodes, DocumentedTableMatches) {
  std::ifstream in(testing::source_path("docs/cli.md"));
  ASSERT_TRUE(in) << "docs/cli.md missing";
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  for (ErrorCode code : kAllCodes) {
    const std::regex row("\\| " + std::to_string(exit_code_for(code)) + " \\|[^\\n]*`" +
                         std::string(error_code_name(code)) + "`");
    EXPECT_TRUE(std::regex_search(doc, row))
        << "docs/cli.md lacks the row for " << error_code_name(code);
  }
}

}  // namespace
}  // namespace pactum::cli
