// The node's asset API against a real anvil, a real HttpServer on port 0 and a store in a temp
// directory: publish → resolve → order → download with every chunk verified against the on-chain
// checksum, exact balances; then the refusal matrix of docs/node-api.md (no plaintext byte leaves).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "contracts/live_chain.hpp"
#include "pactum/contracts/deployment.hpp"
#include "pactum/eth/keccak.hpp"
#include "pactum/node/node_service.hpp"
#include "pactum/sdk/chunk_verifier.hpp"
#include "pactum/sdk/node_request.hpp"
#include "pactum/server/http_server.hpp"
#include "pactum/server/log.hpp"
#include "support/ddo_cases.hpp"
#include "support/net/test_client.hpp"
#include "support/tmpfs.hpp"

namespace pactum::node {
namespace {

using contracts::AgreementEngine;
using contracts::AssetRegistry;
using contracts::Transactor;
using contracts::testing::LiveChain;
using eth::U256;
using Json = nlohmann::json;
using server::testing::Method;
using server::testing::StringResponse;
using server::testing::TestClient;

constexpr std::uint32_t kChunk = 4096;
const U256 kPrice = U256(250'000'000'000'000'000ULL);  // 0.25 ether

Hash32 text_hash(const std::string& text) {
  return eth::keccak256(as_bytes(text));
}

std::int64_t wall_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string error_code_of(const StringResponse& r) {
  auto doc = Json::parse(r.body(), nullptr, false);
  if (doc.is_discarded() || !doc.contains("error")) return "<no error body: " + r.body() + ">";
  return doc["error"].value("code", "");
}

class NodeServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(chain_.ok());
    Transactor deployer = chain_.account(contracts::testing::kDeployer);
    auto d = contracts::deploy_all(deployer, contracts::DeployOptions{});
    ASSERT_TRUE(d.ok()) << d.error().to_string();
    deployment_ = *d;

    char tmpl[] = "/tmp/pactum-node-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto master = store::MasterKey::generate();
    ASSERT_TRUE(master.ok());
    store::SqliteStoreOptions so;
    so.directory = (dir_ / "store").string();
    so.master_key = std::move(master).value();
    auto st = store::open_sqlite_asset_store(std::move(so));
    ASSERT_TRUE(st.ok()) << st.error().to_string();
    store_ = std::move(st).value();

    node_key_.emplace(chain_.account(contracts::testing::kProvider));
    start_node();
  }

  // Creates the service over the data directory and serves it on a fresh port.
  void start_node() {
    NodeServiceConfig config;
    config.chain_id = chain_.chain_id();
    config.deployment = deployment_;
    config.public_url = "http://127.0.0.1";
    config.publishers = {key(contracts::testing::kPublisher).address()};
    config.data_dir = (dir_ / "node").string();
    config.clock = [this] { return wall_now() + clock_skew_; };
    config.chunk_size = kChunk;
    config.logger = &logger_;
    config.watch_interval = std::chrono::milliseconds(100);
    config.min_free_bytes = 1 << 20;  // the full-disk test runs on an 8 MiB tmpfs
    auto svc = NodeService::create(*store_, chain_.api(), *node_key_, std::move(config));
    ASSERT_TRUE(svc.ok()) << svc.error().to_string();
    service_ = std::move(svc).value();
    router_ = server::Router();
    service_->add_routes(router_);
    server::HttpServerOptions opts = http_options_;
    opts.threads = 2;
    server_ = std::make_unique<server::HttpServer>(opts, router_, logger_, metrics_);
    ASSERT_TRUE(server_->start().ok());
  }

  void stop_node() {
    if (server_) server_->stop();
    server_.reset();
    service_.reset();
  }

