#include "pactum/rpc/logs.hpp"

#include <algorithm>
#include <string>

namespace pactum::rpc {
namespace {

std::string range_text(std::uint64_t lo, std::uint64_t hi) {
  return "blocks " + std::to_string(lo) + ".." + std::to_string(hi);
}

// Checks that `logs` lie in [lo, hi] and ascend by (block, log index) after `last`.
Status check_order(const std::vector<Log>& logs, std::uint64_t lo, std::uint64_t hi,
                   const Log* last) {
  for (const Log& log : logs) {
    if (log.block_number < lo || log.block_number > hi) {
      return data_loss("eth_getLogs for " + range_text(lo, hi) + " answered a log of block " +
                       std::to_string(log.block_number));
    }
    if (last != nullptr &&
        (log.block_number < last->block_number ||
         (log.block_number == last->block_number && log.log_index <= last->log_index))) {
      return data_loss("eth_getLogs for " + range_text(lo, hi) +
                       " answered logs out of order at block " + std::to_string(log.block_number) +
                       " index " + std::to_string(log.log_index));
    }
    last = &log;
  }
  return ok_status();
}

}  // namespace

Result<std::vector<Log>> get_logs_range(EthApi& api, const LogFilter& filter, std::uint64_t from,
                                        std::uint64_t to, LogRangeOptions options) {
  if (from > to) {
    return invalid_argument("get_logs_range: from " + std::to_string(from) + " > to " +
                            std::to_string(to));
  }
  const std::uint64_t max_span = std::max<std::uint64_t>(options.max_blocks_per_request, 1);
  LogFilter chunk = filter;
  chunk.block_hash.reset();
  std::vector<Log> out;
  std::uint64_t span = max_span;
  std::uint64_t lo = from;
  for (;;) {
    // hi = min(to, lo + span - 1) without overflowing.
    const std::uint64_t hi = (to - lo) < span ? to : lo + (span - 1);
    chunk.from_block = BlockId::number(lo);
    chunk.to_block = BlockId::number(hi);
    auto logs = api.get_logs(chunk);
    if (!logs.ok()) {
      if (logs.error().code() == ErrorCode::kResourceExhausted && hi > lo) {
        span = (hi - lo + 1) / 2;  // at least 1 since hi > lo
        continue;
      }
      return logs.error().with_context("get_logs_range " + range_text(lo, hi));
    }
    PACTUM_TRY_STATUS(check_order(*logs, lo, hi, out.empty() ? nullptr : &out.back()));
    out.insert(out.end(), std::make_move_iterator(logs->begin()),
               std::make_move_iterator(logs->end()));
    if (hi == to) return out;
    lo = hi + 1;
    if (options.regrow && span < max_span) span = std::min(max_span, span * 2);
  }
}

}  // namespace pactum::rpc
