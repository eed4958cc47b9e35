// pactum::client against a live node (tests/support/live_node.hpp: an in-process NodeService on
// a real HttpServer, store in a temp directory, a real anvil): publish → resolve → order →
// download gives the same bytes, the agreement's conditions move as they should and every
// balance is exact, in ether and in an ERC-20; a chunk damaged on the node's disk, changed in
// transit, or a transfer cut mid-body never leaves a file; downloads go to the DDO's access
// endpoint; a node that answers another checksum gets nothing registered; bad inputs are refused
// with the error that says what to do. Proxies and fake nodes here are real servers on sockets.
#include "pactum/client/client.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "pactum/contracts/deployment.hpp"
#include "pactum/contracts/pactum_dev_token.hpp"
#include "pactum/eth/keccak.hpp"
#include "pactum/node/node_service.hpp"
#include "pactum/sdk/did.hpp"
#include "pactum/server/http_server.hpp"
#include "pactum/server/log.hpp"
#include "pactum/server/system_routes.hpp"
#include "support/live_node.hpp"

namespace pactum::client {
namespace {

using contracts::testing::LiveChain;
using eth::U256;

constexpr std::uint32_t kChunk = 4096;
constexpr int kMarketplace = 5;
const U256 kPrice = U256(250'000'000'000'000'000ULL);  // 0.25 ether
const U256 kFee = U256(10'000'000'000'000'000ULL);     // 0.01 ether

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void write_file(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary);
  f << bytes;
}

eth::PrivateKey key(int index) {
  return eth::PrivateKey::from_hex(
             pactum::testing::AnvilProcess::dev_private_keys().at(static_cast<std::size_t>(index)))
      .value();
}

std::vector<ConditionState> states(const AgreementStatus& s) {
  std::vector<ConditionState> out;
  for (const auto& c : s.conditions) out.push_back(c.state);
  return out;
}

// What a Proxy changes in what it forwards.
struct ProxyEdits {
  // Rewrites the DDO the node answers (resolve); the node's own stays as it is.
  std::function<void(nlohmann::json& ddo)> ddo;
  // Flips one byte of every content answer: what a compromised node or a man in the middle does.
  bool flip_content_byte = false;
  // Sends the real head (status, Content-Length, Content-Range) of a content answer and only its
  // first `cut_content_after` bytes, then closes the connection: a node that dies mid-transfer.
  std::optional<std::size_t> cut_content_after;
};

// A node on a real socket that forwards to the real one, with ProxyEdits applied, and counts the
// access requests it forwarded.
class Proxy {
 public:
  Proxy(std::string upstream, ProxyEdits edits)
      : upstream_(NodeHttpClient::create(upstream).value()), edits_(std::move(edits)) {
    auto forward = [this](server::Request& r, bool content) -> Result<server::Response> {
      HeaderList h;
      for (const char* name : {"X-Pactum-Request", "X-Pactum-Signature", "Range"}) {
        if (auto v = r.headers.get(name)) h.emplace_back(name, std::string(*v));
      }
      PACTUM_TRY(NodeReply reply, upstream_.request(r.method, r.target, h));
      const bool ok = reply.status / 100 == 2;
      if (ok && r.route == "/api/v1/assets/{did}" && edits_.ddo) {
        auto ddo = nlohmann::json::parse(reply.body);
        edits_.ddo(ddo);
        reply.body = ddo.dump();
      }
      server::Response out = server::Response::json(reply.body, reply.status);
      if (content && ok && edits_.cut_content_after) {
        auto body = std::make_shared<std::string>(std::move(reply.body));
        const std::size_t cut = std::min(*edits_.cut_content_after, body->size());
        auto sent = std::make_shared<bool>(false);
        server::StreamBody stream;
        stream.length = body->size();
        stream.next_chunk = [body, cut, sent]() -> Result<std::optional<Bytes>> {
          if (*sent) return unavailable("the proxy cuts the transfer here");
          *sent = true;
          return std::optional<Bytes>(Bytes(body->begin(), body->begin() + cut));
        };
        out = server::Response::streamed(std::move(stream), reply.status);
      } else if (content && ok && edits_.flip_content_byte && !out.body.empty()) {
        out.body[out.body.size() / 2] = static_cast<char>(out.body[out.body.size() / 2] ^ 0x20);
        out.headers.set("Content-Type", "application/octet-stream");
      }
      if (reply.content_range) out.headers.set("Content-Range", *reply.content_range);
      if (r.route.starts_with("/api/v1/access/")) ++access_requests_;
      return out;
    };
    router_.add("GET", "/health", [forward](server::Request& r) { return forward(r, false); });
    router_.add("GET", "/api/v1/assets/{did}",
                [forward](server::Request& r) { return forward(r, false); });
    router_.add("GET", "/api/v1/access/{id}/proofs",
                [forward](server::Request& r) { return forward(r, false); });
    router_.add("GET", "/api/v1/access/{id}/content",
                [forward](server::Request& r) { return forward(r, true); });
    server::HttpServerOptions opts;
    opts.threads = 1;
    server_ = std::make_unique<server::HttpServer>(opts, router_, logger_, metrics_);
    EXPECT_TRUE(server_->start().ok());
  }
  ~Proxy() { server_->stop(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  int access_requests() const { return access_requests_.load(); }

 private:
  NodeHttpClient upstream_;
  ProxyEdits edits_;
  std::atomic<int> access_requests_{0};
  server::Router router_;
  server::NullLogger logger_;
  server::MetricsRegistry metrics_;
  std::unique_ptr<server::HttpServer> server_;
};

// Sets the DDO's access serviceEndpoint (a null `endpoint` removes it).
std::function<void(nlohmann::json&)> set_access_endpoint(nlohmann::json endpoint) {
  return [endpoint](nlohmann::json& ddo) {
    for (auto& s : ddo["service"]) {
      if (s["type"] != "PactumAccess") continue;
      if (endpoint.is_null()) {
        s.erase("serviceEndpoint");
      } else {
        s["serviceEndpoint"] = endpoint;
      }
    }
  };
}

// A node that takes uploads and answers them with `answer` (the node's checksum, size, …): what
// a node with a bug or a lying node does. /health names `node_address`.
class UploadAnsweringNode {
 public:
  UploadAnsweringNode(const eth::Address& node_address, std::string answer)
      : answer_(std::move(answer)) {
    router_.add("POST", "/api/v1/uploads", [this](server::Request&) -> Result<server::Response> {
      ++uploads_;
      return server::Response::json(answer_, 201);
    });
    server::SystemInfo info;
    info.chain_id = 31337;
    info.node_address = node_address.to_checksum_string();
    server::add_system_routes(router_, info, metrics_);
    server::HttpServerOptions opts;
    opts.threads = 1;
    server_ = std::make_unique<server::HttpServer>(opts, router_, logger_, metrics_);
    EXPECT_TRUE(server_->start().ok());
  }
  ~UploadAnsweringNode() { server_->stop(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  int uploads() const { return uploads_.load(); }

 private:
  std::string answer_;
  std::atomic<int> uploads_{0};
  server::Router router_;
  server::NullLogger logger_;
  server::MetricsRegistry metrics_;
  std::unique_ptr<server::HttpServer> server_;
};

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = std::make_unique<pactum::testing::LiveNode>(
        pactum::testing::LiveNodeOptions{.chunk_size = kChunk});
    ASSERT_TRUE(node_->ok());
    std::filesystem::create_directories(dir() / "out");
  }
  void TearDown() override { node_.reset(); }

  LiveChain& chain() { return node_->chain(); }
  const contracts::Deployment& deployment() const { return node_->deployment(); }
  node::NodeService& service() { return node_->service(); }
  const std::filesystem::path& dir() const { return node_->dir(); }
  std::string node_url() const { return node_->url(); }

  // A client acting as dev account `index` (-1: none) towards `url` (default: the node);
  // `download_via_node_url`: downloads ask `url`, not the agreement's access endpoint.
  std::unique_ptr<Client> client(int index, std::string url = {},
                                 bool download_via_node_url = false) {
    ClientConfig c;
    c.node_url = url.empty() ? node_url() : url;
    c.download_via_node_url = download_via_node_url;
    c.deployment = deployment();
    c.agreements_dir = dir() / "agreements";
    c.download_window = 2;  // several windows even for small files
    std::optional<eth::PrivateKey> k;
    if (index >= 0) k = key(index);
    auto made = Client::create(chain().api(), std::move(c), std::move(k));
    EXPECT_TRUE(made.ok()) << made.error().to_string();
    return made.ok() ? std::move(made).value() : nullptr;
  }

  PublishResult publish(const std::string& bytes, const std::string& name,
                        const eth::Address& token = eth::Address()) {
    const auto path = dir() / name;
    write_file(path, bytes);
    PublishRequest r;
    r.file = path;
    r.price = kPrice;
    r.token = token;
    r.fees = {{key(kMarketplace).address(), kFee}};
    auto published = client(contracts::testing::kPublisher)->publish(r);
    EXPECT_TRUE(published.ok()) << published.error().to_string();
    return published.ok() ? *published : PublishResult{};
  }

  // The number of transactions `who` has sent (nothing sent: unchanged).
  std::uint64_t nonce(const eth::Address& who) {
    auto n = chain().api().get_transaction_count(who);
    EXPECT_TRUE(n.ok()) << n.error().to_string();
    return n.ok() ? *n : 0;
  }

  // A PactumDevToken deployed by the deployer, with `amount` minted to the consumer.
  eth::Address deploy_token(const U256& amount) {
    contracts::Transactor deployer = chain().account(contracts::testing::kDeployer);
    auto created =
        deployer.deploy("PactumDevToken", contracts::PactumDevToken::deploy_data().value());
    EXPECT_TRUE(created.ok()) << created.error().to_string();
    if (!created.ok()) return eth::Address();
    const eth::Address token = *created->contract_address;
    const eth::Address consumer = key(contracts::testing::kConsumer).address();
    auto minted = deployer.send("mint", token,
                                contracts::PactumDevToken::encode_mint(consumer, amount).value());
    EXPECT_TRUE(minted.ok()) << minted.error().to_string();
    return token;
  }

  U256 token_balance(const eth::Address& token, const eth::Address& who) {
    rpc::CallRequest call;
    call.to = token;
    call.data = contracts::PactumDevToken::encode_balanceOf(who).value();
    auto ret = chain().api().call(call);
    EXPECT_TRUE(ret.ok()) << ret.error().to_string();
    return ret.ok() ? contracts::PactumDevToken::decode_balanceOf_result(*ret).value() : U256();
  }

  // No output and no partial file left in out/.
  void expect_out_dir_empty() {
    for (const auto& e : std::filesystem::directory_iterator(dir() / "out")) {
      ADD_FAILURE() << "left behind: " << e.path();
    }
  }

  std::unique_ptr<pactum::testing::LiveNode> node_;
};

TEST_F(ClientTest, PublishOrderDownloadGivesTheSameBytesWithExactBalances) {
  const eth::Address publisher = key(contracts::testing::kPublisher).address();
  const eth::Address consumer = key(contracts::testing::kConsumer).address();
  const eth::Address marketplace = key(kMarketplace).address();
  const U256 publisher_before = chain().balance(publisher);
  const U256 consumer_before = chain().balance(consumer);
  const U256 marketplace_before = chain().balance(marketplace);
  const U256 engine_before = chain().balance(deployment().agreement_engine().address());

  const std::string file = random_bytes(5 * kChunk + 1234, 1);
  PublishResult published = publish(file, "asset.bin");
  ASSERT_EQ(published.transactions.size(), 1u);
  EXPECT_EQ(published.size, file.size());
  EXPECT_EQ(published.chunk_size, kChunk);
  EXPECT_EQ(published.chunk_count, 6u);
  EXPECT_EQ(published.provider, service().address());
  ASSERT_EQ(published.payment.receivers.size(), 2u);
  EXPECT_EQ(published.payment.receivers[0], publisher);
  EXPECT_EQ(published.payment.amounts[0], kPrice);
  EXPECT_EQ(published.payment.receivers[1], marketplace);
  EXPECT_EQ(published.payment.amounts[1], kFee);

  // Resolve, without an account: checked against the chain.
  auto resolved = client(-1)->resolve(published.did);
  ASSERT_TRUE(resolved.ok()) << resolved.error().to_string();
  EXPECT_EQ(resolved->owner, publisher);
  EXPECT_EQ(resolved->checksum, published.checksum);
  EXPECT_EQ(resolved->access.provider, service().address());

  auto consumer_client = client(contracts::testing::kConsumer);
  auto ordered = consumer_client->order(published.did);
  ASSERT_TRUE(ordered.ok()) << ordered.error().to_string();
  EXPECT_EQ(ordered->paid, kPrice + kFee);
  EXPECT_TRUE(std::filesystem::exists(ordered->params_file));
  EXPECT_EQ(ordered->params_file.parent_path(), dir() / "agreements");

  auto before = client(-1)->status(ordered->agreement_id);
  ASSERT_TRUE(before.ok()) << before.error().to_string();
  EXPECT_EQ(before->template_name, "paid-access");
  ASSERT_EQ(before->conditions.size(), 3u);
  EXPECT_EQ(before->conditions[0].type, ConditionType::kLockPayment);
  EXPECT_EQ(before->conditions[1].type, ConditionType::kAccess);
  EXPECT_EQ(before->conditions[2].type, ConditionType::kEscrowPayment);
  EXPECT_NE(before->conditions[1].time_out, 0u);
  EXPECT_EQ(states(*before),
            (std::vector<ConditionState>{ConditionState::kFulfilled, ConditionState::kUnfulfilled,
                                         ConditionState::kUnfulfilled}));

  std::uint64_t last_progress = 0;
  auto got = consumer_client->download(ordered->agreement_id, dir() / "out" / "copy.bin", false,
                                       [&](std::uint64_t done, std::uint64_t total) {
                                         EXPECT_EQ(total, file.size());
                                         EXPECT_GE(done, last_progress);
                                         last_progress = done;
                                       });
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(last_progress, file.size());
  EXPECT_EQ(got->size, file.size());
  EXPECT_EQ(got->checksum, published.checksum);
  EXPECT_EQ(read_file(dir() / "out" / "copy.bin"), file);

  auto after = client(-1)->status(ordered->agreement_id);
  ASSERT_TRUE(after.ok()) << after.error().to_string();
  EXPECT_EQ(states(*after),
            (std::vector<ConditionState>{ConditionState::kFulfilled, ConditionState::kFulfilled,
                                         ConditionState::kFulfilled}));

  // Exact balances: the publisher got the price and paid its registration; the marketplace got
  // the fee; the consumer paid both and its order's gas; the escrow holds nothing more.
  EXPECT_EQ(chain().balance(publisher), publisher_before + kPrice - published.transactions[0].fee);
  EXPECT_EQ(chain().balance(marketplace), marketplace_before + kFee);
  ASSERT_EQ(ordered->transactions.size(), 1u);
  EXPECT_EQ(ordered->transactions[0].from, consumer);
  EXPECT_EQ(chain().balance(consumer),
            consumer_before - kPrice - kFee - ordered->transactions[0].fee);
  EXPECT_EQ(chain().balance(deployment().agreement_engine().address()), engine_before);

  // A second download of the same agreement works (the node settles only once) and an existing
  // output is not overwritten unless asked.
  auto again = consumer_client->download(ordered->agreement_id, dir() / "out" / "copy.bin", false);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kAlreadyExists);
  auto forced = consumer_client->download(ordered->agreement_id, dir() / "out" / "copy.bin", true);
  ASSERT_TRUE(forced.ok()) << forced.error().to_string();
  EXPECT_EQ(read_file(dir() / "out" / "copy.bin"), file);
}

// #19: `refund` gives the consumer its price back once the access condition timed out with no
// access granted, and is refused before that (in chain time), after a grant, and a second time.
TEST_F(ClientTest, RefundReturnsThePriceAfterTheAccessTimeOutAndOnlyThen) {
  const eth::Address consumer = key(contracts::testing::kConsumer).address();
  const eth::Address engine = deployment().agreement_engine().address();
  const U256 engine_before = chain().balance(engine);
  PublishResult published = publish(random_bytes(2 * kChunk, 21), "refund.bin");
  auto consumer_client = client(contracts::testing::kConsumer);
  // A first agreement, granted and paid out (the time outs follow the wall clock, which the
  // chain's is moved past below).
  auto granted = consumer_client->order(published.did);
  ASSERT_TRUE(granted.ok()) << granted.error().to_string();
  ASSERT_TRUE(
      consumer_client->download(granted->agreement_id, dir() / "out" / "g.bin", false).ok());
  std::filesystem::remove(dir() / "out" / "g.bin");
  ASSERT_EQ(chain().balance(engine), engine_before);

  const U256 consumer_before = chain().balance(consumer);
  auto ordered = consumer_client->order(published.did, {.again = true});
  ASSERT_TRUE(ordered.ok()) << ordered.error().to_string();
  EXPECT_EQ(chain().balance(engine), engine_before + kPrice + kFee);

  // Before the time out: refused, nothing sent.
  const std::uint64_t sent_before = nonce(consumer);
  auto early = consumer_client->refund(ordered->agreement_id);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(early.error().message().find("a refund is possible in"), std::string::npos)
      << early.error().to_string();
  EXPECT_EQ(nonce(consumer), sent_before);

  // Past it, in the chain's time.
  auto status = client(-1)->status(ordered->agreement_id);
  ASSERT_TRUE(status.ok());
  const std::uint64_t time_out = status->conditions[1].time_out;
  const std::uint64_t now = chain().api().latest_block_timestamp().value();
  ASSERT_GT(time_out, now);
  ASSERT_TRUE(chain()
                  .api()
                  .client()
                  .call("evm_increaseTime", "[" + std::to_string(time_out - now + 5) + "]")
                  .ok());
  ASSERT_TRUE(chain().api().client().call("evm_mine").ok());

  auto refunded = consumer_client->refund(ordered->agreement_id);
  ASSERT_TRUE(refunded.ok()) << refunded.error().to_string();
  EXPECT_EQ(refunded->consumer, consumer);
  EXPECT_TRUE(refunded->token.is_zero());
  EXPECT_EQ(refunded->amount, kPrice + kFee);
  ASSERT_EQ(refunded->transactions.size(), 2u);
  EXPECT_EQ(refunded->transactions[0].what, "AgreementEngine.abortCondition");
  EXPECT_EQ(refunded->transactions[1].what, "AgreementEngine.refundPayment");
  // Exact balances: the consumer is back where it was but for the gas of its three transactions;
  // the engine holds nothing of this agreement.
  EXPECT_EQ(chain().balance(consumer), consumer_before - ordered->transactions[0].fee -
                                           refunded->transactions[0].fee -
                                           refunded->transactions[1].fee);
  EXPECT_EQ(chain().balance(engine), engine_before);
  auto after = client(-1)->status(ordered->agreement_id);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(states(*after),
            (std::vector<ConditionState>{ConditionState::kFulfilled, ConditionState::kAborted,
                                         ConditionState::kAborted}));
  auto twice = consumer_client->refund(ordered->agreement_id);
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.error().message().find("refunded already"), std::string::npos);

  // An agreement whose access was granted (before the clock moved) is never refunded.
  auto paid = consumer_client->refund(granted->agreement_id);
  ASSERT_FALSE(paid.ok());
  EXPECT_EQ(paid.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(paid.error().message().find("paid the publisher"), std::string::npos)
      << paid.error().to_string();
  // An agreement this home never ordered.
  EXPECT_EQ(consumer_client->refund(Hash32{0x42}).error().code(), ErrorCode::kNotFound);
}

// #19: an agreement file names its chain (id and RPC URL); used against another chain it is
// refused, naming both, instead of being read as if it were that chain's.
TEST_F(ClientTest, AnAgreementFileNamesItsChainAndIsRefusedOnAnother) {
  PublishResult published = publish(random_bytes(kChunk, 31), "chain.bin");
  ClientConfig c;
  c.node_url = node_url();
  c.rpc_url = chain().url();
  c.deployment = deployment();
  c.agreements_dir = dir() / "agreements";
  auto made = Client::create(chain().api(), std::move(c), key(contracts::testing::kConsumer));
  ASSERT_TRUE(made.ok()) << made.error().to_string();
  auto ordered = (*made)->order(published.did);
  ASSERT_TRUE(ordered.ok()) << ordered.error().to_string();
  EXPECT_EQ(*recorded_rpc_url(dir() / "agreements", ordered->agreement_id), chain().url());
  const auto doc = nlohmann::json::parse(read_file(ordered->params_file));
  EXPECT_EQ(doc["rpc_url"], chain().url());
  EXPECT_EQ(doc["chain_id"], chain().chain_id());

  // The same file as if it had been ordered on chain 999.
  auto moved = doc;
  moved["chain_id"] = 999;
  write_file(ordered->params_file, moved.dump(2));
  for (const auto& e :
       {(*made)->status(ordered->agreement_id).error(),
        (*made)->refund(ordered->agreement_id).error(),
        (*made)->download(ordered->agreement_id, dir() / "out" / "x.bin", false).error()}) {
    EXPECT_EQ(e.code(), ErrorCode::kFailedPrecondition) << e.to_string();
    EXPECT_NE(e.message().find("ordered on chain 999 (" + chain().url() + ")"), std::string::npos)
        << e.to_string();
  }
  expect_out_dir_empty();
  // A corrupt rpc_url is a corrupt file.
  moved["chain_id"] = chain().chain_id();
  moved["rpc_url"] = 5;
  write_file(ordered->params_file, moved.dump(2));
  EXPECT_EQ(recorded_rpc_url(dir() / "agreements", ordered->agreement_id).error().code(),
            ErrorCode::kDataLoss);
  EXPECT_EQ(recorded_rpc_url(dir() / "agreements", Hash32{0x77}).error().code(),
            ErrorCode::kNotFound);
}

TEST_F(ClientTest, AChunkDamagedOnTheNodesDiskLeavesNoOutputFile) {
  const std::string file = random_bytes(3 * kChunk, 2);
  PublishResult published = publish(file, "t.bin");
  auto consumer_client = client(contracts::testing::kConsumer);
  auto ordered = consumer_client->order(published.did);
  ASSERT_TRUE(ordered.ok()) << ordered.error().to_string();
  const auto data_path = dir() / "store" / "objects" / published.upload_id / "data";
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
  auto got = consumer_client->download(ordered->agreement_id, dir() / "out" / "t.bin", false);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), ErrorCode::kDataLoss) << got.error().to_string();
  expect_out_dir_empty();
}

TEST_F(ClientTest, AByteChangedInTransitIsRefusedByTheClient) {
  const std::string file = random_bytes(4 * kChunk + 100, 3);
  PublishResult published = publish(file, "m.bin");
  auto ordered = client(contracts::testing::kConsumer)->order(published.did);
  ASSERT_TRUE(ordered.ok()) << ordered.error().to_string();
  Proxy proxy(node_url(), ProxyEdits{.flip_content_byte = true});
  auto via_proxy = client(contracts::testing::kConsumer, proxy.url(), true);
  auto got = via_proxy->download(ordered->agreement_id, dir() / "out" / "m.bin", false);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), ErrorCode::kDataLoss) << got.error().to_string();
  EXPECT_NE(got.error().message().find("fails verification against the on-chain checksum"),
            std::string::npos)
      << got.error().message();
  expect_out_dir_empty();
}

