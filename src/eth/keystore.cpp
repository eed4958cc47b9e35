#include "pactum/eth/keystore.hpp"

#include <cryptopp/scrypt.h>
#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

#include "crypto_internal.hpp"
#include "pactum/core/random.hpp"
#include "pactum/eth/keccak.hpp"

namespace pactum::eth {
namespace {

using Json = nlohmann::json;
constexpr std::size_t kDerivedKeySize = 32;
constexpr std::size_t kMaxSaltSize = 1024;

struct KdfParams {
  KeystoreKdf kdf = KeystoreKdf::kScrypt;
  std::uint64_t n = 0;
  std::uint32_t r = 0;
  std::uint32_t p = 0;
  std::uint32_t c = 0;
  Bytes salt;
};

bool is_power_of_two(std::uint64_t v) {
  return v >= 2 && (v & (v - 1)) == 0;
}

Status check_params(const KdfParams& params, const KeystoreLimits& limits) {
  if (params.kdf == KeystoreKdf::kScrypt) {
    if (!is_power_of_two(params.n)) {
      return invalid_argument("keystore: scrypt n must be a power of two >= 2, got " +
                              std::to_string(params.n));
    }
    if (params.r == 0 || params.p == 0)
      return invalid_argument("keystore: scrypt r and p must be >= 1");
    if (params.n > limits.max_scrypt_n || params.r > limits.max_scrypt_r ||
        params.p > limits.max_scrypt_p) {
      return resource_exhausted("keystore: scrypt parameters n=" + std::to_string(params.n) +
                                " r=" + std::to_string(params.r) +
                                " p=" + std::to_string(params.p) +
                                " exceed the limits (n <= " + std::to_string(limits.max_scrypt_n) +
                                ", r <= " + std::to_string(limits.max_scrypt_r) +
                                ", p <= " + std::to_string(limits.max_scrypt_p) + ")");
    }
    // Crypto++ may run the p lanes in parallel, each with its own 128·n·r bytes. The product
    // can overflow 64 bits: compare by division.
    if (params.n > limits.max_scrypt_memory_bytes / 128 / params.r / params.p) {
      return resource_exhausted("keystore: scrypt needs more than " +
                                std::to_string(limits.max_scrypt_memory_bytes) +
                                " bytes of memory");
    }
  } else {
    if (params.c == 0) return invalid_argument("keystore: pbkdf2 iteration count must be >= 1");
    if (params.c > limits.max_pbkdf2_iterations) {
      return resource_exhausted("keystore: pbkdf2 iteration count " + std::to_string(params.c) +
                                " exceeds the limit " +
                                std::to_string(limits.max_pbkdf2_iterations));
    }
  }
  return ok_status();
}

Status derive_key(const KdfParams& params, std::string_view password,
                  FixedBytes<kDerivedKeySize>& out) {
  if (params.kdf == KeystoreKdf::kScrypt) {
    // Crypto++ rather than OpenSSL: OpenSSL enforces RFC 7914's n < 2^(16·r), which the
    // specification's own test vector (n = 2^18, r = 1) and geth's files do not meet.
    // The parameters were checked, so DeriveKey's validation cannot throw on them.
    CryptoPP::Scrypt scrypt;
    scrypt.DeriveKey(out.data(), out.size(),
                     reinterpret_cast<const CryptoPP::byte*>(password.data()), password.size(),
                     params.salt.data(), params.salt.size(), params.n, params.r, params.p);
    return ok_status();
  }
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), params.salt.data(),
                        static_cast<int>(params.salt.size()), static_cast<int>(params.c),
                        EVP_sha256(), static_cast<int>(out.size()), out.data()) != 1) {
    return internal_error("keystore: pbkdf2 failed in OpenSSL");
  }
  return ok_status();
}

// AES-128-CTR is its own inverse: the same call encrypts and decrypts.
Status aes128_ctr(ByteView key16, ByteView iv, ByteView in, std::span<std::uint8_t> out) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr) return internal_error("keystore: out of memory for a cipher context");
  int len = 0;
  int tail = 0;
  const bool ok =
      EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nullptr, key16.data(), iv.data()) == 1 &&
      EVP_EncryptUpdate(ctx, out.data(), &len, in.data(), static_cast<int>(in.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx, out.data() + len, &tail) == 1;
  EVP_CIPHER_CTX_free(ctx);  // also cleanses the key schedule
  if (!ok) return internal_error("keystore: AES-128-CTR failed in OpenSSL");
  return ok_status();
}

Hash32 keystore_mac(const FixedBytes<kDerivedKeySize>& derived, ByteView ciphertext) {
  Keccak256 h;
  h.update(ByteView(derived).subspan(16, 16));
  h.update(ciphertext);
  return h.finish();
}

