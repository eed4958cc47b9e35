// libFuzzer target: the signed-request headers a node gets from anyone (X-Pactum-Request and
// X-Pactum-Signature), parsed and verified as the node does before anything else.
//
// The input is split at its first newline: the request header before it, the signature header
// after. Invariants checked: no crash, no sanitizer report, never kInternal; a header that
// parses is written back (node_request_to_header) and parses to the same request.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pactum/sdk/node_request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const std::string_view header = input.substr(0, newline);
  const std::string_view signature =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  auto parsed = pactum::sdk::node_request_from_header(header);
  if (!parsed.ok()) {
    if (parsed.error().code() == pactum::ErrorCode::kInternal) std::abort();
  } else {
    auto again =
        pactum::sdk::node_request_from_header(pactum::sdk::node_request_to_header(*parsed));
    if (!again.ok() || again->subject != parsed->subject || again->nonce != parsed->nonce ||
        again->expiry != parsed->expiry || again->node != parsed->node ||
        again->action != parsed->action) {
      std::abort();
    }
  }
  pactum::sdk::NodeRequestExpectations expected;
  expected.chain_id = 31337;
  expected.action = parsed.ok() ? parsed->action : pactum::sdk::NodeAction::kAccess;
  if (parsed.ok()) expected.node = parsed->node;
  expected.now = parsed.ok() ? static_cast<std::int64_t>(parsed->expiry / 2) : 0;
  auto verified = pactum::sdk::verify_node_request(header, signature, expected);
  if (!verified.ok() && verified.error().code() == pactum::ErrorCode::kInternal) std::abort();
  return 0;
}
