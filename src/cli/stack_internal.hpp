// Private to pactum_cli: reading and writing <home>/run/stack.json.
#pragma once

#include <filesystem>
#include <string>

#include "pactum/cli/home.hpp"
#include "pactum/cli/stack.hpp"

namespace pactum::cli::detail {

[[nodiscard]] std::filesystem::path stack_record_path(const Home& home);
// Writes stack.json and one <name>.pid per process.
[[nodiscard]] Status write_stack_record(const Home& home, const StackRecord& record);
// Removes stack.json and the pid files; missing files are fine.
void remove_stack_record(const Home& home);
// Errors: kDataLoss naming `where`.
[[nodiscard]] Result<StackRecord> parse_stack_record(const std::string& text,
                                                     const std::string& where);

}  // namespace pactum::cli::detail