  void TearDown() override {
    stop_node();
    store_.reset();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  static eth::PrivateKey key(int index) {
    return eth::PrivateKey::from_hex(pactum::testing::AnvilProcess::dev_private_keys().at(
                                         static_cast<std::size_t>(index)))
        .value();
  }

  // Both headers of a request signed by dev account `signer`.
  sdk::SignedNodeRequest sign(int signer, sdk::NodeAction action, const Hash32& subject,
                              std::int64_t expiry_from_now = 300) {
    return sign_with(key(signer), action, subject, expiry_from_now);
  }

  // The same, signed by any key.
  sdk::SignedNodeRequest sign_with(const eth::PrivateKey& signer, sdk::NodeAction action,
                                   const Hash32& subject, std::int64_t expiry_from_now = 300) {
    sdk::NodeRequest r;
    r.action = action;
    r.subject = subject;
    r.node = service_->address();
    r.nonce = U256(++nonce_);
    r.expiry = static_cast<std::uint64_t>(wall_now() + clock_skew_.load() + expiry_from_now);
    return sdk::sign_node_request(signer, r, chain_.chain_id());
  }

  std::optional<StringResponse> send(Method method, const std::string& target, std::string body,
                                     const sdk::SignedNodeRequest& s, std::string range = {}) {
    TestClient client(server_->port());
    if (range.empty()) {
      return client.request(method, target, std::move(body),
                            {{std::string(sdk::kRequestHeader), s.request_header},
                             {std::string(sdk::kSignatureHeader), s.signature_header}});
    }
    return client.request(method, target, std::move(body),
                          {{std::string(sdk::kRequestHeader), s.request_header},
                           {std::string(sdk::kSignatureHeader), s.signature_header},
                           {"Range", range}});
  }

  Json upload(const std::string& bytes, int signer = contracts::testing::kPublisher) {
    auto r = send(Method::kPost, "/api/v1/uploads", bytes,
                  sign(signer, sdk::NodeAction::kUpload, Hash32{}));
    EXPECT_TRUE(r.has_value());
    if (!r) return {};
    EXPECT_EQ(r->result_int(), 201) << r->body();
    return Json::parse(r->body(), nullptr, false);
  }

  // Registers an asset with `checksum` by the publisher, served by the node; returns the DID.
  Hash32 register_asset(const std::string& seed, const Hash32& checksum, bool with_node = true) {
    Transactor publisher = chain_.account(contracts::testing::kPublisher);
    std::vector<eth::Address> providers;
    if (with_node) providers.push_back(service_->address());
    auto data =
        AssetRegistry::encode_register(text_hash(seed), checksum, "http://127.0.0.1/x", providers);
    EXPECT_TRUE(data.ok());
    auto receipt = publisher.send("register", deployment_.asset_registry().address(), *data);
    EXPECT_TRUE(receipt.ok()) << receipt.error().to_string();
    for (const auto& log : receipt->logs) {
      if (log.topics.empty() || log.topics[0] != AssetRegistry::kTopic_AssetRegistered) continue;
      return AssetRegistry::decode_AssetRegistered(log)->did;
    }
    ADD_FAILURE() << "no AssetRegistered";
    return {};
  }

  // The DDO of `upload` (the node's answer to it) for `did`, as the client writes it.
  Json ddo_for(const Hash32& did, const Json& upload, const U256& price) {
    return Json::parse(sdk::write_ddo(testing::ddo_for_upload(
        did, key(contracts::testing::kPublisher).address(), service_->address(),
        *deployment_.template_id("paid-access"), upload, price)));
  }

  std::optional<StringResponse> publish(const Hash32& did, const std::string& upload_id,
                                        const Json& ddo,
                                        int signer = contracts::testing::kPublisher) {
    Json body = {{"upload_id", upload_id}, {"ddo", ddo}};
    return send(Method::kPut, "/api/v1/assets/" + format_did(did), body.dump(),
                sign(signer, sdk::NodeAction::kPublish, did));
  }

  // Uploads `bytes`, registers and publishes them; returns the DID.
  Hash32 publish_file(const std::string& bytes, const std::string& seed, std::string* upload_id) {
    Json up = upload(bytes);
    auto root = fixed_from_hex<32>(up["checksum"].get<std::string>());
    EXPECT_TRUE(root.ok());
    Hash32 did = register_asset(seed, *root);
    auto r = publish(did, up["upload_id"], ddo_for(did, up, kPrice));
    EXPECT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 200) << r->body();
    if (upload_id) *upload_id = up["upload_id"];
    return did;
  }

  AgreementEngine::AgreementParams params_for(const Hash32& did, const U256& price) {
    AgreementEngine::AgreementParams p;
    p.template_id = *deployment_.template_id("paid-access");
    p.did = did;
    p.consumer = key(contracts::testing::kConsumer).address();
    p.time_locks = {0, 0, 0};
    p.time_outs = {0, chain_.now() + 3600, 0};
    p.payment.token = eth::Address();
    p.payment.receivers = {key(contracts::testing::kPublisher).address()};
    p.payment.amounts = {price};
    return p;
  }

  // The consumer creates (and, with `lock`, pays) an agreement; returns its id.
  Hash32 order(const AgreementEngine::AgreementParams& p, const std::string& seed, bool lock = true,
               rpc::Receipt* receipt_out = nullptr) {
    Transactor consumer = chain_.account(contracts::testing::kConsumer);
    auto data = lock ? AgreementEngine::encode_createAgreementAndLock(text_hash(seed), p)
                     : AgreementEngine::encode_createAgreement(text_hash(seed), p);
    EXPECT_TRUE(data.ok());
    U256 value = lock ? p.payment.amounts.at(0) : U256();
    auto receipt = consumer.send("order", deployment_.agreement_engine().address(), *data, value);
    EXPECT_TRUE(receipt.ok()) << receipt.error().to_string();
    if (!receipt.ok()) return {};
    if (receipt_out) *receipt_out = *receipt;
    for (const auto& log : receipt->logs) {
      if (log.topics.empty() || log.topics[0] != AgreementEngine::kTopic_AgreementCreated) continue;
      return AgreementEngine::decode_AgreementCreated(log)->agreement_id;
    }
    ADD_FAILURE() << "no AgreementCreated";
    return {};
  }

  std::optional<StringResponse> access(const Hash32& id, const std::string& what,
                                       int signer = contracts::testing::kConsumer,
                                       std::string range = {}) {
    return send(Method::kGet, "/api/v1/access/" + to_hex(id) + "/" + what, "",
                sign(signer, sdk::NodeAction::kAccess, id), std::move(range));
  }

  static std::string random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    return s;
  }

  LiveChain chain_;
  contracts::Deployment deployment_;
  std::filesystem::path dir_;
  std::unique_ptr<store::AssetStore> store_;
  std::optional<Transactor> node_key_;
  std::unique_ptr<NodeService> service_;
  server::Router router_;
  server::MemoryLogger logger_;
  server::MetricsRegistry metrics_;
  std::unique_ptr<server::HttpServer> server_;
  std::atomic<std::int64_t> clock_skew_{0};  // read by server threads
  server::HttpServerOptions http_options_;   // what start_node() serves with
  std::uint64_t nonce_ = 1000;
};

