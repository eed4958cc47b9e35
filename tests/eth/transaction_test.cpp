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
      {"01c0", ErrorCode::kUnimplemented, "type 0x01"},
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
