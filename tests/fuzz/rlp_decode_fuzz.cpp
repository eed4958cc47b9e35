// libFuzzer target: RLP decoding and raw transaction decoding on arbitrary bytes.
//
// Properties: no crash, no over-read (ASan), no UB (UBSan); and because decoding is strict
// (only canonical encodings are accepted), whatever decodes re-encodes to exactly the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "pactum/eth/rlp.hpp"
#include "pactum/eth/transaction.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pactum;
  using namespace pactum::eth;
  const ByteView input(data, size);

  auto item = rlp_decode(input);
  if (item.ok()) {
    const Bytes again = rlp_encode(*item);
    if (again.size() != size || !std::equal(again.begin(), again.end(), input.begin())) {
      std::abort();  // a non-canonical encoding was accepted
    }
    (void)item->as_uint();
    (void)item->as_u64();
  }

  ByteView rest = input;
  while (!rest.empty()) {
    const std::size_t before = rest.size();
    auto prefix = rlp_decode_prefix(rest);
    if (!prefix.ok() || rest.size() >= before) break;
  }

  auto tx = decode_transaction(input);
  if (tx.ok()) {
    const Bytes again = tx->serialize();
    if (again.size() != size || !std::equal(again.begin(), again.end(), input.begin())) {
      std::abort();  // decode → serialize must be the identity on accepted input
    }
    (void)tx->sender();
  }
  return 0;
}