TEST_F(NodeServiceTest, PublishResolveOrderDownloadVerifiedWithExactBalances) {
  const std::string file = random_bytes(3 * kChunk + 1234, 7);
  std::string upload_id;
  const Hash32 did = publish_file(file, "asset-1", &upload_id);

  // Resolve and list.
  TestClient c(server_->port());
  auto resolved = c.get("/api/v1/assets/" + format_did(did));
  ASSERT_TRUE(resolved.has_value());
  ASSERT_EQ(resolved->result_int(), 200) << resolved->body();
  EXPECT_EQ(Json::parse(resolved->body())["id"], format_did(did));
  auto listed = c.get("/api/v1/assets?page=1&per_page=10");
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->result_int(), 200) << listed->body();
  auto list = Json::parse(listed->body());
  EXPECT_EQ(list["total"], 1);
  ASSERT_EQ(list["assets"].size(), 1u);
  EXPECT_EQ(list["assets"][0]["id"], format_did(did));

  // Order.
  const eth::Address publisher = key(contracts::testing::kPublisher).address();
  const eth::Address consumer = key(contracts::testing::kConsumer).address();
  const U256 publisher_before = chain_.balance(publisher);
  const U256 consumer_before = chain_.balance(consumer);
  rpc::Receipt created;
  const Hash32 id = order(params_for(did, kPrice), "order-1", true, &created);

  // Proofs, then content; every chunk checked against the checksum the chain holds.
  auto asset_data = AssetRegistry::encode_getAsset(did);
  auto asset_ret = chain_.account(contracts::testing::kStranger)
                       .call("getAsset", deployment_.asset_registry().address(), *asset_data);
  ASSERT_TRUE(asset_ret.ok());
  const Hash32 onchain_root = AssetRegistry::decode_getAsset_result(*asset_ret)->checksum;

  auto proofs = access(id, "proofs");
  ASSERT_TRUE(proofs.has_value());
  ASSERT_EQ(proofs->result_int(), 200) << proofs->body();
  auto pj = Json::parse(proofs->body());
  EXPECT_EQ(pj["root"], to_hex(onchain_root));
  ASSERT_EQ(pj["chunk_count"], 4);
  auto content = access(id, "content");
  ASSERT_TRUE(content.has_value());
  ASSERT_EQ(content->result_int(), 200) << content->body();
  ASSERT_EQ(content->body(), file);

  auto verifier = sdk::ChunkVerifier::create(onchain_root, pj["chunk_count"], kChunk,
                                             pj["size"].get<std::uint64_t>());
  ASSERT_TRUE(verifier.ok()) << verifier.error().to_string();
  for (const auto& entry : pj["proofs"]) {
    const std::uint64_t i = entry["index"];
    std::vector<Hash32> proof;
    for (const auto& h : entry["proof"]) proof.push_back(*fixed_from_hex<32>(h.get<std::string>()));
    const std::string chunk = content->body().substr(i * kChunk, kChunk);
    ASSERT_TRUE(verifier->accept(i, as_bytes(chunk), proof).ok()) << "chunk " << i;
  }
  EXPECT_TRUE(verifier->complete());

  // Escrow paid the publisher exactly the price; the consumer paid the price and one fee.
  EXPECT_EQ(chain_.balance(publisher), publisher_before + kPrice);
  EXPECT_EQ(chain_.balance(consumer),
            consumer_before - kPrice - contracts::testing::fee_of(created));

  // A later request in the window skips the chain writes: the node's balance stays put.
  const U256 node_before = chain_.balance(service_->address());
  auto part = access(id, "content", contracts::testing::kConsumer, "bytes=5000-9999");
  ASSERT_TRUE(part.has_value());
  ASSERT_EQ(part->result_int(), 206);
  EXPECT_EQ(part->body(), file.substr(5000, 5000));
  EXPECT_EQ((*part)["Content-Range"], "bytes 5000-9999/" + std::to_string(file.size()));
  auto past = access(id, "content", contracts::testing::kConsumer, "bytes=99999999-");
  ASSERT_TRUE(past.has_value());
  EXPECT_EQ(past->result_int(), 416);
  EXPECT_EQ(chain_.balance(service_->address()), node_before);
}