std::string uuid_text(FixedBytes<16> id) {
  id[6] = static_cast<std::uint8_t>((id[6] & 0x0f) | 0x40);  // version 4
  id[8] = static_cast<std::uint8_t>((id[8] & 0x3f) | 0x80);  // RFC 4122 variant
  const std::string hex = to_hex(id, false);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

// ---- reading ---------------------------------------------------------------------------------

Result<const Json*> member(const Json& object, const char* key, const char* where) {
  const auto it = object.find(key);
  if (it == object.end()) {
    return invalid_argument(std::string("keystore: missing ") + where + "." + key);
  }
  return &*it;
}

Result<std::string> string_member(const Json& object, const char* key, const char* where) {
  PACTUM_TRY(const Json* value, member(object, key, where));
  if (!value->is_string()) {
    return invalid_argument(std::string("keystore: ") + where + "." + key + " must be a string");
  }
  return value->get<std::string>();
}

Result<Bytes> hex_member(const Json& object, const char* key, const char* where,
                         std::size_t min_size, std::size_t max_size) {
  PACTUM_TRY(std::string text, string_member(object, key, where));
  auto bytes = from_hex(text);
  if (!bytes.ok()) {
    return bytes.error().with_context(std::string("keystore: ") + where + "." + key);
  }
  if (bytes->size() < min_size || bytes->size() > max_size) {
    const std::string expected = min_size == max_size
                                     ? std::to_string(min_size)
                                     : std::to_string(min_size) + ".." + std::to_string(max_size);
    return invalid_argument(std::string("keystore: ") + where + "." + key + " must be " + expected +
                            " bytes, got " + std::to_string(bytes->size()));
  }
  return bytes;
}

Result<std::uint64_t> uint_member(const Json& object, const char* key, const char* where) {
  PACTUM_TRY(const Json* value, member(object, key, where));
  if (value->is_number_unsigned()) return value->get<std::uint64_t>();
  if (value->is_number_integer() && value->get<std::int64_t>() >= 0) {
    return static_cast<std::uint64_t>(value->get<std::int64_t>());
  }
  return invalid_argument(std::string("keystore: ") + where + "." + key +
                          " must be a non-negative integer");
}

Result<std::uint32_t> u32_member(const Json& object, const char* key, const char* where) {
  PACTUM_TRY(std::uint64_t v, uint_member(object, key, where));
  if (v > std::numeric_limits<std::uint32_t>::max()) {
    return resource_exhausted(std::string("keystore: ") + where + "." + key + " is too large");
  }
  return static_cast<std::uint32_t>(v);
}

Result<KdfParams> parse_kdf(const Json& crypto) {
  PACTUM_TRY(std::string kdf, string_member(crypto, "kdf", "crypto"));
  PACTUM_TRY(const Json* params_json, member(crypto, "kdfparams", "crypto"));
  if (!params_json->is_object())
    return invalid_argument("keystore: crypto.kdfparams must be an object");
  const Json& params = *params_json;
  constexpr const char* kWhere = "crypto.kdfparams";
  KdfParams out;
  PACTUM_TRY(std::uint64_t dklen, uint_member(params, "dklen", kWhere));
  if (dklen != kDerivedKeySize) {
    return invalid_argument("keystore: kdfparams.dklen must be 32, got " + std::to_string(dklen));
  }
  PACTUM_TRY(out.salt, hex_member(params, "salt", kWhere, 0, kMaxSaltSize));
  if (kdf == "scrypt") {
    out.kdf = KeystoreKdf::kScrypt;
    PACTUM_TRY(out.n, uint_member(params, "n", kWhere));
    PACTUM_TRY(out.r, u32_member(params, "r", kWhere));
    PACTUM_TRY(out.p, u32_member(params, "p", kWhere));
  } else if (kdf == "pbkdf2") {
    out.kdf = KeystoreKdf::kPbkdf2;
    PACTUM_TRY(std::string prf, string_member(params, "prf", kWhere));
    if (prf != "hmac-sha256") {
      return unimplemented("keystore: unsupported pbkdf2 prf '" + prf + "' (only hmac-sha256)");
    }
    PACTUM_TRY(out.c, u32_member(params, "c", kWhere));
  } else {
    return unimplemented("keystore: unsupported kdf '" + kdf + "' (scrypt or pbkdf2)");
  }
  return out;
}

}  // namespace

