// A real anvil for one test, with a Transactor per dev account and the little chain control the
// tests need (block time, time travel, balances).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pactum/contracts/transactor.hpp"
#include "pactum/rpc/eth_api.hpp"
#include "pactum/rpc/json_rpc.hpp"
#include "support/process.hpp"

namespace pactum::contracts::testing {

// Dev account indices the tests give roles (anvil's default mnemonic).
inline constexpr int kDeployer = 0;
inline constexpr int kPublisher = 1;
inline constexpr int kConsumer = 2;
inline constexpr int kProvider = 3;
inline constexpr int kStranger = 4;

class LiveChain {
 public:
  // Starts anvil (with `anvil_args` added: "--chain-id", "1338"); check ok() (a failure is
  // reported as a test failure here).
  explicit LiveChain(std::vector<std::string> anvil_args = {}) {
    auto anvil = pactum::testing::AnvilProcess::start(std::move(anvil_args));
    if (!anvil.ok()) {
      ADD_FAILURE() << "anvil: " << anvil.error().to_string();
      return;
    }
    anvil_ = std::make_unique<pactum::testing::AnvilProcess>(std::move(anvil).value());
    auto client = rpc::RpcClient::connect_http(anvil_->url());
    if (!client.ok()) {
      ADD_FAILURE() << client.error().to_string();
      return;
    }
    client_ = std::move(client).value();
    api_ = std::make_unique<rpc::EthApi>(*client_);
    auto id = api_->chain_id();
    if (!id.ok()) {
      ADD_FAILURE() << id.error().to_string();
      return;
    }
    chain_id_ = *id;
    ok_ = true;
  }

  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] rpc::EthApi& api() { return *api_; }
  [[nodiscard]] rpc::RpcClient& client() { return *client_; }
  [[nodiscard]] const std::string& url() const { return anvil_->url(); }
  [[nodiscard]] std::uint64_t chain_id() const { return chain_id_; }

  // A Transactor for dev account `index`.
  [[nodiscard]] Transactor account(int index) {
    const auto& keys = pactum::testing::AnvilProcess::dev_private_keys();
    auto key = eth::PrivateKey::from_hex(keys.at(static_cast<std::size_t>(index)));
    EXPECT_TRUE(key.ok());
    auto t = Transactor::create(*api_, std::move(key).value());
    EXPECT_TRUE(t.ok()) << t.error().to_string();
    return std::move(t).value();
  }

  [[nodiscard]] eth::U256 balance(const eth::Address& who) {
    auto b = api_->get_balance(who);
    EXPECT_TRUE(b.ok()) << b.error().to_string();
    return b.ok() ? *b : eth::U256();
  }

  // The timestamp of the latest block.
  [[nodiscard]] std::uint64_t now() {
    auto block = client_->call("eth_getBlockByNumber", R"(["latest", false])");
    EXPECT_TRUE(block.ok());
    if (!block.ok()) return 0;
    auto doc = nlohmann::json::parse(*block);
    auto ts = rpc::parse_quantity_u64(doc["timestamp"].get<std::string>());
    EXPECT_TRUE(ts.ok());
    return ts.ok() ? *ts : 0;
  }

  // The chain's JSON-RPC client, for anvil's own methods (evm_snapshot, evm_revert).
  rpc::RpcClient& rpc() { return *client_; }

  // Moves the chain's clock forward and mines a block at the new time.
  void advance(std::uint64_t seconds) {
    auto r = client_->call("evm_increaseTime", "[" + std::to_string(seconds) + "]");
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    auto m = client_->call("evm_mine", "[]");
    ASSERT_TRUE(m.ok()) << m.error().to_string();
  }

 private:
  std::unique_ptr<pactum::testing::AnvilProcess> anvil_;
  std::unique_ptr<rpc::RpcClient> client_;
  std::unique_ptr<rpc::EthApi> api_;
  std::uint64_t chain_id_ = 0;
  bool ok_ = false;
};

// The fee a receipt's transaction paid: gas used × effective gas price.
inline eth::U256 fee_of(const rpc::Receipt& receipt) {
  auto fee = eth::checked_mul(eth::U256(receipt.gas_used), receipt.effective_gas_price);
  EXPECT_TRUE(fee.ok());
  return fee.ok() ? *fee : eth::U256();
}

}  // namespace pactum::contracts::testing