TEST_F(NodeServiceTest, RefusalsSendNoPlaintext) {
  const std::string file = random_bytes(2 * kChunk + 17, 9);
  const Hash32 did = publish_file(file, "asset-r", nullptr);
  const Hash32 id = order(params_for(did, kPrice), "order-r");
  auto expect_refused = [&](const std::optional<StringResponse>& r, int status,
                            const std::string& code, const std::string& what) {
    ASSERT_TRUE(r.has_value()) << what;
    EXPECT_EQ(r->result_int(), status) << what << ": " << r->body();
    EXPECT_EQ(error_code_of(*r), code) << what;
    EXPECT_EQ(r->body().find(file.substr(0, 64)), std::string::npos) << what;
  };

  // No agreement.
  expect_refused(access(text_hash("no such agreement"), "content"), 404, "not_found",
                 "no agreement");
  // Someone else's agreement (a signature from another key).
  expect_refused(access(id, "content", contracts::testing::kStranger), 403, "permission_denied",
                 "someone else's agreement");
  // Payment not locked.
  const Hash32 unpaid = order(params_for(did, kPrice), "order-unpaid", /*lock=*/false);
  expect_refused(access(unpaid, "content"), 409, "failed_precondition", "payment not locked");
  // Price zero for the right DID.
  const Hash32 free = order(params_for(did, U256(0)), "order-free");
  expect_refused(access(free, "content"), 403, "permission_denied", "price zero");
  // Expired request.
  expect_refused(send(Method::kGet, "/api/v1/access/" + to_hex(id) + "/content", "",
                      sign(contracts::testing::kConsumer, sdk::NodeAction::kAccess, id, -5)),
                 401, "unauthenticated", "expired");
  // A request signed for another action, and one without headers.
  expect_refused(send(Method::kGet, "/api/v1/access/" + to_hex(id) + "/content", "",
                      sign(contracts::testing::kConsumer, sdk::NodeAction::kUpload, id)),
                 400, "invalid_argument", "wrong action");
  {
    TestClient c(server_->port());
    expect_refused(c.get("/api/v1/access/" + to_hex(id) + "/content"), 401, "unauthenticated",
                   "unsigned");
  }
  // Replayed request: the first succeeds, the same headers again are refused.
  auto signed_once = sign(contracts::testing::kConsumer, sdk::NodeAction::kAccess, id);
  auto first = send(Method::kGet, "/api/v1/access/" + to_hex(id) + "/content", "", signed_once);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->result_int(), 200);
  EXPECT_EQ(first->body(), file);
  expect_refused(send(Method::kGet, "/api/v1/access/" + to_hex(id) + "/content", "", signed_once),
                 401, "unauthenticated", "replayed");
  // Outside the validity window (the node's clock moved past validUntil).
  {
    auto p = params_for(did, kPrice);
    p.valid_until = chain_.now() + 100;
    const Hash32 windowed = order(p, "order-window");
    clock_skew_ = 1000;
    expect_refused(access(windowed, "content"), 409, "failed_precondition", "validity window");
    clock_skew_ = 0;
  }

  // Publish refusals: a DID not registered; a DID registered without this node; another owner.
  Json up = upload(random_bytes(100, 3));
  const Hash32 unregistered = text_hash("never registered");
  auto r1 = publish(unregistered, up["upload_id"], ddo_for(unregistered, up, kPrice));
  expect_refused(r1, 404, "not_found", "unregistered DID");
  const Hash32 elsewhere =
      register_asset("elsewhere", *fixed_from_hex<32>(up["checksum"].get<std::string>()), false);
  expect_refused(publish(elsewhere, up["upload_id"], ddo_for(elsewhere, up, kPrice)), 409,
                 "failed_precondition", "node not a provider");
  const Hash32 wrong_sum = register_asset("wrong-sum", text_hash("not the root"));
  expect_refused(publish(wrong_sum, up["upload_id"], ddo_for(wrong_sum, up, kPrice)), 409,
                 "failed_precondition", "checksum differs");
  // Uploads only by the node's publishers.
  expect_refused(send(Method::kPost, "/api/v1/uploads", "data",
                      sign(contracts::testing::kStranger, sdk::NodeAction::kUpload, Hash32{})),
                 403, "permission_denied", "upload by a stranger");

  // Path-like and oversized values, in path parameters and bodies.
  {
    TestClient c(server_->port());
    expect_refused(c.get("/api/v1/assets/..%2F..%2Fetc%2Fpasswd"), 400, "invalid_argument",
                   "path-like DID");
    expect_refused(c.get("/api/v1/assets/did:pactum:0x" + std::string(3000, 'a')), 400,
                   "invalid_argument", "oversized DID");
    expect_refused(c.get("/api/v1/access/..%2F..%2Fx/content"), 400, "invalid_argument",
                   "path-like agreement id");
    expect_refused(c.get("/api/v1/assets?per_page=100000000000000000000"), 400, "invalid_argument",
                   "oversized per_page");
  }
  const Hash32 did2 =
      register_asset("asset-2", *fixed_from_hex<32>(up["checksum"].get<std::string>()));
  expect_refused(publish(did2, "../../etc/passwd", ddo_for(did2, up, kPrice)), 400,
                 "invalid_argument", "path-like upload id");
  expect_refused(publish(did2, std::string(5000, 'u'), ddo_for(did2, up, kPrice)), 400,
                 "invalid_argument", "oversized upload id");
  expect_refused(publish(did2, up["upload_id"], ddo_for(did, up, kPrice)), 400, "invalid_argument",
                 "DDO of another DID");
  // Every refusal was logged.
  EXPECT_TRUE(logger_.wait_for("node request refused", 20, std::chrono::seconds(5)));
}

