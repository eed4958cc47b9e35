#include "pactum/eth/signature.hpp"

#include <gtest/gtest.h>

#include "pactum/eth/eip191.hpp"
#include "pactum/eth/keccak.hpp"
#include "pactum/eth/keys.hpp"
#include "support/process.hpp"

namespace pactum::eth {
namespace {

constexpr const char* kWeb3Key =
    "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
PrivateKey key_from_hex(const char* hex) {
  return PrivateKey::from_hex(hex).value();
}

constexpr const char* kN = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

TEST(PrivateKey, AnvilDevKeysGiveTheirAddresses) {
  const auto& keys = testing::AnvilProcess::dev_private_keys();
  const auto& addresses = testing::AnvilProcess::dev_addresses();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    auto key = PrivateKey::from_hex(keys[i]);
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(key->address().to_checksum_string(), addresses[i]);
  }
}

TEST(PrivateKey, RangeAndLengthChecks) {
  EXPECT_EQ(PrivateKey::from_hex(std::string(64, '0')).error().code(), ErrorCode::kInvalidArgument);
  auto at_n = PrivateKey::from_hex(kN);
  ASSERT_FALSE(at_n.ok());
  EXPECT_NE(at_n.error().message().find("out of range"), std::string::npos);
  std::string n_minus_1 = kN;
  n_minus_1.back() = '0';
  EXPECT_TRUE(PrivateKey::from_hex(n_minus_1).ok());
  EXPECT_EQ(PrivateKey::from_bytes(Bytes(31, 1)).error().code(), ErrorCode::kInvalidArgument);
  auto nonhex = PrivateKey::from_hex("zz" + std::string(62, '1'));
  ASSERT_FALSE(nonhex.ok());
  EXPECT_EQ(nonhex.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(nonhex.error().message().find("zz"), std::string::npos);  // no key echo
}

TEST(PrivateKey, GenerateMoveAndExport) {
  auto a = PrivateKey::generate();
  auto b = PrivateKey::generate();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->address(), b->address());
  FixedBytes<32> secret{};
  a->export_secret(secret);
  auto again = PrivateKey::from_bytes(secret);
  secure_wipe(secret);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->address(), a->address());
  PrivateKey moved = std::move(*a);
  EXPECT_EQ(moved.address(), again->address());
  EXPECT_EQ(moved.clone().address(), again->address());
}

TEST(PublicKey, ParseAllEncodings) {
  PrivateKey key = key_from_hex(kWeb3Key);
  const PublicKey pub = key.public_key();
  EXPECT_EQ(*PublicKey::parse(pub.serialize_uncompressed()), pub);
  EXPECT_EQ(*PublicKey::parse(pub.serialize_compressed()), pub);
  EXPECT_EQ(*PublicKey::parse(pub.xy()), pub);
  EXPECT_EQ(PublicKey::parse(Bytes(10)).error().code(), ErrorCode::kInvalidArgument);
  Bytes off_curve(65, 0);
  off_curve[0] = 4;
  off_curve[64] = 7;
  EXPECT_EQ(PublicKey::parse(off_curve).error().code(), ErrorCode::kInvalidArgument);
}

// web3.js documentation vector (accounts.sign("Some data", key)), confirmed with ethers.
TEST(Signature, KnownPersonalSignVector) {
  PrivateKey key = key_from_hex(kWeb3Key);
  EXPECT_EQ(key.address().to_checksum_string(), "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
  const Hash32 h = personal_message_hash(as_bytes("Some data"));
  EXPECT_EQ(to_hex(h), "0x1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655");
  const Signature sig = sign_personal_message(key, as_bytes("Some data"));
  EXPECT_EQ(to_hex(sig.serialize()),
            "0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd6007e74cd82e037b80"
            "0186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c");
  EXPECT_TRUE(sig.is_low_s());
  auto signer = recover_personal_message_signer(as_bytes("Some data"), sig);
  ASSERT_TRUE(signer.ok());
  EXPECT_EQ(*signer, key.address());
  auto other = recover_personal_message_signer(as_bytes("Some datA"), sig);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*other, key.address());
}

TEST(Signature, ParseAcceptsBothVConventions) {
  PrivateKey key = key_from_hex(kWeb3Key);
  const Hash32 h = keccak256(as_bytes("x"));
  const Signature sig = sign_hash(key, h);
  EXPECT_EQ(*Signature::parse(sig.serialize()), sig);
  EXPECT_EQ(*Signature::parse(sig.serialize_y_parity()), sig);
  EXPECT_EQ(*Signature::from_hex(to_hex(sig.serialize())), sig);
  EXPECT_EQ(*recover_address(h, sig), key.address());
  EXPECT_EQ(sign_hash(key, h), sig);  // deterministic
}

TEST(Signature, HighSIsNormalizedButRefusedByRecovery) {
  PrivateKey key = key_from_hex(kWeb3Key);
  const Hash32 h = keccak256(as_bytes("malleable"));
  const Signature sig = sign_hash(key, h);
  // (r, n - s, !v) is the same signature in high-s form.
  Signature high = sig;
  auto n = *fixed_from_hex<32>(kN);
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = n[i] - sig.s[i] - borrow;
    borrow = d < 0;
    high.s[i] = static_cast<std::uint8_t>(d + (borrow ? 256 : 0));
  }
  high.recovery_id ^= 1;
  EXPECT_FALSE(high.is_low_s());
  auto parsed = Signature::parse(high.serialize());
  ASSERT_TRUE(parsed.ok());
  auto refused = recover_address(h, *parsed);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message().find("not low"), std::string::npos);
  EXPECT_EQ(parsed->normalized(), sig);
  EXPECT_EQ(*recover_address(h, parsed->normalized()), key.address());
}

struct BadSignature {
  std::string hex;
  const char* message_part;
};

TEST(Signature, BadInputIsInvalidArgumentWithReason) {
  const std::string r(64, '1');
  const std::string s(64, '2');
  const BadSignature cases[] = {
      {r + s, "expected 65 bytes, got 64"},
      {r + s + "1b00", "expected 65 bytes, got 66"},
      {r + s + "1x", "non-hex"},
      {r + s + "02", "invalid recovery id v=2"},
      {r + s + "1d", "invalid recovery id v=29"},
      {std::string(64, '0') + s + "1b", "r out of range"},
      {r + std::string(64, '0') + "1b", "s out of range"},
      {std::string(kN) + s + "1b", "r out of range"},
      {r + kN + "1b", "s out of range"},
      {r + std::string(64, 'f') + "1b", "s out of range"},
  };
  for (const auto& c : cases) {
    auto sig = Signature::from_hex(c.hex);
    ASSERT_FALSE(sig.ok()) << c.hex;
    EXPECT_EQ(sig.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(sig.error().message().find(c.message_part), std::string::npos)
        << c.hex << " -> " << sig.error().message();
  }
  // A struct built by hand is checked at recovery.
  Signature bad;
  bad.r[31] = 1;
  bad.s[31] = 1;
  bad.recovery_id = 2;
  auto rec = recover_address(Hash32{}, bad);
  ASSERT_FALSE(rec.ok());
  EXPECT_NE(rec.error().message().find("invalid recovery id"), std::string::npos);
}

}  // namespace
}  // namespace pactum::eth
