// The paid-access lifecycle in ether against a real anvil, through the generated bindings only:
// the publisher registers an asset, the consumer creates the agreement and locks the price, the
// provider fulfils access, the escrow pays the publisher — every balance exact to the wei, gas
// included. Then the refund after the access time out (evm_increaseTime), and a revert whose
// custom error is named.
#include <gtest/gtest.h>

#include <string>

#include "live_chain.hpp"
#include "pactum/contracts/deployment.hpp"
#include "pactum/eth/keccak.hpp"

namespace pactum::contracts {
namespace {

using eth::U256;
using testing::LiveChain;
using CT = AgreementEngine::ConditionType;
using CS = AgreementEngine::ConditionState;

const U256 kPrice = U256(1'000'000'000'000'000'000ULL);  // 1 ether
constexpr std::uint64_t kAccessWindow = 86'400;          // access times out after a day

Hash32 text_hash(const std::string& text) {
  return eth::keccak256(as_bytes(text));
}

class LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(chain_.ok());
    Transactor deployer = chain_.account(testing::kDeployer);
    auto d = deploy_all(deployer, DeployOptions{});
    ASSERT_TRUE(d.ok()) << d.error().to_string();
    deployment_ = *d;
    engine_ = deployment_.agreement_engine();
    registry_ = deployment_.asset_registry();

    // The publisher registers an asset served by the provider; its DID comes from the event.
    Transactor publisher = chain_.account(testing::kPublisher);
    Transactor provider = chain_.account(testing::kProvider);
    auto data = AssetRegistry::encode_register(text_hash("asset-1"), text_hash("merkle root"),
                                               "http://127.0.0.1:8030/ddo/1", {provider.address()});
    ASSERT_TRUE(data.ok());
    auto receipt = publisher.send("AssetRegistry.register", registry_.address(), *data);
    ASSERT_TRUE(receipt.ok()) << receipt.error().to_string();
    ASSERT_FALSE(receipt->logs.empty());
    bool found = false;
    for (const auto& log : receipt->logs) {
      if (log.topics.empty() || log.topics[0] != AssetRegistry::kTopic_AssetRegistered) continue;
      auto event = AssetRegistry::decode_AssetRegistered(log);
      ASSERT_TRUE(event.ok()) << event.error().to_string();
      EXPECT_EQ(event->owner, publisher.address());
      EXPECT_EQ(event->url, "http://127.0.0.1:8030/ddo/1");
      did_ = event->did;
      found = true;
    }
    ASSERT_TRUE(found);
  }

  // Paid-access params: the price to the publisher, access times out a day from now.
  AgreementEngine::AgreementParams paid_params() {
    AgreementEngine::AgreementParams p;
    p.template_id = *deployment_.template_id("paid-access");
    p.did = did_;
    p.consumer = chain_.account(testing::kConsumer).address();
    p.purpose = text_hash("research");
    p.time_locks = {0, 0, 0};
    p.time_outs = {0, chain_.now() + kAccessWindow, 0};
    p.payment.token = eth::Address();  // ether
    p.payment.receivers = {chain_.account(testing::kPublisher).address()};
    p.payment.amounts = {kPrice};
    return p;
  }

  // The consumer creates the agreement and locks the price; returns the receipt.
  rpc::Receipt create_and_lock(const Hash32& seed, const AgreementEngine::AgreementParams& p,
                               Hash32* agreement_id) {
    Transactor consumer = chain_.account(testing::kConsumer);
    auto data = AgreementEngine::encode_createAgreementAndLock(seed, p);
    EXPECT_TRUE(data.ok());
    auto receipt = consumer.send("createAgreementAndLock", engine_.address(), *data, kPrice);
    EXPECT_TRUE(receipt.ok()) << receipt.error().to_string();
    if (!receipt.ok()) return {};
    for (const auto& log : receipt->logs) {
      if (log.topics.empty() || log.topics[0] != AgreementEngine::kTopic_AgreementCreated) continue;
      auto event = AgreementEngine::decode_AgreementCreated(log);
      EXPECT_TRUE(event.ok()) << event.error().to_string();
      if (!event.ok()) continue;
      EXPECT_EQ(event->params, p);  // the params come back from the log as they were sent
      EXPECT_EQ(event->creator, consumer.address());
      *agreement_id = event->agreement_id;
    }
    return *receipt;
  }

