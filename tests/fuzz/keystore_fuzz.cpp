// libFuzzer target: parse and decrypt arbitrary keystore JSON with a fixed password.
//
// KDF cost is bounded through KeystoreLimits so that each input takes milliseconds: files asking
// for more are refused (kResourceExhausted) before any derivation, which is itself a property
// under test. Invariants checked: no crash, no sanitizer report, never kInternal, and a
// successful decryption yields a key whose address round-trips through a new keystore.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pactum/eth/keystore.hpp"

namespace {

constexpr std::string_view kPassword = "fuzz-password";

pactum::eth::KeystoreLimits cheap_limits() {
  pactum::eth::KeystoreLimits limits;
  limits.max_scrypt_n = 1u << 10;
  limits.max_scrypt_r = 8;
  limits.max_scrypt_p = 2;
  limits.max_scrypt_memory_bytes = 2u << 20;
  limits.max_pbkdf2_iterations = 2000;
  return limits;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const pactum::eth::KeystoreLimits limits = cheap_limits();
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  auto key = pactum::eth::decrypt_keystore(json, kPassword, limits);
  if (!key.ok()) {
    if (key.error().code() == pactum::ErrorCode::kInternal) std::abort();
    return 0;
  }
  pactum::eth::KeystoreOptions options;
  options.kdf = pactum::eth::KeystoreKdf::kPbkdf2;
  options.pbkdf2_iterations = 1;
  auto again = pactum::eth::encrypt_keystore(*key, kPassword, options);
  if (!again.ok()) std::abort();
  auto back = pactum::eth::decrypt_keystore(*again, kPassword, limits);
  if (!back.ok() || back->address() != key->address()) std::abort();
  return 0;
}