Result<std::string> encrypt_keystore(const PrivateKey& key, std::string_view password,
                                     const KeystoreOptions& options) try {
  KdfParams params;
  params.kdf = options.kdf;
  params.n = options.scrypt_n;
  params.r = options.scrypt_r;
  params.p = options.scrypt_p;
  params.c = options.pbkdf2_iterations;
  if (auto s = check_params(params, KeystoreLimits{}); !s.ok()) {
    return invalid_argument(s.error().message());
  }
  Hash32 salt{};
  FixedBytes<16> iv{};
  FixedBytes<16> id{};
  if (options.salt)
    salt = *options.salt;
  else
    PACTUM_TRY_STATUS(random_bytes(salt));
  if (options.iv)
    iv = *options.iv;
  else
    PACTUM_TRY_STATUS(random_bytes(iv));
  if (options.id)
    id = *options.id;
  else
    PACTUM_TRY_STATUS(random_bytes(id));
  params.salt.assign(salt.begin(), salt.end());

  FixedBytes<kDerivedKeySize> derived{};
  internal::WipeOnExit wipe_derived(derived);
  PACTUM_TRY_STATUS(derive_key(params, password, derived));
  FixedBytes<PrivateKey::kSize> secret{};
  internal::WipeOnExit wipe_secret(secret);
  key.export_secret(secret);
  FixedBytes<PrivateKey::kSize> ciphertext{};
  PACTUM_TRY_STATUS(aes128_ctr(ByteView(derived).first(16), iv, secret, ciphertext));
  const Hash32 mac = keystore_mac(derived, ciphertext);

  Json kdfparams = {{"dklen", kDerivedKeySize}, {"salt", to_hex(salt, false)}};
  if (params.kdf == KeystoreKdf::kScrypt) {
    kdfparams["n"] = params.n;
    kdfparams["r"] = params.r;
    kdfparams["p"] = params.p;
  } else {
    kdfparams["c"] = params.c;
    kdfparams["prf"] = "hmac-sha256";
  }
  const Json doc = {{"address", to_hex(key.address().bytes(), false)},
                    {"crypto",
                     {{"cipher", "aes-128-ctr"},
                      {"cipherparams", {{"iv", to_hex(iv, false)}}},
                      {"ciphertext", to_hex(ciphertext, false)},
                      {"kdf", params.kdf == KeystoreKdf::kScrypt ? "scrypt" : "pbkdf2"},
                      {"kdfparams", kdfparams},
                      {"mac", to_hex(mac, false)}}},
                    {"id", uuid_text(id)},
                    {"version", 3}};
  return doc.dump();
} catch (const std::exception& e) {
  return internal_error(std::string("keystore: ") + e.what());
}

Result<PrivateKey> decrypt_keystore(std::string_view json, std::string_view password,
                                    const KeystoreLimits& limits) try {
  const Json doc = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return invalid_argument("keystore: malformed JSON");
  if (!doc.is_object()) return invalid_argument("keystore: expected a JSON object");
  PACTUM_TRY(std::uint64_t version, uint_member(doc, "version", "keystore"));
  if (version != 3) {
    return invalid_argument("keystore: version must be 3, got " + std::to_string(version));
  }
  // geth wrote "Crypto" in early files; both spellings are read.
  const auto crypto_it = doc.contains("crypto") ? doc.find("crypto") : doc.find("Crypto");
  if (crypto_it == doc.end() || !crypto_it->is_object()) {
    return invalid_argument("keystore: missing crypto object");
  }
  const Json& crypto = *crypto_it;
  PACTUM_TRY(std::string cipher, string_member(crypto, "cipher", "crypto"));
  if (cipher != "aes-128-ctr") {
    return unimplemented("keystore: unsupported cipher '" + cipher + "' (only aes-128-ctr)");
  }
  PACTUM_TRY(const Json* cipherparams, member(crypto, "cipherparams", "crypto"));
  if (!cipherparams->is_object()) {
    return invalid_argument("keystore: crypto.cipherparams must be an object");
  }
  PACTUM_TRY(Bytes iv, hex_member(*cipherparams, "iv", "crypto.cipherparams", 16, 16));
  PACTUM_TRY(Bytes ciphertext, hex_member(crypto, "ciphertext", "crypto", 32, 32));
  PACTUM_TRY(Bytes mac, hex_member(crypto, "mac", "crypto", 32, 32));
  PACTUM_TRY(KdfParams params, parse_kdf(crypto));
  PACTUM_TRY_STATUS(check_params(params, limits));

  FixedBytes<kDerivedKeySize> derived{};
  internal::WipeOnExit wipe_derived(derived);
  PACTUM_TRY_STATUS(derive_key(params, password, derived));
  if (!constant_time_equal(keystore_mac(derived, ciphertext), mac)) {
    return unauthenticated("keystore: MAC mismatch (wrong password, or the file was altered)");
  }
  FixedBytes<PrivateKey::kSize> secret{};
  internal::WipeOnExit wipe_secret(secret);
  PACTUM_TRY_STATUS(aes128_ctr(ByteView(derived).first(16), iv, ciphertext, secret));
  auto key = PrivateKey::from_bytes(secret);
  if (!key.ok()) return data_loss("keystore: decrypted key is not a valid secp256k1 key");
  if (const auto it = doc.find("address"); it != doc.end() && it->is_string()) {
    auto address = Address::parse(it->get<std::string>());
    if (!address.ok() || *address != key->address()) {
      return data_loss("keystore: the file's address does not match its key");
    }
  }
  return key;
} catch (const std::exception& e) {
  return internal_error(std::string("keystore: ") + e.what());
}

}  // namespace pactum::eth