TEST_F(NodeServiceTest, TamperedChunkOnDiskIsDataLossNotWrongBytes) {
  const std::string file = random_bytes(3 * kChunk, 11);
  std::string upload_id;
  const Hash32 did = publish_file(file, "asset-t", &upload_id);
  const Hash32 id = order(params_for(did, kPrice), "order-t");
  {
    auto ok = access(id, "content");
    ASSERT_TRUE(ok.has_value());
    ASSERT_EQ(ok->result_int(), 200);
  }
  // Flip one byte of the first sealed chunk.
  const auto data_path = dir_ / "store" / "objects" / upload_id / "data";
  ASSERT_TRUE(std::filesystem::exists(data_path));
  {
    std::fstream f(data_path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(10);
    char b = 0;
    f.read(&b, 1);
    f.seekp(10);
    b = static_cast<char>(b ^ 0x01);
    f.write(&b, 1);
  }
  auto content = access(id, "content");
  ASSERT_TRUE(content.has_value());
  EXPECT_EQ(content->result_int(), 500) << content->body();
  EXPECT_EQ(error_code_of(*content), "data_loss");
  EXPECT_EQ(content->body().find(file.substr(0, 64)), std::string::npos);
  auto proofs = access(id, "proofs");
  ASSERT_TRUE(proofs.has_value());
  EXPECT_EQ(proofs->result_int(), 500);
  EXPECT_EQ(error_code_of(*proofs), "data_loss");
  for (const auto* r : {&*content, &*proofs}) {
    EXPECT_EQ(r->body().find(dir_.string()), std::string::npos) << r->body();
    EXPECT_NE(r->body().find("node log reference"), std::string::npos) << r->body();
  }
}

// #18: error answers showed the server's absolute paths. A fault on the node's side answers its
// code and a reference; the log line with that reference has the whole message.
TEST_F(NodeServiceTest, FaultsOnTheNodesSideShowNoServerPaths) {
  std::string upload_id;
  const Hash32 did = publish_file(random_bytes(2 * kChunk, 25), "asset-gone", &upload_id);
  const Hash32 id = order(params_for(did, kPrice), "order-gone");
  std::filesystem::remove(dir_ / "store" / "objects" / upload_id / "data");
  auto r = access(id, "content");
  ASSERT_TRUE(r.has_value());
  EXPECT_GE(r->result_int(), 500) << r->body();
  EXPECT_EQ(r->body().find(dir_.string()), std::string::npos) << r->body();
  EXPECT_EQ(r->body().find("/tmp"), std::string::npos) << r->body();
  auto doc = Json::parse(r->body());
  const std::string message = doc["error"]["message"];
  const auto at = message.find("node log reference ");
  ASSERT_NE(at, std::string::npos) << message;
  const std::string reference = message.substr(at + 19, 12);
  bool logged = false;
  for (const auto& event : logger_.events()) {
    const std::string line = server::format_json_line("", event.level, event.msg, event.fields);
    if (line.find(reference) != std::string::npos) {
      logged = true;
      EXPECT_NE(line.find(upload_id), std::string::npos) << "the log has the whole story: " << line;
    }
  }
  EXPECT_TRUE(logged) << "no log line with reference " << reference;
}

TEST_F(NodeServiceTest, TamperedLaterChunkCutsTheStreamBeforeItsBytes) {
  const std::string file = random_bytes(3 * kChunk, 12);
  std::string upload_id;
  const Hash32 did = publish_file(file, "asset-t2", &upload_id);
  const Hash32 id = order(params_for(did, kPrice), "order-t2");
  // Chunk 2 sealed sits at 2 * (chunk + 16-byte tag).
  const auto data_path = dir_ / "store" / "objects" / upload_id / "data";
  {
    std::fstream f(data_path, std::ios::in | std::ios::out | std::ios::binary);
    const std::streamoff at = 2 * (kChunk + 16) + 5;
    f.seekg(at);
    char b = 0;
    f.read(&b, 1);
    f.seekp(at);
    b = static_cast<char>(b ^ 0x80);
    f.write(&b, 1);
  }
  // The head went out with chunk 0; chunk 2 fails to authenticate, so the server cuts the
  // connection: the client gets a short body, never wrong bytes.
  TestClient client(server_->port());
  auto s = sign(contracts::testing::kConsumer, sdk::NodeAction::kAccess, id);
  auto content = client.request(Method::kGet, "/api/v1/access/" + to_hex(id) + "/content", "",
                                {{std::string(sdk::kRequestHeader), s.request_header},
                                 {std::string(sdk::kSignatureHeader), s.signature_header}});
  EXPECT_FALSE(content.has_value());
  // The chunks before the damage are served by a range that avoids it.
  auto head = access(id, "content", contracts::testing::kConsumer, "bytes=0-8191");
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->result_int(), 206);
  EXPECT_EQ(head->body(), file.substr(0, 8192));
  auto proofs = access(id, "proofs");
  ASSERT_TRUE(proofs.has_value());
  EXPECT_EQ(error_code_of(*proofs), "data_loss");
}

TEST_F(NodeServiceTest, ANonceStaysUsedAcrossARestart) {
  auto once = sign(contracts::testing::kPublisher, sdk::NodeAction::kUpload, Hash32{});
  auto first = send(Method::kPost, "/api/v1/uploads", "some bytes", once);
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->result_int(), 201) << first->body();
  stop_node();
  start_node();
  auto again = send(Method::kPost, "/api/v1/uploads", "some bytes", once);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->result_int(), 401) << again->body();
  EXPECT_EQ(error_code_of(*again), "unauthenticated");
  EXPECT_NE(again->body().find("replayed"), std::string::npos) << again->body();
}

}  // namespace
}  // namespace pactum::node