TEST_F(ClientTest, BadInputsAreRefusedClearly) {
  // Agreement ids: malformed, path-like, oversized.
  for (const std::string& bad :
       {std::string(""), std::string("0x1234"), std::string("../../etc/passwd"),
        "0x" + std::string(63, 'a') + "g", "0x" + std::string(5000, 'a'), std::string(66, 'a')}) {
    auto r = parse_agreement_id(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << bad;
    EXPECT_LT(r.error().message().size(), 200u);
  }
  // Malformed DIDs are the SDK parser's (tests/sdk/did_test.cpp); an unknown one is not found.
  auto reader = client(-1);
  const Hash32 nobody = eth::keccak256(as_bytes(std::string("nobody")));
  auto unknown = reader->resolve(nobody);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound) << unknown.error().to_string();

  // An agreement never ordered here: no params file, a clear message.
  auto consumer_client = client(contracts::testing::kConsumer);
  auto status = consumer_client->status(nobody);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(status.error().message().find("pactum order"), std::string::npos)
      << status.error().message();
  auto dl = consumer_client->download(nobody, dir() / "out" / "x", false);
  ASSERT_FALSE(dl.ok());
  EXPECT_EQ(dl.error().code(), ErrorCode::kNotFound);

  // Publishing: a missing file, a directory, too many fees, a zero fee receiver.
  auto publisher = client(contracts::testing::kPublisher);
  PublishRequest r;
  r.file = dir() / "no-such-file";
  r.price = kPrice;
  auto missing = publisher->publish(r);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  r.file = dir();
  auto directory = publisher->publish(r);
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.error().code(), ErrorCode::kInvalidArgument);
  write_file(dir() / "f.bin", "data");
  r.file = dir() / "f.bin";
  r.fees.assign(kMaxFees + 1, Fee{key(kMarketplace).address(), kFee});
  auto fees = publisher->publish(r);
  ASSERT_FALSE(fees.ok());
  EXPECT_EQ(fees.error().code(), ErrorCode::kInvalidArgument);
  r.fees = {Fee{eth::Address(), kFee}};
  auto zero = publisher->publish(r);
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().code(), ErrorCode::kInvalidArgument);
  r.fees.clear();
  r.name = std::string(kMaxNameLength + 1, 'n');
  auto name = publisher->publish(r);
  ASSERT_FALSE(name.ok());
  EXPECT_EQ(name.error().code(), ErrorCode::kInvalidArgument);
  // Someone the node does not take uploads from.
  r.name.clear();
  auto stranger = client(contracts::testing::kStranger)->publish(r);
  ASSERT_FALSE(stranger.ok());
  EXPECT_EQ(stranger.error().code(), ErrorCode::kPermissionDenied) << stranger.error().to_string();

  // Someone else's agreement: refused before the node is asked.
  const std::string file = random_bytes(kChunk + 1, 4);
  PublishResult published = publish(file, "o.bin");
  auto ordered = consumer_client->order(published.did);
  ASSERT_TRUE(ordered.ok()) << ordered.error().to_string();
  auto theirs = client(contracts::testing::kStranger)
                    ->download(ordered->agreement_id, dir() / "out" / "o.bin", false);
  ASSERT_FALSE(theirs.ok());
  EXPECT_EQ(theirs.error().code(), ErrorCode::kPermissionDenied);
  // A directory as output; a corrupt params file.
  auto into_dir = consumer_client->download(ordered->agreement_id, dir() / "out", false);
  ASSERT_FALSE(into_dir.ok());
  EXPECT_EQ(into_dir.error().code(), ErrorCode::kInvalidArgument);
  write_file(ordered->params_file, "{not json");
  auto corrupt = consumer_client->status(ordered->agreement_id);
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.error().code(), ErrorCode::kDataLoss);
  expect_out_dir_empty();
}

