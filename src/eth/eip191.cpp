#include "pactum/eth/eip191.hpp"

#include <string>

#include "pactum/eth/keccak.hpp"

namespace pactum::eth {

Hash32 personal_message_hash(ByteView message) noexcept {
  static constexpr std::string_view kPrefix =
      "\x19"
      "Ethereum Signed Message:\n";
  Keccak256 h;
  h.update(as_bytes(kPrefix));
  // to_chars into a stack buffer: no allocation, so the function stays noexcept.
  char digits[24];
  std::size_t n = 0;
  std::size_t len = message.size();
  do {
    digits[n++] = static_cast<char>('0' + len % 10);
    len /= 10;
  } while (len != 0);
  for (std::size_t i = 0; i < n / 2; ++i) std::swap(digits[i], digits[n - 1 - i]);
  h.update(as_bytes(std::string_view(digits, n)));
  h.update(message);
  return h.finish();
}

Signature sign_personal_message(const PrivateKey& key, ByteView message) noexcept {
  return sign_hash(key, personal_message_hash(message));
}

Result<Address> recover_personal_message_signer(ByteView message, const Signature& signature) {
  return recover_address(personal_message_hash(message), signature);
}

}  // namespace pactum::eth