namespace pactum::node {
namespace {

void expect_error(const std::optional<StringResponse>& r, int status, const std::string& code,
                  const std::string& message, const std::string& what) {
  ASSERT_TRUE(r.has_value()) << what;
  EXPECT_EQ(r->result_int(), status) << what << ": " << r->body().substr(0, 300);
  EXPECT_EQ(error_code_of(*r), code) << what;
  EXPECT_NE(r->body().find(message), std::string::npos) << what << ": " << r->body().substr(0, 300);
}

// #18, critical: a DDO nesting arrays 200,000 deep, signed by a key made on the spot, killed
// pactumd (a recursive re-serialisation before the signer was checked). The stranger is now
// refused before the body is looked at, a publisher's deep DDO by the guarded parser, and the
// node serves on.
// #18, "slow bodies hold the node": connections trickle bodies a byte at a time — publish
// bodies with no signature (refused on their head, before a byte of body is read) and uploads
// signed by the publisher (closed once they fall behind the minimum rate) — while a paying
// consumer downloads in full.
TEST_F(NodeServiceTest, TricklingBodiesAreRefusedOrClosedWhileAConsumerIsServed) {
  const std::string file = random_bytes(64 * kChunk, 31);
  const Hash32 did = publish_file(file, "asset-trickle", nullptr);
  const Hash32 id = order(params_for(did, kPrice), "order-trickle");
  stop_node();
  http_options_.body_grace = std::chrono::milliseconds(1500);
  http_options_.min_body_rate = 1024;
  start_node();

  const std::string target = "/api/v1/assets/" + format_did(did);
  std::vector<std::unique_ptr<TestClient>> unsigned_puts;
  for (int i = 0; i < 150; ++i) {
    auto c = std::make_unique<TestClient>(server_->port(), std::chrono::seconds(10));
    ASSERT_TRUE(
        c->write_raw("PUT " + target + " HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n{"));
    unsigned_puts.push_back(std::move(c));
  }
  std::vector<std::unique_ptr<TestClient>> slow_uploads;
  for (int i = 0; i < 50; ++i) {
    auto s = sign(contracts::testing::kPublisher, sdk::NodeAction::kUpload, Hash32{});
    auto c = std::make_unique<TestClient>(server_->port(), std::chrono::seconds(20));
    ASSERT_TRUE(c->write_raw("POST /api/v1/uploads HTTP/1.1\r\nHost: x\r\n" +
                             std::string(sdk::kRequestHeader) + ": " + s.request_header + "\r\n" +
                             std::string(sdk::kSignatureHeader) + ": " + s.signature_header +
                             "\r\nContent-Length: 1000000\r\n\r\nx"));
    slow_uploads.push_back(std::move(c));
  }
  const auto began = std::chrono::steady_clock::now();
  std::atomic<bool> trickling{true};
  std::thread trickle([&] {
    while (trickling) {
      for (auto& c : slow_uploads) (void)c->write_raw("x");
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  });
  // Every unsigned publish is answered at once, on its head.
  for (auto& c : unsigned_puts) {
    auto r = c->read_response();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 401);
    EXPECT_EQ(error_code_of(*r), "unauthenticated");
  }
  // The paying consumer gets every byte meanwhile.
  auto content = access(id, "content");
  ASSERT_TRUE(content.has_value());
  ASSERT_EQ(content->result_int(), 200) << content->body();
  EXPECT_EQ(content->body(), file);
  // The slow uploads are closed at their pace, far inside the 30 s read timeout.
  for (auto& c : slow_uploads) EXPECT_TRUE(c->wait_closed());
  trickling = false;
  trickle.join();
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(20));
  TestClient after(server_->port());
  auto resolved = after.get(target);
  ASSERT_TRUE(resolved.has_value());
  EXPECT_EQ(resolved->result_int(), 200);
}

TEST_F(NodeServiceTest, ADeepDdoIsRefusedAndTheNodeStaysUp) {
  const Hash32 did = publish_file(random_bytes(kChunk, 21), "asset-deep", nullptr);
  const std::string deep = std::string(200'000, '[') + std::string(200'000, ']');
  const std::string body = "{\"upload_id\":\"u" + std::string(32, '0') + "\",\"ddo\":" + deep + "}";
  const auto stranger = eth::PrivateKey::from_hex(std::string(63, '0') + "7").value();
  expect_error(send(Method::kPut, "/api/v1/assets/" + format_did(did), body,
                    sign_with(stranger, sdk::NodeAction::kPublish, did)),
               403, "permission_denied", "is not a publisher of this node", "a stranger's key");
  expect_error(send(Method::kPut, "/api/v1/assets/" + format_did(did), body,
                    sign(contracts::testing::kPublisher, sdk::NodeAction::kPublish, did)),
               400, "invalid_argument", "nests deeper than", "the publisher's deep body");
  const std::string deep_ddo = "{\"upload_id\":\"u" + std::string(32, '0') +
                               "\",\"ddo\":{\"id\":" + std::string(5000, '[') + "1" +
                               std::string(5000, ']') + "}}";
  expect_error(send(Method::kPut, "/api/v1/assets/" + format_did(did), deep_ddo,
                    sign(contracts::testing::kPublisher, sdk::NodeAction::kPublish, did)),
               400, "invalid_argument", "nests deeper than", "a deep member of the DDO");
  TestClient c(server_->port());
  auto resolved = c.get("/api/v1/assets/" + format_did(did));
  ASSERT_TRUE(resolved.has_value());
  EXPECT_EQ(resolved->result_int(), 200);
  EXPECT_EQ(Json::parse(resolved->body())["id"], format_did(did));
}

// The DDO is checked with the one parser and against the upload it names: what a consumer will
// verify every chunk against must be the upload's, and the terms must be orderable.
TEST_F(NodeServiceTest, APublishedDdoDescribesItsUploadAndCanBeOrdered) {
  Json up = upload(random_bytes(2 * kChunk + 5, 22));
  const Hash32 did =
      register_asset("asset-described", *fixed_from_hex<32>(up["checksum"].get<std::string>()));
  auto publish_edited = [&](const std::function<void(sdk::Ddo&)>& edit) {
    sdk::Ddo d = testing::ddo_for_upload(did, key(contracts::testing::kPublisher).address(),
                                         service_->address(),
                                         *deployment_.template_id("paid-access"), up, kPrice);
    edit(d);
    return publish(did, up["upload_id"], Json::parse(sdk::write_ddo(d)));
  };
  expect_error(publish_edited([](sdk::Ddo& d) { d.metadata.size += 1; }), 400, "invalid_argument",
               "must be the upload's", "another size");
  expect_error(publish_edited([](sdk::Ddo& d) {
                 d.metadata.chunk_size = 8192;
                 d.metadata.chunk_count = 2;
               }),
               400, "invalid_argument", "must be the upload's", "another chunk size");
  expect_error(publish_edited([](sdk::Ddo& d) { d.metadata.checksum.fill(7); }), 400,
               "invalid_argument", "must be the upload's", "another checksum");
  expect_error(publish_edited([&](sdk::Ddo& d) {
                 d.access.provider = key(contracts::testing::kStranger).address();
               }),
               400, "invalid_argument", "provider: must be this node", "another provider");
  expect_error(publish_edited([](sdk::Ddo& d) { d.access.template_id.fill(1); }), 400,
               "invalid_argument", "paid-access template", "another template");
  expect_error(publish_edited([](sdk::Ddo& d) { d.chain_id = 1; }), 400, "invalid_argument",
               "DDO controller", "another chain");
  expect_error(publish_edited([&](sdk::Ddo& d) {
                 for (int i = 0; i < 8; ++i) {
                   d.access.payment.receivers.push_back(key(i % 3).address());
                   d.access.payment.amounts.push_back(U256(1));
                 }
               }),
               400, "invalid_argument", "must name 1..8 receivers", "9 receivers");
  // Nothing was published by the refusals; the right DDO is.
  TestClient c(server_->port());
  EXPECT_EQ(c.get("/api/v1/assets/" + format_did(did))->result_int(), 404);
  auto ok = publish_edited([](sdk::Ddo&) {});
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->result_int(), 200) << ok->body();
}

// #18, medium: a second DID published over the same upload overwrote the first one's DDO and
// locked out its buyers.
TEST_F(NodeServiceTest, ASecondDidCannotTakeOverAnUpload) {
  std::string upload_id;
  const std::string file = random_bytes(kChunk + 9, 23);
  const Hash32 first = publish_file(file, "asset-first", &upload_id);
  TestClient c(server_->port());
  auto before = c.get("/api/v1/assets/" + format_did(first));
  ASSERT_TRUE(before.has_value());
  const Hash32 root =
      *fixed_from_hex<32>(Json::parse(before->body())["service"][0]["checksum"].get<std::string>());
  const Hash32 second = register_asset("asset-second", root);
  Json up = {{"upload_id", upload_id},
             {"checksum", to_hex(root)},
             {"size", file.size()},
             {"chunk_size", kChunk},
             {"chunk_count", 2}};
  expect_error(publish(second, upload_id, ddo_for(second, up, kPrice)), 409, "already_exists",
               "is published as " + format_did(first), "the second DID");
  auto after = c.get("/api/v1/assets/" + format_did(first));
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->body(), before->body()) << "the first DID keeps its DDO";
  EXPECT_EQ(c.get("/api/v1/assets/" + format_did(second))->result_int(), 404);
  // The first DID's buyer is served.
  const Hash32 id = order(params_for(first, kPrice), "order-first");
  auto got = access(id, "content");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->result_int(), 200);
  EXPECT_EQ(got->body(), file);
}