TEST_F(ClientTest, ATokenPricedAssetPaysEveryReceiverItsTokensExactly) {
  const eth::Address publisher = key(contracts::testing::kPublisher).address();
  const eth::Address consumer = key(contracts::testing::kConsumer).address();
  const eth::Address marketplace = key(kMarketplace).address();
  const eth::Address engine = deployment().agreement_engine().address();
  const U256 total = kPrice + kFee;
  const eth::Address token = deploy_token(total + total + U256(7));
  ASSERT_FALSE(token.is_zero());

  const std::string file = random_bytes(3 * kChunk + 17, 11);
  PublishResult published = publish(file, "token.bin", token);
  EXPECT_EQ(published.payment.token, token);
  const U256 publisher_eth = chain().balance(publisher);
  const U256 consumer_eth = chain().balance(consumer);
  const U256 marketplace_eth = chain().balance(marketplace);
  const U256 engine_eth = chain().balance(engine);

  // No allowance yet: approve(engine, total), then the order; the engine holds the tokens.
  auto consumer_client = client(contracts::testing::kConsumer);
  auto ordered = consumer_client->order(published.did);
  ASSERT_TRUE(ordered.ok()) << ordered.error().to_string();
  EXPECT_EQ(ordered->paid, total);
  ASSERT_EQ(ordered->transactions.size(), 2u);
  EXPECT_EQ(ordered->transactions[0].what, "ERC20.approve");
  EXPECT_EQ(ordered->transactions[1].what, "AgreementEngine.createAgreementAndLock");
  EXPECT_EQ(token_balance(token, engine), total);
  EXPECT_EQ(token_balance(token, consumer), total + U256(7));

  auto got = consumer_client->download(ordered->agreement_id, dir() / "out" / "token.bin", false);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(read_file(dir() / "out" / "token.bin"), file);
  auto after = client(-1)->status(ordered->agreement_id);
  ASSERT_TRUE(after.ok()) << after.error().to_string();
  EXPECT_EQ(states(*after),
            (std::vector<ConditionState>{ConditionState::kFulfilled, ConditionState::kFulfilled,
                                         ConditionState::kFulfilled}));

  // Tokens: price to the publisher, fee to the marketplace, nothing left in escrow. Ether: the
  // consumer paid the gas of its two transactions and nothing else; nobody else's ether moved.
  EXPECT_EQ(token_balance(token, publisher), kPrice);
  EXPECT_EQ(token_balance(token, marketplace), kFee);
  EXPECT_EQ(token_balance(token, engine), U256());
  EXPECT_EQ(token_balance(token, consumer), total + U256(7));
  EXPECT_EQ(chain().balance(consumer),
            consumer_eth - ordered->transactions[0].fee - ordered->transactions[1].fee);
  EXPECT_EQ(chain().balance(publisher), publisher_eth);
  EXPECT_EQ(chain().balance(marketplace), marketplace_eth);
  EXPECT_EQ(chain().balance(engine), engine_eth);

  // A second order (asked for: a plain order() would find the first) with an allowance already
  // large enough: no approve, one transaction.
  contracts::Transactor consumer_tx = chain().account(contracts::testing::kConsumer);
  auto approved = consumer_tx.send(
      "approve", token, contracts::PactumDevToken::encode_approve(engine, total * U256(4)).value());
  ASSERT_TRUE(approved.ok()) << approved.error().to_string();
  auto second = consumer_client->order(published.did, {.again = true});
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  ASSERT_EQ(second->transactions.size(), 1u);
  EXPECT_EQ(second->transactions[0].what, "AgreementEngine.createAgreementAndLock");
  EXPECT_EQ(token_balance(token, consumer), U256(7));

  // Fewer tokens than the total (7 left): refused before anything is sent, naming the token,
  // what is needed and what is held.
  const std::uint64_t sent_before = nonce(consumer);
  auto poor = consumer_client->order(published.did, {.again = true});
  ASSERT_FALSE(poor.ok());
  EXPECT_EQ(poor.error().code(), ErrorCode::kFailedPrecondition) << poor.error().to_string();
  for (const std::string& part : {token.to_checksum_string(), total.to_dec(), std::string(" 7")}) {
    EXPECT_NE(poor.error().message().find(part), std::string::npos)
        << part << " in " << poor.error().message();
  }
  EXPECT_EQ(nonce(consumer), sent_before);
}

