// Private to pactum_cli: the factories of the built-in commands (app.cpp lists them).
#pragma once

#include <memory>

#include "pactum/cli/app.hpp"
#include "pactum/cli/stack.hpp"

namespace pactum::cli {

[[nodiscard]] std::unique_ptr<Command> make_up_command(StackHooks hooks);
[[nodiscard]] std::unique_ptr<Command> make_down_command();
[[nodiscard]] std::unique_ptr<Command> make_accounts_command();
[[nodiscard]] std::unique_ptr<Command> make_whoami_command();
[[nodiscard]] std::unique_ptr<Command> make_key_command();
[[nodiscard]] std::unique_ptr<Command> make_resolve_command();
[[nodiscard]] std::unique_ptr<Command> make_publish_command();
[[nodiscard]] std::unique_ptr<Command> make_order_command();
[[nodiscard]] std::unique_ptr<Command> make_download_command();
[[nodiscard]] std::unique_ptr<Command> make_status_command();
[[nodiscard]] std::unique_ptr<Command> make_recover_command();
[[nodiscard]] std::unique_ptr<Command> make_refund_command();

}  // namespace pactum::cli