// #18, medium: after a consumer paid and the escrow released, re-sending the DDO with another
// price made every later download of that agreement fail. Settled terms are kept — across a
// restart too — while new orders must match the new price.
TEST_F(NodeServiceTest, APriceChangeAfterSettlementLeavesTheConsumerServed) {
  std::string upload_id;
  const std::string file = random_bytes(2 * kChunk, 24);
  const Hash32 did = publish_file(file, "asset-price", &upload_id);
  const Hash32 id = order(params_for(did, kPrice), "order-price");
  auto first = access(id, "content");
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->result_int(), 200) << first->body();

  // The publisher doubles the price.
  TestClient c(server_->port());
  Json up = {
      {"upload_id", upload_id}, {"size", file.size()}, {"chunk_size", kChunk}, {"chunk_count", 2}};
  up["checksum"] =
      Json::parse(c.get("/api/v1/assets/" + format_did(did))->body())["service"][0]["checksum"];
  const U256 doubled = kPrice + kPrice;
  auto republished = publish(did, upload_id, ddo_for(did, up, doubled));
  ASSERT_TRUE(republished.has_value());
  ASSERT_EQ(republished->result_int(), 200) << republished->body();

  auto later = access(id, "content");
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(later->result_int(), 200) << later->body();
  EXPECT_EQ(later->body(), file);
  stop_node();
  start_node();
  auto after_restart = access(id, "content");
  ASSERT_TRUE(after_restart.has_value());
  EXPECT_EQ(after_restart->result_int(), 200) << after_restart->body();
  EXPECT_EQ(after_restart->body(), file);

  // A new order at the old price is refused; at the new price it is served.
  const Hash32 stale = order(params_for(did, kPrice), "order-stale");
  expect_error(access(stale, "content"), 403, "permission_denied", "payment terms",
               "an order at the old price");
  const Hash32 fresh = order(params_for(did, doubled), "order-fresh");
  auto served = access(fresh, "content");
  ASSERT_TRUE(served.has_value());
  EXPECT_EQ(served->result_int(), 200) << served->body();
}

}  // namespace
}  // namespace pactum::node