TEST_F(ClientTest, ATokenThatIsNotAnErc20IsRefusedAtPublishAndAtOrder) {
  const eth::Address not_a_contract = key(7).address();
  const eth::Address not_an_erc20 = deployment().asset_registry().address();
  auto publisher = client(contracts::testing::kPublisher);
  const eth::Address publisher_address = key(contracts::testing::kPublisher).address();
  write_file(dir() / "p.bin", "priced in nothing");
  for (const eth::Address& token : {not_a_contract, not_an_erc20}) {
    PublishRequest r;
    r.file = dir() / "p.bin";
    r.price = kPrice;
    r.token = token;
    const std::uint64_t sent_before = nonce(publisher_address);
    auto refused = publisher->publish(r);
    ASSERT_FALSE(refused.ok()) << token.to_checksum_string();
    EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument) << refused.error().to_string();
    EXPECT_NE(refused.error().message().find(token.to_checksum_string()), std::string::npos);
    EXPECT_EQ(nonce(publisher_address), sent_before);
  }

  // A DDO whose token is changed on the way (a node's word is not the chain's): the order checks
  // the token itself and sends nothing.
  PublishResult published = publish(random_bytes(kChunk, 12), "e.bin");
  const eth::Address consumer = key(contracts::testing::kConsumer).address();
  for (const eth::Address& token : {not_a_contract, not_an_erc20}) {
    Proxy proxy(node_url(), ProxyEdits{.ddo = [token](nlohmann::json& ddo) {
                  for (auto& s : ddo["service"]) {
                    if (s["type"] == "PactumAccess")
                      s["payment"]["token"] = token.to_checksum_string();
                  }
                }});
    const std::uint64_t sent_before = nonce(consumer);
    auto refused = client(contracts::testing::kConsumer, proxy.url())->order(published.did);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code(), ErrorCode::kFailedPrecondition)
        << refused.error().to_string();
    EXPECT_NE(refused.error().message().find(token == not_a_contract ? "is not a contract"
                                                                     : "does not answer ERC-20"),
              std::string::npos)
        << refused.error().message();
    EXPECT_EQ(nonce(consumer), sent_before);
  }
}

