#include "pactum/eth/transaction.hpp"

#include <gtest/gtest.h>

#include <string>

#include "pactum/eth/keccak.hpp"
#include "pactum/eth/rlp.hpp"

namespace pactum::eth {
namespace {

Bytes hex(std::string_view h) {
  return from_hex(h).value();
}

Transaction eip155_example() {
  Transaction tx;
  tx.type = TxType::kLegacy;
  tx.chain_id = 1;
  tx.nonce = 9;
  tx.gas_price = U256(20000000000ULL);
  tx.gas_limit = 21000;
  tx.to = Address::parse("0x3535353535353535353535353535353535353535").value();
  tx.value = U256::from_dec("1000000000000000000").value();
  return tx;
}

// The example of the EIP-155 specification.
TEST(Transaction, Eip155Example) {
  const Transaction tx = eip155_example();
  EXPECT_EQ(to_hex(unsigned_payload(tx).value()),
            "0xec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a7640000"
            "80018080");
  EXPECT_EQ(to_hex(signing_hash(tx).value()),
            "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
  const PrivateKey key =
      PrivateKey::from_hex("4646464646464646464646464646464646464646464646464646464646464646")
          .value();
  const SignedTransaction st = sign_transaction(tx, key).value();
  EXPECT_EQ(st.legacy_v(), U256(37));
  const std::string raw =
      "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025"
      "a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703"
      "304b3800ccf555c9f3dc64214b297fb1966a3b6d83";
  EXPECT_EQ(to_hex(st.serialize()), raw);
  const SignedTransaction back = decode_transaction(hex(raw)).value();
  EXPECT_EQ(back, st);
  EXPECT_EQ(back.sender().value(), key.address());
  EXPECT_EQ(back.sender().value().to_hex(), "0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f");
}

TEST(Transaction, PreEip155LegacyUsesV27Or28) {
  Transaction tx = eip155_example();
  tx.chain_id.reset();
  const PrivateKey key = PrivateKey::from_hex(std::string(63, '0') + "1").value();
  const SignedTransaction st = sign_transaction(tx, key).value();
  EXPECT_TRUE(st.legacy_v() == U256(27) || st.legacy_v() == U256(28));
  const SignedTransaction back = decode_transaction(st.serialize()).value();
  EXPECT_FALSE(back.tx.chain_id.has_value());
  EXPECT_EQ(back.sender().value(), key.address());
}

TEST(Transaction, Eip1559RoundTripsWithAndWithoutAccessList) {
  const PrivateKey key = PrivateKey::from_hex(std::string(63, '0') + "2").value();
  Transaction tx;
  tx.chain_id = 31337;
  tx.nonce = 7;
  tx.max_priority_fee_per_gas = U256(1000000000);
  tx.max_fee_per_gas = U256(30000000000ULL);
  tx.gas_limit = 100000;
  tx.data = hex("a9059cbb");
  // Contract creation, empty access list.
  SignedTransaction st = sign_transaction(tx, key).value();
  Bytes raw = st.serialize();
  EXPECT_EQ(raw[0], 0x02);
  EXPECT_EQ(decode_transaction(raw).value(), st);
  EXPECT_EQ(decode_transaction(raw)->sender().value(), key.address());
  // A call with an access list.
  tx.to = Address::parse("0x00000000000000000000000000000000000000aa").value();
  Hash32 slot{};
  slot[31] = 1;
  tx.access_list.push_back({*tx.to, {slot, Hash32{}}});
  tx.access_list.push_back({Address{}, {}});
  st = sign_transaction(tx, key).value();
  raw = st.serialize();
  EXPECT_EQ(decode_transaction(raw).value(), st);
  EXPECT_EQ(st.hash(), keccak256(raw));
  Transaction no_chain = tx;
  no_chain.chain_id.reset();
  EXPECT_EQ(signing_hash(no_chain).error().code(), ErrorCode::kInvalidArgument);
  Transaction tip_above_cap = tx;
  tip_above_cap.max_priority_fee_per_gas = tx.max_fee_per_gas + U256(1);
  EXPECT_EQ(sign_transaction(tip_above_cap, key).error().code(), ErrorCode::kInvalidArgument);
}

// EIP-2930 (type 1) against go-ethereum's vectors (core/types/transaction_test.go, values from
// ethereum/tests): the signing hash, the raw encoding of a signed transaction, and decoding back.
TEST(Transaction, Eip2930GoEthereumVectors) {
  Transaction tx;
  tx.type = TxType::kEip2930;
  tx.chain_id = 1;
  tx.nonce = 3;
  tx.to = Address::parse("b94f5374fce5edbc8e2a8697c15331677e6ebf0b").value();
  tx.value = U256(10);
  tx.gas_limit = 25000;
  tx.gas_price = U256(1);
  tx.data = from_hex("5544").value();
  EXPECT_EQ(to_hex(*signing_hash(tx), false),
            "49b486f0ec0a60dfbbca2d30cb07c9e8ffb2a2ff41f29a1ab6737475f6ff69f3");
  SignedTransaction signed_tx{tx, {}};
  const Bytes rsv = from_hex(
                        "c9519f4f2b30335884581971573fadf60c6204f59a911df35ee8a540456b266032f1e8e2"
                        "c5dd761f9e4f88f41c8310aeaba26a8bfcdacfedfa12ec3862d3752101")
                        .value();
  std::copy(rsv.begin(), rsv.begin() + 32, signed_tx.signature.r.begin());
  std::copy(rsv.begin() + 32, rsv.begin() + 64, signed_tx.signature.s.begin());
  signed_tx.signature.recovery_id = rsv[64];
  const std::string raw =
      "01f8630103018261a894b94f5374fce5edbc8e2a8697c15331677e6ebf0b0a825544c001a0c9519f4f2b303358"
      "84581971573fadf60c6204f59a911df35ee8a540456b2660a032f1e8e2c5dd761f9e4f88f41c8310aeaba26a8bf"
      "cdacfedfa12ec3862d37521";
  EXPECT_EQ(to_hex(signed_tx.serialize(), false), raw);
  auto decoded = decode_transaction(from_hex(raw).value());
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(*decoded, signed_tx);
  EXPECT_TRUE(decoded->sender().ok());

  // TestEIP2930Signer: {chainId 1, nonce 1}, the rest zero (a creation), signed with a known key
  // (RFC 6979 nonces, as go-ethereum's libsecp256k1): the signing hash and the transaction hash.
  Transaction empty;
  empty.type = TxType::kEip2930;
  empty.chain_id = 1;
  empty.nonce = 1;
  EXPECT_EQ(to_hex(*signing_hash(empty), false),
            "846ad7672f2a3a40c1f959cd4a8ad21786d620077084d84c8d7c077714caa139");
  const PrivateKey key =
      PrivateKey::from_hex("b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291")
          .value();
  auto signed_empty = sign_transaction(empty, key);
  ASSERT_TRUE(signed_empty.ok());
  EXPECT_EQ(to_hex(signed_empty->hash(), false),
            "1ccd12d8bbdb96ea391af49a35ab641e219b2dd638dea375f2bc94dd290f2549");
  EXPECT_EQ(*signed_empty->sender(), key.address());
  empty.chain_id = 2;
  EXPECT_EQ(to_hex(*signing_hash(empty), false),
            "367967247499343401261d718ed5aa4c9486583e4d89251afce47f4a33c33362");

  // An access list round-trips; a chain id is required.
  Transaction listed = tx;
  listed.access_list = {{Address::parse("0x0000000000000000000000000000000000000001").value(),
                         {Hash32{}, Hash32{0x01}}}};
  auto signed_listed = sign_transaction(listed, key);
  ASSERT_TRUE(signed_listed.ok());
  auto back = decode_transaction(signed_listed->serialize());
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(*back, *signed_listed);
  EXPECT_EQ(*back->sender(), key.address());
  listed.chain_id.reset();
  EXPECT_EQ(signing_hash(listed).error().code(), ErrorCode::kInvalidArgument);
}

TEST(Transaction, DecodeRejectsMalformedTransactions) {
  const std::string good155 =
      "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025"
      "a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703"
      "304b3800ccf555c9f3dc64214b297fb1966a3b6d83";
  struct Case {
    std::string hex;
    ErrorCode code;
    const char* message_part;
  };
  const Case cases[] = {
      {"", ErrorCode::kInvalidArgument, "empty raw transaction"},
      {"01c0", ErrorCode::kInvalidArgument, "EIP-2930 transaction with 0 fields, expected 11"},
      {"0180", ErrorCode::kInvalidArgument, "EIP-2930 payload is not an RLP list"},
      {"03c0", ErrorCode::kUnimplemented, "type 0x03"},
      {"80", ErrorCode::kInvalidArgument, "neither a type byte"},
      {good155 + "00", ErrorCode::kInvalidArgument, "rlp trailing_bytes"},
      {good155.substr(0, good155.size() - 2), ErrorCode::kOutOfRange, "rlp input_too_short"},
      {"c0", ErrorCode::kInvalidArgument, "9"},
      {"02c0", ErrorCode::kInvalidArgument, "12"},
      {"0280", ErrorCode::kInvalidArgument, "not an RLP list"},
      // v = 30: neither 27/28 nor EIP-155.
      {"c9"
       "808080808080"
       "1e"
       "8080",
       ErrorCode::kInvalidArgument, "legacy v 30"},
      // nonce with a leading zero.
      {"cb"
       "820001"
       "80808080801b8080",
       ErrorCode::kInvalidArgument, "leading_zero_integer"},
      // 'to' of 3 bytes.
      {"cc"
       "808080"
       "83010203"
       "80801b8080",
       ErrorCode::kInvalidArgument, "'to' of 3 bytes"},
  };
  for (const Case& c : cases) {
    auto r = decode_transaction(hex(c.hex));
    ASSERT_FALSE(r.ok()) << c.hex;
    EXPECT_EQ(r.error().code(), c.code) << c.hex << ": " << r.error().message();
    EXPECT_NE(r.error().message().find(c.message_part), std::string::npos)
        << c.hex << ": " << r.error().message();
  }
  // yParity 2 in an otherwise well-formed type 2 transaction.
  Bytes payload;
  for (int i = 0; i < 8; ++i) rlp_append_uint(payload, 0);
  rlp_append_list_header(payload, 0);
  rlp_append_uint(payload, 2);
  rlp_append_uint(payload, 1);
  rlp_append_uint(payload, 1);
  Bytes raw{0x02};
  rlp_append_list_header(raw, payload.size());
  raw.insert(raw.end(), payload.begin(), payload.end());
  auto r = decode_transaction(raw);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("yParity 2"), std::string::npos) << r.error().message();
}

}  // namespace
}  // namespace pactum::eth