  CS state(const Hash32& id, std::uint64_t index) {
    Transactor reader = chain_.account(testing::kStranger);
    auto data = AgreementEngine::encode_getConditionState(id, U256(index));
    EXPECT_TRUE(data.ok());
    auto ret = reader.call("getConditionState", engine_.address(), *data);
    EXPECT_TRUE(ret.ok()) << ret.error().to_string();
    auto s = AgreementEngine::decode_getConditionState_result(ret.ok() ? *ret : Bytes{});
    EXPECT_TRUE(s.ok());
    return s.ok() ? *s : CS::kUnfulfilled;
  }

  LiveChain chain_;
  Deployment deployment_;
  AgreementEngine engine_;
  AssetRegistry registry_;
  Hash32 did_{};
};

TEST_F(LifecycleTest, PaidAccessLocksFulfilsAndReleasesWithExactBalances) {
  Transactor consumer = chain_.account(testing::kConsumer);
  Transactor provider = chain_.account(testing::kProvider);
  const eth::Address publisher = chain_.account(testing::kPublisher).address();
  const auto p = paid_params();

  const U256 consumer_before = chain_.balance(consumer.address());
  const U256 publisher_before = chain_.balance(publisher);
  const U256 provider_before = chain_.balance(provider.address());

  Hash32 id{};
  rpc::Receipt created = create_and_lock(text_hash("order-1"), p, &id);
  ASSERT_TRUE(created.success);
  // The id is keccak256(abi.encode(seed, consumer)), as computeAgreementId says.
  auto compute =
      AgreementEngine::encode_computeAgreementId(text_hash("order-1"), consumer.address());
  ASSERT_TRUE(compute.ok());
  auto computed = consumer.call("computeAgreementId", engine_.address(), *compute);
  ASSERT_TRUE(computed.ok());
  EXPECT_EQ(*AgreementEngine::decode_computeAgreementId_result(*computed), id);

  EXPECT_EQ(chain_.balance(consumer.address()),
            consumer_before - kPrice - testing::fee_of(created));
  EXPECT_EQ(chain_.balance(engine_.address()), kPrice);  // the vault holds the price
  EXPECT_EQ(state(id, 0), CS::kFulfilled);
  EXPECT_EQ(state(id, 1), CS::kUnfulfilled);

  auto access_data = AgreementEngine::encode_fulfillAccess(id, p);
  ASSERT_TRUE(access_data.ok());
  auto access = provider.send("fulfillAccess", engine_.address(), *access_data);
  ASSERT_TRUE(access.ok()) << access.error().to_string();
  EXPECT_EQ(state(id, 1), CS::kFulfilled);
  auto has_data = AgreementEngine::encode_hasAccess(id, p);
  ASSERT_TRUE(has_data.ok());
  auto has = consumer.call("hasAccess", engine_.address(), *has_data);
  ASSERT_TRUE(has.ok());
  EXPECT_TRUE(*AgreementEngine::decode_hasAccess_result(*has));

  auto release_data = AgreementEngine::encode_releasePayment(id, p);
  ASSERT_TRUE(release_data.ok());
  auto release = provider.send("releasePayment", engine_.address(), *release_data);
  ASSERT_TRUE(release.ok()) << release.error().to_string();
  bool released = false;
  for (const auto& log : release->logs) {
    if (log.topics.empty() || log.topics[0] != AgreementEngine::kTopic_PaymentReleased) continue;
    auto event = AgreementEngine::decode_PaymentReleased(log);
    ASSERT_TRUE(event.ok()) << event.error().to_string();
    EXPECT_EQ(event->agreement_id, id);
    EXPECT_EQ(event->amount, kPrice);
    released = true;
  }
  EXPECT_TRUE(released);
  EXPECT_EQ(state(id, 2), CS::kFulfilled);

  // To the wei: the publisher got the price and paid nothing; the provider paid two fees; the
  // consumer paid the price and one fee; the vault is empty.
  EXPECT_EQ(chain_.balance(publisher), publisher_before + kPrice);
  EXPECT_EQ(chain_.balance(provider.address()),
            provider_before - testing::fee_of(*access) - testing::fee_of(*release));
  EXPECT_EQ(chain_.balance(consumer.address()),
            consumer_before - kPrice - testing::fee_of(created));
  EXPECT_EQ(chain_.balance(engine_.address()), U256(0));
  // The lifecycle's gas, for BENCHMARKS.md (the forge snapshot has the target of 300,000).
  std::cout << "paid-access lifecycle gas on anvil: create+lock " << created.gas_used << ", access "
            << access->gas_used << ", release " << release->gas_used << ", total "
            << created.gas_used + access->gas_used + release->gas_used << "\n";
}