TEST_F(ClientTest, DownloadAsksTheNodeTheDdosAccessEndpointNames) {
  const std::string file = random_bytes(2 * kChunk + 5, 13);
  PublishResult published = publish(file, "r.bin");
  // The DDO, as the proxy serves it, sends access requests to the proxy.
  Proxy proxy(node_url(), ProxyEdits{});
  Proxy resolver(node_url(),
                 ProxyEdits{.ddo = set_access_endpoint(proxy.url() + "/api/v1/access/")});
  auto ordered = client(contracts::testing::kConsumer, resolver.url())->order(published.did);
  ASSERT_TRUE(ordered.ok()) << ordered.error().to_string();
  EXPECT_EQ(ordered->access_endpoint, proxy.url() + "/api/v1/access");

  // A consumer whose configured node is nowhere still downloads: from the endpoint.
  auto elsewhere = client(contracts::testing::kConsumer, "http://127.0.0.1:9");
  auto got = elsewhere->download(ordered->agreement_id, dir() / "out" / "r.bin", false);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(read_file(dir() / "out" / "r.bin"), file);
  EXPECT_GT(proxy.access_requests(), 0);
  EXPECT_EQ(resolver.access_requests(), 0);

  // An explicit node (--node) wins over the endpoint.
  const int through_proxy = proxy.access_requests();
  auto direct = client(contracts::testing::kConsumer, node_url(), true)
                    ->download(ordered->agreement_id, dir() / "out" / "r.bin", true);
  ASSERT_TRUE(direct.ok()) << direct.error().to_string();
  EXPECT_EQ(proxy.access_requests(), through_proxy);

  // A DDO that names no access endpoint: the node that served it serves access too.
  Proxy silent(node_url(), ProxyEdits{.ddo = set_access_endpoint(nullptr)});
  auto unnamed =
      client(contracts::testing::kConsumer, silent.url())->order(published.did, {.again = true});
  ASSERT_TRUE(unnamed.ok()) << unnamed.error().to_string();
  EXPECT_EQ(unnamed->access_endpoint, silent.url() + "/api/v1/access");

  // An agreement file edited after the order: its endpoint is checked again before use.
  auto doc = nlohmann::json::parse(read_file(unnamed->params_file));
  doc["access_endpoint"] = "ftp://127.0.0.1/api/v1/access";
  write_file(unnamed->params_file, doc.dump());
  auto edited = client(contracts::testing::kConsumer)
                    ->download(unnamed->agreement_id, dir() / "out" / "edited.bin", false);
  ASSERT_FALSE(edited.ok());
  EXPECT_EQ(edited.error().code(), ErrorCode::kInvalidArgument) << edited.error().to_string();
  EXPECT_FALSE(std::filesystem::exists(dir() / "out" / "edited.bin"));
}

