// Keys at rest: Web3 Secret Storage version 3 ("keystore v3", what geth, ethers and MetaMask
// export): the private key encrypted with AES-128-CTR under a key derived from a password with
// scrypt or PBKDF2-HMAC-SHA256, authenticated by MAC = keccak256(derivedKey[16..32] ‖ ciphertext).
//
// Untrusted input: a keystore file is parsed without exceptions or crashes whatever it holds, and
// its KDF parameters are bounded (KeystoreLimits) before any work is done, so a hostile file
// cannot make decryption take minutes or gigabytes.
//
// Thread safety: the functions are pure apart from OS randomness; call them from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"
#include "pactum/eth/keys.hpp"

namespace pactum::eth {

enum class KeystoreKdf : std::uint8_t { kScrypt, kPbkdf2 };

// How encrypt_keystore derives its key. The defaults are geth's "standard" scrypt parameters
// (n = 2^18, r = 8, p = 1: ~256 MiB and about a second); use lighter ones only for tests.
struct KeystoreOptions {
  KeystoreKdf kdf = KeystoreKdf::kScrypt;
  std::uint64_t scrypt_n = 1u << 18;  // a power of two ≥ 2
  std::uint32_t scrypt_r = 8;
  std::uint32_t scrypt_p = 1;
  std::uint32_t pbkdf2_iterations = 262144;
  // Fixed salt, IV and id, for reproducible tests only: leave empty in production, where fresh
  // values are drawn from the OS CSPRNG.
  std::optional<Hash32> salt;
  std::optional<FixedBytes<16>> iv;
  std::optional<FixedBytes<16>> id;
};

// The most work decrypt_keystore accepts from a file's kdfparams. Files asking for more are
// refused before any derivation (kResourceExhausted).
struct KeystoreLimits {
  std::uint64_t max_scrypt_n = 1u << 18;
  std::uint32_t max_scrypt_r = 32;
  std::uint32_t max_scrypt_p = 16;
  std::uint64_t max_scrypt_memory_bytes = 512ull << 20;  // 128 · n · r · p
  std::uint32_t max_pbkdf2_iterations = 10'000'000;
};

// Encrypts `key` under `password` (its UTF-8 bytes, not normalized) and returns the keystore JSON
// text ({"address", "crypto", "id", "version": 3}). The derived key and plaintext copies are wiped
// before returning. Errors: kInvalidArgument for scrypt_n not a power of two ≥ 2, r or p or
// iterations zero, or parameters outside the default KeystoreLimits (a file this library could not
// read back); kUnavailable when OS randomness fails; kInternal when OpenSSL fails.
[[nodiscard]] Result<std::string> encrypt_keystore(const PrivateKey& key, std::string_view password,
                                                   const KeystoreOptions& options = {});

// Parses a keystore v3 JSON text and decrypts its key with `password`.
// Errors:
//   kInvalidArgument   malformed JSON, a missing or mistyped field, bad hex, an IV that is not
//                      16 bytes, a ciphertext or MAC that is not 32 bytes, dklen ≠ 32, scrypt n
//                      not a power of two, zero parameters, version ≠ 3;
//   kUnimplemented     a cipher other than aes-128-ctr, a kdf other than scrypt/pbkdf2, a prf
//                      other than hmac-sha256;
//   kResourceExhausted KDF parameters beyond `limits`;
//   kUnauthenticated   MAC mismatch: the password is wrong (or the ciphertext was altered);
//   kDataLoss          the MAC matches but the plaintext is not a valid key, or the file's
//                      "address" does not match the key.
[[nodiscard]] Result<PrivateKey> decrypt_keystore(std::string_view json, std::string_view password,
                                                  const KeystoreLimits& limits = {});

}  // namespace pactum::eth
