#include "pactum/eth/hd.hpp"

#include <cryptopp/ripemd.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <charconv>

#include "bip39_english.hpp"
#include "crypto_internal.hpp"
#include "pactum/core/random.hpp"

namespace pactum::eth {
namespace {

using internal::kBip39English;
using internal::WipeOnExit;

constexpr std::uint32_t kXprvVersion = 0x0488ADE4;
constexpr std::uint32_t kXpubVersion = 0x0488B21E;

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (i < text.size()) {
    while (i < text.size() && space(text[i])) ++i;
    const std::size_t start = i;
    while (i < text.size() && !space(text[i])) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

int word_index(std::string_view word) {
  const auto it = std::lower_bound(kBip39English.begin(), kBip39English.end(), word);
  if (it == kBip39English.end() || *it != word) return -1;
  return static_cast<int>(it - kBip39English.begin());
}

bool get_bit(ByteView bytes, std::size_t bit) {
  return (bytes[bit / 8] >> (7 - bit % 8)) & 1;
}

// Decodes and checks a mnemonic into its entropy; `normalized` receives the words joined by
// single spaces.
Result<Bytes> mnemonic_entropy(std::string_view mnemonic, std::string* normalized) {
  const auto words = split_words(mnemonic);
  const std::size_t n = words.size();
  if (n < 12 || n > 24 || n % 3 != 0) {
    return invalid_argument("mnemonic: expected 12, 15, 18, 21 or 24 words, got " +
                            std::to_string(n));
  }
  const std::size_t total_bits = n * 11;
  const std::size_t checksum_bits = total_bits / 33;
  const std::size_t entropy_bits = total_bits - checksum_bits;
  Bytes bits((total_bits + 7) / 8, 0);
  for (std::size_t w = 0; w < n; ++w) {
    const int index = word_index(words[w]);
    if (index < 0) {
      secure_wipe(bits);
      return invalid_argument("mnemonic: word " + std::to_string(w + 1) +
                              " is not in the BIP-39 English list");
    }
    for (int b = 0; b < 11; ++b) {
      if ((index >> (10 - b)) & 1) {
        const std::size_t bit = w * 11 + static_cast<std::size_t>(b);
        bits[bit / 8] = static_cast<std::uint8_t>(bits[bit / 8] | (0x80 >> (bit % 8)));
      }
    }
  }
  Bytes entropy(bits.begin(), bits.begin() + static_cast<std::ptrdiff_t>(entropy_bits / 8));
  FixedBytes<32> digest{};
  SHA256(entropy.data(), entropy.size(), digest.data());
  bool checksum_ok = true;
  for (std::size_t i = 0; i < checksum_bits; ++i) {
    checksum_ok &= get_bit(digest, i) == get_bit(bits, entropy_bits + i);
  }
  secure_wipe(bits);
  secure_wipe(digest);
  if (!checksum_ok) {
    secure_wipe(entropy);
    return invalid_argument("mnemonic: bad checksum (a word is wrong or the order is)");
  }
  if (normalized != nullptr) {
    normalized->clear();
    for (std::size_t w = 0; w < n; ++w) {
      if (w != 0) *normalized += ' ';
      *normalized += words[w];
    }
  }
  return entropy;
}

void put_u32(std::uint8_t* out, std::uint32_t v) {
  out[0] = static_cast<std::uint8_t>(v >> 24);
  out[1] = static_cast<std::uint8_t>(v >> 16);
  out[2] = static_cast<std::uint8_t>(v >> 8);
  out[3] = static_cast<std::uint8_t>(v);
}

std::uint32_t fingerprint(const PublicKey& key) {
  const FixedBytes<33> compressed = key.serialize_compressed();
  FixedBytes<32> sha{};
  SHA256(compressed.data(), compressed.size(), sha.data());
  FixedBytes<20> ripemd{};
  CryptoPP::RIPEMD160().CalculateDigest(ripemd.data(), sha.data(), sha.size());
  return (std::uint32_t{ripemd[0]} << 24) | (std::uint32_t{ripemd[1]} << 16) |
         (std::uint32_t{ripemd[2]} << 8) | ripemd[3];
}

std::string base58check(ByteView payload) {
  static constexpr char kAlphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  Bytes data(payload.begin(), payload.end());
  FixedBytes<32> h1{};
  FixedBytes<32> h2{};
  SHA256(data.data(), data.size(), h1.data());
  SHA256(h1.data(), h1.size(), h2.data());
  data.insert(data.end(), h2.begin(), h2.begin() + 4);
  std::size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  // Repeated division of the big-endian number by 58; digits come out least significant first.
  std::string digits;
  Bytes number(data.begin() + static_cast<std::ptrdiff_t>(zeros), data.end());
  while (!number.empty()) {
    unsigned remainder = 0;
    Bytes quotient;
    for (std::uint8_t byte : number) {
      const unsigned acc = remainder * 256 + byte;
      const unsigned q = acc / 58;
      remainder = acc % 58;
      if (!quotient.empty() || q != 0) quotient.push_back(static_cast<std::uint8_t>(q));
    }
    digits += kAlphabet[remainder];
    number.swap(quotient);
  }
  secure_wipe(data);
  digits.append(zeros, '1');
  std::reverse(digits.begin(), digits.end());
  return digits;
}

}  // namespace

// ---- BIP-39 ----------------------------------------------------------------------------------

Bip39Seed::Bip39Seed(Bip39Seed&& other) noexcept : bytes_(other.bytes_) {
  secure_wipe(other.bytes_);
}
Bip39Seed& Bip39Seed::operator=(Bip39Seed&& other) noexcept {
  if (this != &other) {
    bytes_ = other.bytes_;
    secure_wipe(other.bytes_);
  }
  return *this;
}
Bip39Seed::~Bip39Seed() {
  secure_wipe(bytes_);
}

Result<std::string> mnemonic_from_entropy(ByteView entropy) {
  const std::size_t n = entropy.size();
  if (n < 16 || n > 32 || n % 4 != 0) {
    return invalid_argument("mnemonic: entropy must be 16, 20, 24, 28 or 32 bytes, got " +
                            std::to_string(n));
  }
  FixedBytes<32> digest{};
  WipeOnExit wipe_digest(digest);
  SHA256(entropy.data(), entropy.size(), digest.data());
  const std::size_t total_bits = n * 8 + n / 4;
  auto bit = [&](std::size_t i) {
    return i < n * 8 ? get_bit(entropy, i) : get_bit(digest, i - n * 8);
  };
  std::string out;
  for (std::size_t w = 0; w < total_bits / 11; ++w) {
    unsigned index = 0;
    for (std::size_t b = 0; b < 11; ++b) index = (index << 1) | (bit(w * 11 + b) ? 1u : 0u);
    if (w != 0) out += ' ';
    out += kBip39English[index];
  }
  return out;
}

Result<std::string> generate_mnemonic(std::size_t word_count) {
  if (word_count < 12 || word_count > 24 || word_count % 3 != 0) {
    return invalid_argument("mnemonic: word count must be 12, 15, 18, 21 or 24, got " +
                            std::to_string(word_count));
  }
  FixedBytes<32> entropy{};
  WipeOnExit wipe(entropy);
  const std::size_t size = word_count * 4 / 3;  // 11·words bits = 8·size + size/4
  PACTUM_TRY_STATUS(random_bytes(std::span(entropy).first(size)));
  return mnemonic_from_entropy(ByteView(entropy).first(size));
}

Status validate_mnemonic(std::string_view mnemonic) {
  PACTUM_TRY(Bytes entropy, mnemonic_entropy(mnemonic, nullptr));
  secure_wipe(entropy);
  return ok_status();
}

Result<Bip39Seed> mnemonic_to_seed(std::string_view mnemonic, std::string_view passphrase) {
  if (std::any_of(passphrase.begin(), passphrase.end(),
                  [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
    return unimplemented(
        "mnemonic: non-ASCII passphrases need NFKD normalization, which is not supported");
  }
  std::string words;
  PACTUM_TRY(Bytes entropy, mnemonic_entropy(mnemonic, &words));
  secure_wipe(entropy);
  std::string salt = "mnemonic";
  salt += passphrase;
  FixedBytes<Bip39Seed::kSize> seed{};
  WipeOnExit wipe_seed(seed);
  const int ok = PKCS5_PBKDF2_HMAC(words.data(), static_cast<int>(words.size()),
                                   reinterpret_cast<const unsigned char*>(salt.data()),
                                   static_cast<int>(salt.size()), 2048, EVP_sha512(),
                                   static_cast<int>(seed.size()), seed.data());
  secure_wipe(std::span(reinterpret_cast<std::uint8_t*>(words.data()), words.size()));
  secure_wipe(std::span(reinterpret_cast<std::uint8_t*>(salt.data()), salt.size()));
  if (ok != 1) return internal_error("mnemonic: PBKDF2-HMAC-SHA512 failed in OpenSSL");
  return Bip39Seed(seed);
}

// ---- BIP-32 ----------------------------------------------------------------------------------

Result<std::vector<std::uint32_t>> parse_derivation_path(std::string_view path) {
  if (path.empty() || path[0] != 'm') {
    return invalid_argument("derivation path must start with \"m\"");
  }
  std::vector<std::uint32_t> out;
  std::string_view rest = path.substr(1);
  while (!rest.empty()) {
    if (rest[0] != '/') return invalid_argument("derivation path: expected '/' after a component");
    rest.remove_prefix(1);
    const std::size_t end = std::min(rest.find('/'), rest.size());
    std::string_view part = rest.substr(0, end);
    rest.remove_prefix(end);
    bool hardened = false;
    if (!part.empty() && (part.back() == '\'' || part.back() == 'h' || part.back() == 'H')) {
      hardened = true;
      part.remove_suffix(1);
    }
    std::uint32_t index = 0;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size()) {
      return invalid_argument("derivation path: component " + std::to_string(out.size() + 1) +
                              " is not a number");
    }
    if (index >= kHardened) {
      return invalid_argument("derivation path: index " + std::to_string(index) +
                              " must be below 2^31 (mark hardened indexes with ')");
    }
    if (out.size() == 255) return invalid_argument("derivation path: more than 255 levels");
    out.push_back(hardened ? index | kHardened : index);
  }
  return out;
}

ExtendedPrivateKey::ExtendedPrivateKey(ExtendedPrivateKey&& other) noexcept
    : key_(other.key_),
      chain_code_(other.chain_code_),
      depth_(other.depth_),
      child_number_(other.child_number_),
      parent_fingerprint_(other.parent_fingerprint_) {
  secure_wipe(other.key_);
  secure_wipe(other.chain_code_);
}

ExtendedPrivateKey& ExtendedPrivateKey::operator=(ExtendedPrivateKey&& other) noexcept {
  if (this != &other) {
    key_ = other.key_;
    chain_code_ = other.chain_code_;
    depth_ = other.depth_;
    child_number_ = other.child_number_;
    parent_fingerprint_ = other.parent_fingerprint_;
    secure_wipe(other.key_);
    secure_wipe(other.chain_code_);
  }
  return *this;
}

ExtendedPrivateKey::~ExtendedPrivateKey() {
  secure_wipe(key_);
  secure_wipe(chain_code_);
}

Result<ExtendedPrivateKey> ExtendedPrivateKey::from_seed(ByteView seed) {
  if (seed.size() < 16 || seed.size() > 64) {
    return invalid_argument("BIP-32: seed must be 16..64 bytes, got " +
                            std::to_string(seed.size()));
  }
  static constexpr std::string_view kKey = "Bitcoin seed";
  FixedBytes<64> i{};
  WipeOnExit wipe(i);
  unsigned int len = 0;
  if (HMAC(EVP_sha512(), kKey.data(), static_cast<int>(kKey.size()), seed.data(), seed.size(),
           i.data(), &len) == nullptr) {
    return internal_error("BIP-32: HMAC-SHA512 failed in OpenSSL");
  }
  ExtendedPrivateKey out;
  std::copy(i.begin(), i.begin() + 32, out.key_.begin());
  std::copy(i.begin() + 32, i.end(), out.chain_code_.begin());
  if (secp256k1_ec_seckey_verify(internal::secp_context(), out.key_.data()) != 1) {
    return invalid_argument("BIP-32: this seed gives an invalid master key");
  }
  return out;
}

Result<ExtendedPrivateKey> ExtendedPrivateKey::derive_child(std::uint32_t index) const {
  if (depth_ == 255) return out_of_range("BIP-32: depth would exceed 255");
  const PublicKey parent_public = public_key();
  FixedBytes<37> data{};
  WipeOnExit wipe_data(data);
  if (index >= kHardened) {
    data[0] = 0;
    std::copy(key_.begin(), key_.end(), data.begin() + 1);
  } else {
    const FixedBytes<33> compressed = parent_public.serialize_compressed();
    std::copy(compressed.begin(), compressed.end(), data.begin());
  }
  put_u32(data.data() + 33, index);
  FixedBytes<64> i{};
  WipeOnExit wipe_i(i);
  unsigned int len = 0;
  if (HMAC(EVP_sha512(), chain_code_.data(), static_cast<int>(chain_code_.size()), data.data(),
           data.size(), i.data(), &len) == nullptr) {
    return internal_error("BIP-32: HMAC-SHA512 failed in OpenSSL");
  }
  ExtendedPrivateKey child;
  child.key_ = key_;
  // k_child = IL + k_parent (mod n); fails when IL ≥ n or the sum is zero.
  if (secp256k1_ec_seckey_tweak_add(internal::secp_context(), child.key_.data(), i.data()) != 1) {
    return out_of_range("BIP-32: child " + std::to_string(index) +
                        " is invalid; use the next index");
  }
  std::copy(i.begin() + 32, i.end(), child.chain_code_.begin());
  child.depth_ = static_cast<std::uint8_t>(depth_ + 1);
  child.child_number_ = index;
  child.parent_fingerprint_ = fingerprint(parent_public);
  return child;
}

Result<ExtendedPrivateKey> ExtendedPrivateKey::derive_path(std::string_view path) const {
  PACTUM_TRY(std::vector<std::uint32_t> indexes, parse_derivation_path(path));
  ExtendedPrivateKey current;
  current.key_ = key_;
  current.chain_code_ = chain_code_;
  current.depth_ = depth_;
  current.child_number_ = child_number_;
  current.parent_fingerprint_ = parent_fingerprint_;
  for (std::uint32_t index : indexes) {
    PACTUM_TRY(current, current.derive_child(index));
  }
  return current;
}

PrivateKey ExtendedPrivateKey::private_key() const noexcept {
  // The invariant (a valid scalar) is kept by from_seed and derive_child.
  return internal::KeyAccess::make_unchecked(key_);
}

PublicKey ExtendedPrivateKey::public_key() const noexcept {
  return private_key().public_key();
}

std::string ExtendedPrivateKey::to_xprv() const {
  FixedBytes<78> payload{};
  WipeOnExit wipe(payload);
  put_u32(payload.data(), kXprvVersion);
  payload[4] = depth_;
  put_u32(payload.data() + 5, parent_fingerprint_);
  put_u32(payload.data() + 9, child_number_);
  std::copy(chain_code_.begin(), chain_code_.end(), payload.begin() + 13);
  payload[45] = 0;
  std::copy(key_.begin(), key_.end(), payload.begin() + 46);
  return base58check(payload);
}

std::string ExtendedPrivateKey::to_xpub() const {
  FixedBytes<78> payload{};
  put_u32(payload.data(), kXpubVersion);
  payload[4] = depth_;
  put_u32(payload.data() + 5, parent_fingerprint_);
  put_u32(payload.data() + 9, child_number_);
  std::copy(chain_code_.begin(), chain_code_.end(), payload.begin() + 13);
  const FixedBytes<33> compressed = public_key().serialize_compressed();
  std::copy(compressed.begin(), compressed.end(), payload.begin() + 45);
  return base58check(payload);
}

Result<PrivateKey> derive_ethereum_key(std::string_view mnemonic, std::string_view passphrase,
                                       std::uint32_t index) {
  if (index >= kHardened) {
    return invalid_argument("account index " + std::to_string(index) + " must be below 2^31");
  }
  PACTUM_TRY(Bip39Seed seed, mnemonic_to_seed(mnemonic, passphrase));
  PACTUM_TRY(ExtendedPrivateKey master, ExtendedPrivateKey::from_seed(seed.view()));
  PACTUM_TRY(ExtendedPrivateKey account,
             master.derive_path("m/44'/60'/0'/0/" + std::to_string(index)));
  return account.private_key();
}

}  // namespace pactum::eth