TEST_F(LifecycleTest, TheConsumerIsRefundedAfterTheAccessTimeOut) {
  Transactor consumer = chain_.account(testing::kConsumer);
  const auto p = paid_params();
  const U256 consumer_before = chain_.balance(consumer.address());

  Hash32 id{};
  rpc::Receipt created = create_and_lock(text_hash("order-2"), p, &id);
  ASSERT_TRUE(created.success);

  // Before the time out, access cannot be aborted, and the escrow cannot refund.
  auto abort_data = AgreementEngine::encode_abortCondition(id, p, U256(1));
  ASSERT_TRUE(abort_data.ok());
  auto early = consumer.send("abortCondition", engine_.address(), *abort_data);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(early.error().message().find("ConditionNotTimedOut("), std::string::npos)
      << early.error().message();

  chain_.advance(kAccessWindow + 1);
  auto aborted = consumer.send("abortCondition", engine_.address(), *abort_data);
  ASSERT_TRUE(aborted.ok()) << aborted.error().to_string();
  EXPECT_EQ(state(id, 1), CS::kAborted);

  auto refund_data = AgreementEngine::encode_refundPayment(id, p);
  ASSERT_TRUE(refund_data.ok());
  auto refund = consumer.send("refundPayment", engine_.address(), *refund_data);
  ASSERT_TRUE(refund.ok()) << refund.error().to_string();
  bool refunded = false;
  for (const auto& log : refund->logs) {
    if (log.topics.empty() || log.topics[0] != AgreementEngine::kTopic_PaymentRefunded) continue;
    auto event = AgreementEngine::decode_PaymentRefunded(log);
    ASSERT_TRUE(event.ok()) << event.error().to_string();
    EXPECT_EQ(event->consumer, consumer.address());
    EXPECT_EQ(event->amount, kPrice);
    refunded = true;
  }
  EXPECT_TRUE(refunded);
  EXPECT_EQ(state(id, 2), CS::kAborted);

  // The price came back; only the three fees are gone.
  EXPECT_EQ(chain_.balance(consumer.address()), consumer_before - testing::fee_of(created) -
                                                    testing::fee_of(*aborted) -
                                                    testing::fee_of(*refund));
  EXPECT_EQ(chain_.balance(engine_.address()), U256(0));
}

TEST_F(LifecycleTest, RevertsAreNamedByTheirCustomError) {
  Transactor consumer = chain_.account(testing::kConsumer);
  const auto p = paid_params();
  Hash32 id{};
  create_and_lock(text_hash("order-3"), p, &id);

  // Only a provider of the asset may fulfil access: the consumer cannot grant itself access.
  auto data = AgreementEngine::encode_fulfillAccess(id, p);
  ASSERT_TRUE(data.ok());
  const U256 before = chain_.balance(consumer.address());
  auto denied = consumer.send("fulfillAccess", engine_.address(), *data);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code(), ErrorCode::kFailedPrecondition);
  const std::string expected = "fulfillAccess reverted: NotProvider(did=" + to_hex(did_) +
                               ", caller=" + consumer.address().to_hex() + ")";
  EXPECT_EQ(denied.error().message(), expected);
  EXPECT_EQ(chain_.balance(consumer.address()), before);  // nothing was sent, no gas spent

  // The same agreement cannot be created twice; the wrong value is named with both amounts.
  Transactor again = chain_.account(testing::kConsumer);
  auto twice = AgreementEngine::encode_createAgreementAndLock(text_hash("order-3"), p);
  ASSERT_TRUE(twice.ok());
  auto dup = again.send("createAgreementAndLock", engine_.address(), *twice, kPrice);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message().find("AgreementAlreadyExists(agreementId=" + to_hex(id) + ")"),
            std::string::npos)
      << dup.error().message();
  auto fresh = AgreementEngine::encode_createAgreementAndLock(text_hash("order-4"), p);
  ASSERT_TRUE(fresh.ok());
  auto cheap = again.send("createAgreementAndLock", engine_.address(), *fresh, U256(1));
  ASSERT_FALSE(cheap.ok());
  EXPECT_NE(cheap.error().message().find("IncorrectPaymentValue(expected=" + kPrice.to_dec() +
                                         ", received=1)"),
            std::string::npos)
      << cheap.error().message();
}

}  // namespace
}  // namespace pactum::contracts