TEST_F(ClientTest, AccessEndpointsThatAreNotHttpUrlsAreRefusedBeforePaying) {
  struct Case {
    std::string endpoint;
    ErrorCode code;
  };
  const std::vector<Case> cases = {
      {"", ErrorCode::kInvalidArgument},
      {"ftp://127.0.0.1/api/v1/access", ErrorCode::kInvalidArgument},
      {"file:///etc/passwd", ErrorCode::kInvalidArgument},
      {"/etc/passwd", ErrorCode::kInvalidArgument},
      {"../../api/v1/access", ErrorCode::kInvalidArgument},
      {"127.0.0.1:8080/api/v1/access", ErrorCode::kInvalidArgument},
      {"javascript:alert(1)", ErrorCode::kInvalidArgument},
      {"http://", ErrorCode::kInvalidArgument},
      {"http://host:99999/api", ErrorCode::kInvalidArgument},
      {"http://host/api?x=1", ErrorCode::kInvalidArgument},
      {"http://host/api#frag", ErrorCode::kInvalidArgument},
      {"http://ho st/api", ErrorCode::kInvalidArgument},
      {"http://user@host/api", ErrorCode::kInvalidArgument},
      {"http://host/" + std::string(kMaxEndpointLength, 'a'), ErrorCode::kInvalidArgument},
  };
  for (const auto& c : cases) {
    auto r = parse_access_endpoint(c.endpoint);
    ASSERT_FALSE(r.ok()) << c.endpoint;
    EXPECT_EQ(r.error().code(), c.code) << c.endpoint << ": " << r.error().to_string();
    EXPECT_LT(r.error().message().size(), 300u) << c.endpoint;
  }
  auto good = parse_access_endpoint("http://127.0.0.1:8080/api/v1/access//");
  ASSERT_TRUE(good.ok()) << good.error().to_string();
  EXPECT_EQ(*good, "http://127.0.0.1:8080/api/v1/access");
  auto tls = parse_access_endpoint("https://node.example/api/v1/access");
  ASSERT_TRUE(tls.ok()) << tls.error().to_string();
  EXPECT_EQ(*tls, "https://node.example/api/v1/access");

  // From a live DDO: refused by order() before anything is sent.
  PublishResult published = publish(random_bytes(kChunk, 14), "b.bin");
  const eth::Address consumer = key(contracts::testing::kConsumer).address();
  // As the DDO says it: another scheme, empty, a path (a URL this client will not ask: invalid
  // argument); overlong, not a string (a DDO the one parser refuses: data loss).
  const std::vector<std::pair<nlohmann::json, ErrorCode>> bad_endpoints = {
      {nlohmann::json("ftp://127.0.0.1/api/v1/access"), ErrorCode::kInvalidArgument},
      {nlohmann::json(""), ErrorCode::kInvalidArgument},
      {nlohmann::json("../../etc/passwd"), ErrorCode::kInvalidArgument},
      {nlohmann::json("http://h/" + std::string(100'000, 'a')), ErrorCode::kDataLoss},
      {nlohmann::json(42), ErrorCode::kDataLoss},
      {nlohmann::json::object({{"url", "http://127.0.0.1"}}), ErrorCode::kDataLoss}};
  for (const auto& [bad, code] : bad_endpoints) {
    Proxy proxy(node_url(), ProxyEdits{.ddo = set_access_endpoint(bad)});
    const std::uint64_t sent_before = nonce(consumer);
    auto refused = client(contracts::testing::kConsumer, proxy.url())->order(published.did);
    ASSERT_FALSE(refused.ok()) << bad.dump().substr(0, 40);
    EXPECT_EQ(refused.error().code(), code) << refused.error().to_string();
    EXPECT_NE(refused.error().message().find("serviceEndpoint"), std::string::npos);
    EXPECT_LT(refused.error().message().size(), 400u);
    EXPECT_EQ(nonce(consumer), sent_before);
  }
}

TEST_F(ClientTest, ANodeThatCutsTheTransferLeavesNoFileAndSaysTheDownloadIsIncomplete) {
  const std::string file = random_bytes(4 * kChunk + 99, 15);
  PublishResult published = publish(file, "c.bin");
  auto ordered = client(contracts::testing::kConsumer)->order(published.did);
  ASSERT_TRUE(ordered.ok()) << ordered.error().to_string();
  // The first content answer (two chunks) stops after a chunk and a half.
  Proxy proxy(node_url(), ProxyEdits{.cut_content_after = kChunk + kChunk / 2});
  auto via_proxy = client(contracts::testing::kConsumer, proxy.url(), true);
  auto got = via_proxy->download(ordered->agreement_id, dir() / "out" / "c.bin", false);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), ErrorCode::kUnavailable) << got.error().to_string();
  // The first chunk arrived whole and verified before the cut; the message says how far it got.
  for (const char* part :
       {"incomplete after 4096 of", "closed the connection", "no file was written", "c.bin"}) {
    EXPECT_NE(got.error().message().find(part), std::string::npos)
        << part << " in " << got.error().message();
  }
  expect_out_dir_empty();

  // With --force over an existing file: the old file stays as it was.
  write_file(dir() / "out" / "c.bin", "the old contents");
  auto forced = via_proxy->download(ordered->agreement_id, dir() / "out" / "c.bin", true);
  ASSERT_FALSE(forced.ok());
  EXPECT_EQ(forced.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(read_file(dir() / "out" / "c.bin"), "the old contents");
  std::filesystem::remove(dir() / "out" / "c.bin");
  expect_out_dir_empty();

  // The same agreement from the node itself, afterwards: whole.
  auto whole = client(contracts::testing::kConsumer)
                   ->download(ordered->agreement_id, dir() / "out" / "c.bin", false);
  ASSERT_TRUE(whole.ok()) << whole.error().to_string();
  EXPECT_EQ(read_file(dir() / "out" / "c.bin"), file);
}

TEST_F(ClientTest, APublishWhoseNodeAnswersAnotherChecksumRegistersNothing) {
  const std::string file = random_bytes(kChunk + 10, 16);
  // The true answer, from the real node.
  PublishResult real = publish(file, "k.bin");
  const eth::Address publisher = key(contracts::testing::kPublisher).address();
  Hash32 wrong = real.checksum;
  wrong[0] ^= 0x01;
  auto answer = [&](const Hash32& checksum, std::uint64_t size, std::uint64_t chunk_size) {
    return nlohmann::json{{"upload_id", "u1"},
                          {"checksum", to_hex(checksum)},
                          {"size", size},
                          {"chunk_size", chunk_size},
                          {"chunk_count", 2}}
        .dump();
  };
  const std::vector<std::string> answers = {
      answer(wrong, file.size(), kChunk),
      answer(real.checksum, file.size() + 1, kChunk),
      answer(real.checksum, file.size(), 3),
      R"({"upload_id":"u1","size":4106,"chunk_size":4096,"chunk_count":2})",
      R"({"upload_id":"u1","checksum":"0x12","size":4106,"chunk_size":4096,"chunk_count":2})",
      "not json",
  };
  for (const auto& body : answers) {
    UploadAnsweringNode liar(service().address(), body);
    PublishRequest r;
    r.file = dir() / "k.bin";
    r.price = kPrice;
    const std::uint64_t sent_before = nonce(publisher);
    auto refused = client(contracts::testing::kPublisher, liar.url())->publish(r);
    ASSERT_FALSE(refused.ok()) << body;
    EXPECT_EQ(refused.error().code(), ErrorCode::kDataLoss)
        << body << ": " << refused.error().to_string();
    EXPECT_EQ(liar.uploads(), 1) << body;
    EXPECT_EQ(nonce(publisher), sent_before) << body;
  }
  auto wrong_message = [&] {
    UploadAnsweringNode liar(service().address(), answers[0]);
    PublishRequest r;
    r.file = dir() / "k.bin";
    r.price = kPrice;
    return client(contracts::testing::kPublisher, liar.url())->publish(r).error().message();
  }();
  EXPECT_NE(wrong_message.find(to_hex(wrong)), std::string::npos) << wrong_message;
  EXPECT_NE(wrong_message.find(to_hex(real.checksum)), std::string::npos) << wrong_message;
}

TEST_F(ClientTest, AnAssetOnAnotherNodeIsResolvedThroughTheUrlRegisteredOnChain) {
  const std::string file = random_bytes(kChunk + 3, 17);
  PublishResult published = publish(file, "far.bin");
  // The node this consumer resolves through does not hold the asset (it answers 404).
  UploadAnsweringNode elsewhere(service().address(), "{}");
  auto consumer_client = client(contracts::testing::kConsumer, elsewhere.url());
  auto resolved = consumer_client->resolve(published.did);
  ASSERT_TRUE(resolved.ok()) << resolved.error().to_string();
  EXPECT_EQ(resolved->checksum, published.checksum);
  auto ordered = consumer_client->order(published.did);
  ASSERT_TRUE(ordered.ok()) << ordered.error().to_string();
  EXPECT_EQ(ordered->access_endpoint, node_url() + "/api/v1/access");
  auto got = consumer_client->download(ordered->agreement_id, dir() / "out" / "far.bin", false);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(read_file(dir() / "out" / "far.bin"), file);

  // DIDs registered on chain with a URL nobody can serve: another scheme, too long, a node
  // without the DDO; and a DID not registered at all.
  contracts::Transactor publisher = chain().account(contracts::testing::kPublisher);
  auto register_with = [&](const std::string& url, const std::string& seed_text) {
    const Hash32 seed = eth::keccak256(as_bytes(seed_text));
    auto data = contracts::AssetRegistry::encode_register(
        seed, published.checksum, url, std::vector<eth::Address>{service().address()});
    auto sent = publisher.send("register", deployment().asset_registry().address(), data.value());
    EXPECT_TRUE(sent.ok()) << sent.error().to_string();
    for (const auto& log : sent->logs) {
      if (!log.topics.empty() && log.topics[0] == contracts::AssetRegistry::kTopic_AssetRegistered)
        return contracts::AssetRegistry::decode_AssetRegistered(log).value().did;
    }
    ADD_FAILURE() << "no AssetRegistered";
    return Hash32{};
  };
  struct Case {
    std::string url;
    ErrorCode code;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"ftp://127.0.0.1/ddo", ErrorCode::kFailedPrecondition, "not an http URL"},
      {"../../etc/passwd", ErrorCode::kFailedPrecondition, "not an http URL"},
      {"http://h/" + std::string(kMaxEndpointLength, 'a'), ErrorCode::kFailedPrecondition,
       "bytes long"},
      // https:// is fetched; a name that does not resolve is unavailable.
      {"https://node.invalid/ddo", ErrorCode::kUnavailable, "node.invalid"},
      {elsewhere.url() + "/api/v1/assets/x", ErrorCode::kNotFound, "neither"},
  };
  int n = 0;
  for (const auto& c : cases) {
    const Hash32 did = register_with(c.url, "far-" + std::to_string(n++));
    auto r = consumer_client->resolve(did);
    ASSERT_FALSE(r.ok()) << c.url.substr(0, 40);
    EXPECT_EQ(r.error().code(), c.code) << r.error().to_string();
    EXPECT_NE(r.error().message().find(c.says), std::string::npos) << r.error().message();
    EXPECT_LT(r.error().message().size(), 600u);
  }
  auto unknown = consumer_client->resolve(eth::keccak256(as_bytes(std::string("nowhere"))));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(unknown.error().message().find("not registered on chain"), std::string::npos)
      << unknown.error().message();
}

}  // namespace
}  // namespace pactum::client
