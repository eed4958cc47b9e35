// libFuzzer target: ABI decoding of arbitrary data against a type derived from the input.
//
// Input layout: byte 0 selects the mode. Mode 0: the rest is a type string / signature, parsed
// (and its canonical form must parse to the same type). Otherwise the next bytes describe a type
// list (see TypeReader) and the remaining bytes are decoded as data.
//
// Properties: no crash, over-read or UB; decoded values re-encode, and that encoding decodes to
// the same values and re-encodes to the same bytes (canonical round trip).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "pactum/eth/abi.hpp"

namespace {

using namespace pactum;
using namespace pactum::eth;

// Builds types from a byte stream: one byte picks the kind, a second its size where needed.
class TypeReader {
 public:
  explicit TypeReader(ByteView in) : in_(in) {}

  std::size_t used() const { return pos_; }

  AbiType type(int depth) {
    const std::uint8_t k = next();
    switch (depth >= 4 ? k % 7 : k % 10) {
      case 0:
        return AbiType::uint(8u * (next() % 32 + 1));
      case 1:
        return AbiType::int_(8u * (next() % 32 + 1));
      case 2:
        return AbiType::address();
      case 3:
        return AbiType::boolean();
      case 4:
        return AbiType::fixed_bytes(next() % 32 + 1u);
      case 5:
        return AbiType::bytes();
      case 6:
        return AbiType::string();
      case 7:
        return AbiType::array(type(depth + 1));
      case 8: {
        const std::size_t n = next() % 4 + 1u;
        return AbiType::fixed_array(type(depth + 1), n);
      }
      default: {
        const std::size_t n = next() % 4 + 1u;
        std::vector<AbiType> c;
        for (std::size_t i = 0; i < n; ++i) c.push_back(type(depth + 1));
        return AbiType::tuple(std::move(c));
      }
    }
  }

 private:
  std::uint8_t next() { return pos_ < in_.size() ? in_[pos_++] : 0; }
  ByteView in_;
  std::size_t pos_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const ByteView input(data, size);
  if (input[0] == 0) {
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    auto t = AbiType::parse(text);
    if (t.ok()) {
      auto again = AbiType::parse(t->canonical());
      if (!again.ok() || !(*again == *t)) std::abort();
    }
    (void)parse_abi_types(text);
    (void)function_selector(text);
    (void)parse_event_signature(text);
    return 0;
  }
  TypeReader reader(input.subspan(1));
  std::vector<AbiType> types;
  const std::size_t count = input[0] % 4 + 1u;
  for (std::size_t i = 0; i < count; ++i) types.push_back(reader.type(0));
  const std::size_t header = 1 + reader.used();
  if (header > size) return 0;
  const ByteView encoded = input.subspan(header);

  auto values = abi_decode(types, encoded);
  if (!values.ok()) return 0;
  auto re = abi_encode(types, *values);
  if (!re.ok()) std::abort();  // decoded values must always be encodable
  auto back = abi_decode(types, *re);
  if (!back.ok() || *back != *values) std::abort();
  auto re2 = abi_encode(types, *back);
  if (!re2.ok() || *re2 != *re) std::abort();
  return 0;
}
