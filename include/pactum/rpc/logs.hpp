// Reading logs over block ranges larger than a node will serve in one eth_getLogs.
//
// Providers cap a result by size or count ("query returned more than 10000 results", -32005);
// error_from_rpc maps those refusals to kResourceExhausted. get_logs_range walks the range in
// chunks and, when a chunk is refused, halves it and tries again, down to a single block.
//
// Thread safety: as the EthApi passed in.
#pragma once

#include <cstdint>
#include <vector>

#include "pactum/core/result.hpp"
#include "pactum/rpc/eth_api.hpp"

namespace pactum::rpc {

struct LogRangeOptions {
  // Blocks asked for in one request at most. REQUIRES: >= 1.
  std::uint64_t max_blocks_per_request = 2'000;
  // After a refused chunk was halved, each success doubles the chunk again (up to the maximum),
  // so that one dense region does not slow down the rest of a long scan.
  bool regrow = true;
};

// Returns every log matching `filter`'s addresses and topics in blocks [from, to] (inclusive), in
// block and log-index order. `filter`'s own block range and block hash are ignored.
// Errors: kInvalidArgument when from > to; kResourceExhausted when a single block's logs are
//   refused as too large; kDataLoss when the node answers with a log outside the asked range or
//   out of order; any other error of EthApi::get_logs, with the block range in the message.
[[nodiscard]] Result<std::vector<Log>> get_logs_range(EthApi& api, const LogFilter& filter,
                                                      std::uint64_t from, std::uint64_t to,
                                                      LogRangeOptions options = {});

}  // namespace pactum::rpc
