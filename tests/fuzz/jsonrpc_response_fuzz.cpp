// Fuzzes the JSON-RPC answer parsers with arbitrary bytes: the single-call parser, the batch
// parser (ids 1..3), the error mapping with revert decoding, and the typed result parsers. Any
// crash, sanitizer report or exception escaping is a finding; errors are the expected outcome.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pactum/rpc/eth_api.hpp"
#include "pactum/rpc/json_rpc.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pactum::rpc;
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  RpcErrorObject rpc_error;
  auto single = parse_response(body, 1, &rpc_error);
  if (!single.ok() && rpc_error.code != 0) {
    (void)revert_data(rpc_error);
    (void)error_from_rpc(rpc_error);
  }
  if (single.ok()) {
    // Whatever the result is, the typed parsers must refuse or accept it cleanly.
    (void)parse_receipt(*single);
    (void)parse_logs(*single);
  }

  const std::uint64_t ids[] = {1, 2, 3};
  auto batch = parse_batch_response(body, ids);
  if (batch.ok() && batch->size() != 3) __builtin_trap();

  (void)parse_quantity(body);
  (void)parse_data(body);
  (void)decode_revert_reason(pactum::ByteView(data, size));
  return 0;
}