namespace pactum::node {
namespace {

const server::HealthCheck* find_check(const std::vector<server::HealthCheck>& checks,
                                      const std::string& name) {
  for (const auto& c : checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

// Waits (up to 30 s) until `ready` holds for the node's health checks; returns the last ones.
std::vector<server::HealthCheck> wait_for_health(
    NodeService& service,
    const std::function<bool(const std::vector<server::HealthCheck>&)>& ready) {
  std::vector<server::HealthCheck> checks;
  for (int i = 0; i < 600; ++i) {
    checks = service.health();
    if (ready(checks)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return checks;
}

// #18, low/medium: a disk that is 100 % full made every signed request 503 while /health said
// ok. On a real full file system (a tmpfs under node.db), a paying consumer's downloads go on,
// replays are still refused, and the disk check says what is wrong.
TEST_F(NodeServiceTest, AFullDiskStillServesPaidAssetsAndHealthSaysWhy) {
  stop_node();
  pactum::testing::Tmpfs disk(dir_ / "node", 8 * 1024 * 1024);
  if (!disk.available()) GTEST_SKIP() << disk.why_not();
  start_node();
  auto healthy = service_->health();
  ASSERT_NE(find_check(healthy, "disk"), nullptr);
  EXPECT_TRUE(find_check(healthy, "disk")->ok) << find_check(healthy, "disk")->detail;

  const std::string file = random_bytes(2 * kChunk + 3, 26);
  const Hash32 did = publish_file(file, "asset-full", nullptr);
  const Hash32 id = order(params_for(did, kPrice), "order-full");
  auto first = access(id, "content");
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->result_int(), 200) << first->body();

  ASSERT_GT(disk.fill(), 0u);
  for (int i = 0; i < 300; ++i) {
    auto r = access(id, "content");
    ASSERT_TRUE(r.has_value()) << i;
    ASSERT_EQ(r->result_int(), 200) << i << ": " << r->body();
    ASSERT_EQ(r->body(), file) << i;
  }
  const auto replayed = sign(contracts::testing::kConsumer, sdk::NodeAction::kAccess, id);
  auto once = send(Method::kGet, "/api/v1/access/" + to_hex(id) + "/content", "", replayed);
  ASSERT_TRUE(once.has_value());
  EXPECT_EQ(once->result_int(), 200);
  expect_error(send(Method::kGet, "/api/v1/access/" + to_hex(id) + "/content", "", replayed), 401,
               "unauthenticated", "replayed", "a replay on a full disk");
  const auto full = service_->health();
  const auto* check = find_check(full, "disk");
  ASSERT_NE(check, nullptr);
  EXPECT_FALSE(check->ok);
  EXPECT_NE(check->detail.find("free"), std::string::npos) << check->detail;
  // Room again: the check recovers on its own.
  disk.unfill();
  auto recovered = wait_for_health(*service_, [](const auto& checks) {
    const auto* d = find_check(checks, "disk");
    return d != nullptr && d->ok;
  });
  EXPECT_TRUE(find_check(recovered, "disk")->ok) << find_check(recovered, "disk")->detail;
  stop_node();  // before the tmpfs goes
}

// #18: when anvil was killed, up to 30 s of chain state was lost and the node did not notice
// that its assets were gone from the chain. The chain watch does (here: a revert to a snapshot
// taken before the asset was registered), says so in the chain check and logs the DID.
TEST_F(NodeServiceTest, TheNodeNoticesAssetsThatDisappearedFromTheChain) {
  auto ok_chain = wait_for_health(*service_, [](const auto& checks) {
    const auto* c = find_check(checks, "chain");
    return c != nullptr && c->ok;
  });
  ASSERT_TRUE(find_check(ok_chain, "chain")->ok) << find_check(ok_chain, "chain")->detail;
  auto snapshot = chain_.rpc().call("evm_snapshot", "[]");
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().to_string();
  const Hash32 did = publish_file(random_bytes(kChunk, 27), "asset-vanishing", nullptr);
  auto reverted = chain_.rpc().call("evm_revert", "[" + *snapshot + "]");
  ASSERT_TRUE(reverted.ok()) << reverted.error().to_string();
  auto after = wait_for_health(*service_, [](const auto& checks) {
    const auto* c = find_check(checks, "chain");
    return c != nullptr && !c->ok;
  });
  const auto* chain_check = find_check(after, "chain");
  ASSERT_NE(chain_check, nullptr);
  EXPECT_FALSE(chain_check->ok);
  EXPECT_NE(chain_check->detail.find("1 published assets are not registered on chain"),
            std::string::npos)
      << chain_check->detail;
  EXPECT_NE(chain_check->detail.find(format_did(did)), std::string::npos) << chain_check->detail;
  EXPECT_TRUE(
      logger_.wait_for("a published asset is not registered on chain (was the chain reset?)", 1,
                       std::chrono::seconds(5)));
}

// #17, low: the node did not check time locks or time outs at all. An escrow time-locked past
// the first access: the consumer is served at once, the payment stays in escrow (releasing it
// would revert ConditionTimeLocked), and the chain watch releases it once the lock has passed —
// after a restart of the node, from what node.db recorded.
TEST_F(NodeServiceTest, ATimeLockedEscrowIsServedAtOnceAndReleasedWhenTheLockPasses) {
  const std::string file = random_bytes(2 * kChunk, 31);
  const Hash32 did = publish_file(file, "asset-escrow-lock", nullptr);
  auto p = params_for(did, kPrice);
  const std::uint64_t now = chain_.now();
  p.time_locks = {0, 0, now + 600};
  p.time_outs = {0, now + 3600, 0};
  const eth::Address publisher = key(contracts::testing::kPublisher).address();
  const U256 before = chain_.balance(publisher);
  const Hash32 id = order(p, "order-escrow-lock");

  auto served = access(id, "content");
  ASSERT_TRUE(served.has_value());
  ASSERT_EQ(served->result_int(), 200) << served->body();
  EXPECT_EQ(served->body(), file);
  EXPECT_EQ(chain_.balance(publisher), before) << "released before its time lock";

  stop_node();
  start_node();
  chain_.advance(700);
  clock_skew_ = 700;
  ASSERT_TRUE(logger_.wait_for("released a payment", 1, std::chrono::seconds(20)));
  EXPECT_EQ(chain_.balance(publisher), before + kPrice);
  auto again = access(id, "content");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->result_int(), 200) << again->body();
}

// An access condition that is time-locked, or timed out, is refused with the time, before the
// node pays for a fulfillAccess the chain would revert.
TEST_F(NodeServiceTest, AccessTimeLockedOrTimedOutIsRefusedBeforeAnyTransaction) {
  const Hash32 did = publish_file(random_bytes(kChunk, 32), "asset-access-times", nullptr);
  const std::uint64_t now = chain_.now();
  auto locked = params_for(did, kPrice);
  locked.time_locks = {0, now + 600, 0};
  locked.time_outs = {0, now + 3600, 0};
  const Hash32 locked_id = order(locked, "order-access-locked");
  auto timing_out = params_for(did, kPrice);
  timing_out.time_outs = {0, now + 60, 0};
  const Hash32 late_id = order(timing_out, "order-access-late");
  auto sent = chain_.api().get_transaction_count(service_->address());
  ASSERT_TRUE(sent.ok()) << sent.error().to_string();

  expect_error(access(locked_id, "content"), 409, "failed_precondition",
               "is time-locked until " + std::to_string(now + 600), "a time-locked access");
  clock_skew_ = 120;
  expect_error(access(late_id, "content"), 409, "failed_precondition",
               "timed out at " + std::to_string(now + 60), "a timed-out access");
  auto after = chain_.api().get_transaction_count(service_->address());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, *sent) << "the node sent a transaction the chain would revert";

  // Once the lock has passed (on both clocks), the same agreement is served.
  chain_.advance(700);
  clock_skew_ = 700;
  auto opened = access(locked_id, "content");
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(opened->result_int(), 200) << opened->body();
}

}  // namespace
}  // namespace pactum::node
