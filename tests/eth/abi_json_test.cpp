#include "pactum/eth/abi_json.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pactum::eth {
namespace {

constexpr const char* kAbi = R"([
  {"type": "constructor", "inputs": [{"name": "owner", "type": "address"}],
   "stateMutability": "payable"},
  {"type": "function", "name": "transfer", "stateMutability": "nonpayable",
   "inputs": [{"name": "to", "type": "address"}, {"name": "amount", "type": "uint256"}],
   "outputs": [{"name": "", "type": "bool"}]},
  {"type": "function", "name": "settle", "stateMutability": "view",
   "inputs": [{"name": "orders", "type": "tuple[2][]", "internalType": "struct Book.Order[2][]",
               "components": [{"name": "maker", "type": "address"},
                              {"name": "legs", "type": "tuple[]",
                               "components": [{"name": "id", "type": "uint64"},
                                              {"name": "memo", "type": "bytes"}]}]}],
   "outputs": []},
  {"type": "event", "name": "Transfer", "anonymous": false,
   "inputs": [{"name": "from", "type": "address", "indexed": true},
              {"name": "to", "type": "address", "indexed": true},
              {"name": "value", "type": "uint256", "indexed": false}]},
  {"type": "error", "name": "ERC20InsufficientBalance",
   "inputs": [{"name": "sender", "type": "address"}, {"name": "balance", "type": "uint256"},
              {"name": "needed", "type": "uint256"}]},
  {"type": "receive", "stateMutability": "payable"},
  {"type": "fallback", "stateMutability": "nonpayable"}
])";

TEST(AbiJson, ParsesFunctionsEventsErrorsAndTuples) {
  auto abi = parse_abi_json(kAbi);
  ASSERT_TRUE(abi.ok()) << abi.error().to_string();
  ASSERT_EQ(abi->functions.size(), 2u);
  const AbiFunctionDescriptor* transfer = abi->find_function("transfer");
  ASSERT_NE(transfer, nullptr);
  EXPECT_EQ(to_hex(transfer->selector()), "0xa9059cbb");
  EXPECT_EQ(transfer->outputs.at(0).type, AbiType::boolean());
  EXPECT_EQ(abi->find_function_by_selector(transfer->selector()), transfer);

  const AbiFunctionDescriptor* settle = abi->find_function("settle");
  ASSERT_NE(settle, nullptr);
  EXPECT_EQ(settle->signature().canonical(), "settle((address,(uint64,bytes)[])[2][])");
  EXPECT_EQ(settle->state_mutability, StateMutability::kView);
  const AbiParam& orders = settle->inputs.at(0);
  EXPECT_EQ(orders.internal_type, "struct Book.Order[2][]");
  ASSERT_EQ(orders.components.size(), 2u);
  EXPECT_EQ(orders.components[1].name, "legs");
  EXPECT_EQ(orders.components[1].components[1].name, "memo");

  const AbiEventDescriptor* ev = abi->find_event("Transfer");
  ASSERT_NE(ev, nullptr);
  EXPECT_EQ(to_hex(ev->event().topic()),
            "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
  EXPECT_TRUE(ev->inputs[0].indexed);
  EXPECT_FALSE(ev->inputs[2].indexed);
  EXPECT_EQ(abi->find_event_by_topic(ev->event().topic()), ev);

  ASSERT_EQ(abi->errors.size(), 1u);
  EXPECT_EQ(to_hex(abi->errors[0].selector()), "0xe450d38c");
  ASSERT_TRUE(abi->constructor_inputs.has_value());
  EXPECT_EQ(abi->constructor_inputs->at(0).name, "owner");
  EXPECT_EQ(abi->constructor_mutability, StateMutability::kPayable);
  EXPECT_TRUE(abi->has_receive);
  EXPECT_TRUE(abi->has_fallback);
}

TEST(AbiJson, AcceptsArtifactsWithAnAbiKey) {
  const std::string artifact =
      std::string(R"({"abi": )") + kAbi + R"(, "bytecode": {"object": "0x00"}})";
  EXPECT_TRUE(parse_abi_json(artifact).ok());
}

TEST(AbiJson, RejectsMalformedDocumentsNamingTheEntry) {
  const char* const cases[][2] = {
      {"not json", "not valid JSON"},
      {"{}", "without an 'abi' array"},
      {"42", "not an array"},
      {"[1]", "entry 0: not an object"},
      {R"([{"type": "function"}])", "function without a name"},
      {R"([{"type": "gizmo", "name": "x"}])", "unknown entry type 'gizmo'"},
      {R"([{"type": "function", "name": "f", "inputs": [{"name": "a"}]}])", "without 'type'"},
      {R"([{"type": "function", "name": "f", "inputs": [{"type": "uint7"}]}])", "abi invalid_type"},
      {R"([{"type": "function", "name": "f", "inputs": [{"type": "tuple"}]}])",
       "tuple without components"},
      {R"([{"type": "function", "name": "f", "inputs": {"type": "uint256"}}])", "not an array"},
      {R"([{"type": "event", "name": "E", "anonymous": "no"}])", "'anonymous' is not a boolean"},
      {R"([{"type": "function", "name": "f", "stateMutability": "spicy"}])",
       "unknown stateMutability"},
  };
  for (const auto& c : cases) {
    auto r = parse_abi_json(c[0]);
    ASSERT_FALSE(r.ok()) << c[0];
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message().find(c[1]), std::string::npos)
        << c[0] << " gave " << r.error().message();
  }
}

}  // namespace
}  // namespace pactum::eth
