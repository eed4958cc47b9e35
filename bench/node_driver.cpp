// The node's acceptance benchmark (issue #4; method and results in docs/bench/node.md):
//
//   a. publish: stream a 1 GiB file into the node over HTTP (curl -T: upload = encrypt + Merkle +
//      write + fsync + commit; the chain is not involved), beside `openssl dgst -sha256`,
//      `openssl enc -aes-256-ctr` and `dd conv=fdatasync` of the same file in the same run;
//   b. authorized download of that 1 GiB over loopback (signed headers, streamed), beside nginx
//      serving the same plaintext file, both fetched by curl to /dev/null, runs alternated;
//   c. access checks on an already-fulfilled agreement: wrk with pre-signed requests
//      (bench/node_access.lua), beside nginx answering a same-size response with the same script.
//
// Everything is real except the node's process boundary: anvil (node_modules), deploy_all, the
// NodeService behind an HttpServer in this process (as pactumd wires them), curl, nginx, wrk.
// The node's CPU time is this process's (its other threads idle while a measurement runs).
//
// Run: build/release/bench/pactum_node_driver [--dir=DIR] [--gib=N] [--runs=N] [--duration=10s]
//      [--connections=16] [--wrk-threads=2] [--node-threads=2] [--requests=N] [--out=FILE]
//      [--skip=download,client,access,content]   (publish always runs: the later phases need its
//      asset; "content" leaves out the /content Range run of the access phase)
// DIR (default $TMPDIR or /tmp) holds the 1 GiB plaintext, the node's store and nginx's prefix;
// everything is removed at the end.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "pactum/client/client.hpp"
#include "pactum/contracts/agreement_engine.hpp"
#include "pactum/contracts/asset_registry.hpp"
#include "pactum/contracts/deployment.hpp"
#include "pactum/eth/keccak.hpp"
#include "pactum/node/node_service.hpp"
#include "pactum/rpc/json_rpc.hpp"
#include "pactum/sdk/node_request.hpp"
#include "pactum/server/http_server.hpp"
#include "pactum/server/log.hpp"
#include "support/ddo_cases.hpp"
#include "support/process.hpp"

extern char** environ;

namespace {

using namespace pactum;
using Json = nlohmann::json;
using contracts::AgreementEngine;
using contracts::AssetRegistry;
using contracts::Transactor;
using testing::AnvilProcess;
using testing::CommandOutput;

constexpr int kDeployer = 0;
constexpr int kPublisher = 1;
constexpr int kConsumer = 2;
constexpr int kProvider = 3;

struct Options {
  std::string dir;
  std::uint64_t bytes = 1ull << 30;
  int runs = 3;
  std::string duration = "10s";
  int connections = 16;
  int wrk_threads = 2;
  unsigned node_threads = 2;
  std::uint64_t requests = 300'000;
  std::string out;
  std::string lua;  // bench/node_access.lua
  // Phases to leave out ("download", "client", "access", "content"): to profile one alone.
  std::vector<std::string> skip;
  bool skips(const std::string& phase) const {
    return std::find(skip.begin(), skip.end(), phase) != skip.end();
  }
};

// A fatal error: thrown to main() so that the Bench's destructor stops nginx and anvil and
// removes the bench directory.
struct Fatal {
  std::string what;
};

[[noreturn]] void die(const std::string& what) {
  throw Fatal{what};
}

template <class T>
T must(Result<T> r, const std::string& what) {
  if (!r.ok()) die(what + ": " + r.error().to_string());
  return std::move(r).value();
}

void must_ok(const Status& s, const std::string& what) {
  if (!s.ok()) die(what + ": " + s.error().to_string());
}

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double self_cpu() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double children_cpu() {
  rusage ru{};
  ::getrusage(RUSAGE_CHILDREN, &ru);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6; };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

// utime + stime of one process from /proc (seconds); 0 when it is gone.
double pid_cpu(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::atof(field.c_str());
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// The parent pid of `pid` from /proc; -1 when it is gone.
pid_t parent_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos || close + 4 >= text.size()) return -1;
  std::istringstream rest(text.substr(close + 2));
  std::string state;
  pid_t parent = -1;
  rest >> state >> parent;
  return parent;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    die("free_port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// A command's output, wall time and CPU time (its own: it is a waited child).
struct Timed {
  CommandOutput out;
  double wall = 0;
  double cpu = 0;
};

Timed timed(const std::vector<std::string>& argv, int timeout_s = 600) {
  const double c0 = children_cpu();
  const double t0 = wall_seconds();
  auto out = testing::run_command(argv, "", std::chrono::seconds(timeout_s));
  Timed t;
  t.wall = wall_seconds() - t0;
  t.cpu = children_cpu() - c0;
  t.out = must(std::move(out), argv[0]);
  if (t.out.exit_code != 0) {
    die(argv[0] + " exited " + std::to_string(t.out.exit_code) + ": " + t.out.stderr_text);
  }
  return t;
}

// nginx from a private prefix (not the system configuration), serving `root` on loopback.
class Nginx {
 public:
  Nginx(const std::string& prefix, const std::string& root, int workers) {
    port_ = free_port();
    std::filesystem::create_directories(prefix);
    std::ofstream conf(prefix + "/nginx.conf");
    conf << "worker_processes " << workers << ";\ndaemon off;\nmaster_process on;\n"
         << "pid " << prefix << "/nginx.pid;\nerror_log " << prefix << "/error.log warn;\n"
         << "events { worker_connections 4096; }\n"
         << "http {\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n"
         << "  keepalive_requests 1000000;\n"
         << "  client_body_temp_path " << prefix << "/body;\n"
         << "  proxy_temp_path " << prefix << "/proxy;\n"
         << "  fastcgi_temp_path " << prefix << "/fastcgi;\n"
         << "  uwsgi_temp_path " << prefix << "/uwsgi;\n"
         << "  scgi_temp_path " << prefix << "/scgi;\n"
         << "  server {\n    listen 127.0.0.1:" << port_ << ";\n    root " << root << ";\n"
         << "    location / { default_type application/octet-stream; }\n"
         << "    location ~ \\.json$ { default_type application/json; }\n  }\n}\n";
    conf.close();
    std::vector<std::string> argv = {"nginx", "-p", prefix, "-c", prefix + "/nginx.conf"};
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    const int rc = ::posix_spawnp(&pid_, "nginx", &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) die("cannot start nginx (scripts/install-deps.sh installs nginx-light)");
  }
  ~Nginx() {
    if (pid_ > 0) {
      ::kill(pid_, SIGQUIT);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  Nginx(const Nginx&) = delete;
  Nginx& operator=(const Nginx&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }
  // CPU seconds of the master and its workers so far.
  [[nodiscard]] double cpu() const {
    double total = pid_cpu(pid_);
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      const std::string name = entry.path().filename().string();
      if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
      if (parent_of(std::stoi(name)) == pid_) total += pid_cpu(std::stoi(name));
    }
    return total;
  }

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

// Waits until `url` answers (any HTTP status), bounded.
void wait_http(const std::string& url) {
  for (int i = 0; i < 200; ++i) {
    auto r =
        testing::run_command({"curl", "-s", "-o", "/dev/null", url}, "", std::chrono::seconds(5));
    if (r.ok() && r->exit_code == 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  die(url + " did not come up");
}

// A deterministic pseudo-random file of `bytes` (xorshift; no two 8-byte words repeat early).
void write_plaintext(const std::string& path, std::uint64_t bytes) {
  std::vector<std::uint64_t> buf((16u << 20) / 8);
  std::uint64_t x = 0x9e3779b97f4a7c15ull;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) die("cannot write " + path);
  for (std::uint64_t done = 0; done < bytes;) {
    for (auto& w : buf) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      w = x;
    }
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(buf.size() * 8, bytes - done));
    if (std::fwrite(buf.data(), 1, n, f) != n) die("short write to " + path);
    done += n;
  }
  std::fclose(f);
}

struct Stats {
  std::vector<double> values;
  void add(double v) { values.push_back(v); }
  [[nodiscard]] double best_min() const {
    return values.empty() ? 0 : *std::min_element(values.begin(), values.end());
  }
  [[nodiscard]] double best_max() const {
    return values.empty() ? 0 : *std::max_element(values.begin(), values.end());
  }
  [[nodiscard]] double median() const {
    if (values.empty()) return 0;
    auto v = values;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  }
};

// One wrk run, parsed.
struct WrkResult {
  double rps = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0;
  std::uint64_t requests = 0;
  std::uint64_t non_2xx = 0;
  std::string socket_errors;
  std::string raw;
  double server_cpu_us = 0;  // the server's CPU time per request
  double client_cpu_us = 0;  // wrk's
};

double latency_ms(const std::string& text) {
  const double v = std::atof(text.c_str());
  if (text.find("us") != std::string::npos) return v / 1000.0;
  if (text.find("ms") != std::string::npos) return v;
  if (text.find('s') != std::string::npos) return v * 1000.0;
  return v;
}

WrkResult parse_wrk(const std::string& out) {
  WrkResult r;
  r.raw = out;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string first, second;
    words >> first >> second;
    if (first == "50%") r.p50_ms = latency_ms(second);
    if (first == "90%") r.p90_ms = latency_ms(second);
    if (first == "99%") r.p99_ms = latency_ms(second);
    if (first == "Requests/sec:") r.rps = std::atof(second.c_str());
    if (line.find("requests in") != std::string::npos) r.requests = std::stoull(first);
    if (line.find("Non-2xx") != std::string::npos) {
      r.non_2xx = std::stoull(line.substr(line.rfind(':') + 1));
    }
    if (line.find("Socket errors") != std::string::npos) r.socket_errors = line;
  }
  return r;
}

class Bench {
 public:
  explicit Bench(Options o) : opt_(std::move(o)) {}

  int run() {
    root_ = opt_.dir + "/pactum-node-bench-XXXXXX";
    if (::mkdtemp(root_.data()) == nullptr) die("mkdtemp under " + opt_.dir);
    ::chmod(root_.c_str(), 0755);  // nginx workers run unprivileged and must reach www/
    std::filesystem::create_directories(root_ + "/www");
    ::chmod((root_ + "/www").c_str(), 0755);
    report_["machine"] = {{"cores", std::thread::hardware_concurrency()},
                          {"load_before", load_average()}};
    std::printf("node bench: %.2f GiB, dir %s, load %s\n",
                static_cast<double>(opt_.bytes) / double(1ull << 30), root_.c_str(),
                load_average().c_str());
    start_chain();
    start_node();
    file_ = root_ + "/www/asset.bin";
    write_plaintext(file_, opt_.bytes);
    ::chmod(file_.c_str(), 0644);
    nginx_ = std::make_unique<Nginx>(root_ + "/nginx", root_ + "/www", 2);
    wait_http(nginx_url("/asset.bin"));

    publish_phase();
    if (!(opt_.skips("download") && opt_.skips("client") && opt_.skips("access"))) {
      order_and_first_access();
    }
    if (!opt_.skips("download")) download_phase();
    if (!opt_.skips("client")) client_download_phase();
    if (!opt_.skips("access")) access_phase();

    report_["machine"]["load_after"] = load_average();
    std::printf("load after: %s\n", load_average().c_str());
    if (!opt_.out.empty()) {
      std::ofstream(opt_.out) << report_.dump(2) << "\n";
      std::printf("results in %s\n", opt_.out.c_str());
    }
    return 0;
  }

  ~Bench() {
    nginx_.reset();
    if (server_) server_->stop();
    server_.reset();
    service_.reset();
    store_.reset();
    std::error_code ec;
    if (!root_.empty()) std::filesystem::remove_all(root_, ec);
  }

 private:
  static eth::PrivateKey key(int index) {
    return eth::PrivateKey::from_hex(
               AnvilProcess::dev_private_keys().at(static_cast<std::size_t>(index)))
        .value();
  }

  void start_chain() {
    anvil_.emplace(must(AnvilProcess::start(), "anvil"));
    rpc_ = must(rpc::RpcClient::connect_http(anvil_->url()), "rpc");
    api_ = std::make_unique<rpc::EthApi>(*rpc_);
    chain_id_ = must(api_->chain_id(), "chain id");
    Transactor deployer = must(Transactor::create(*api_, key(kDeployer)), "deployer");
    deployment_ = must(contracts::deploy_all(deployer, contracts::DeployOptions{}), "deploy_all");
  }

  void start_node() {
    auto master = must(store::MasterKey::generate(), "master key");
    store::SqliteStoreOptions so;
    so.directory = root_ + "/store";
    so.master_key = std::move(master);
    store_ = must(store::open_sqlite_asset_store(std::move(so)), "store");
    node_key_.emplace(must(Transactor::create(*api_, key(kProvider)), "node key"));
    node::NodeServiceConfig config;
    config.chain_id = chain_id_;
    config.deployment = deployment_;
    config.public_url = "http://127.0.0.1";
    config.publishers = {key(kPublisher).address()};
    config.data_dir = root_ + "/node";
    config.logger = &logger_;
    service_ = must(node::NodeService::create(*store_, *api_, *node_key_, std::move(config)),
                    "node service");
    service_->add_routes(router_);
    // What pactumd's /health says of the node, which pactum_client asks before signing.
    const std::string health =
        "{\"status\":\"ok\",\"node_address\":\"" + service_->address().to_checksum_string() + "\"}";
    router_.add("GET", "/health",
                [health](server::Request&) { return server::Response::json(health, 200); });
    server::HttpServerOptions so2;
    so2.threads = opt_.node_threads;
    server_ = std::make_unique<server::HttpServer>(so2, router_, logger_, metrics_);
    must_ok(server_->start(), "http server");
  }

  std::string node_url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }
  std::string nginx_url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(nginx_->port()) + path;
  }

  sdk::SignedNodeRequest sign(int signer, sdk::NodeAction action, const Hash32& subject) {
    sdk::NodeRequest r;
    r.action = action;
    r.subject = subject;
    r.node = service_->address();
    r.nonce = eth::U256(++nonce_);
    r.expiry = static_cast<std::uint64_t>(unix_now() + 590);
    return sdk::sign_node_request(key(signer), r, chain_id_);
  }

  static std::vector<std::string> signed_headers(const sdk::SignedNodeRequest& s) {
    return {"-H", std::string(sdk::kRequestHeader) + ": " + s.request_header, "-H",
            std::string(sdk::kSignatureHeader) + ": " + s.signature_header};
  }

  // curl with -w "\n%{http_code} ..." appended; returns (body, status, the -w fields).
  struct Curl {
    std::string body;
    int status = 0;
    std::vector<std::string> fields;
    double wall = 0, cpu = 0;
  };
  Curl curl(std::vector<std::string> args, const std::string& write_out) {
    std::vector<std::string> argv = {"curl", "-sS", "-w", "\n%{http_code} " + write_out};
    argv.insert(argv.end(), args.begin(), args.end());
    Timed t = timed(argv);
    Curl c;
    c.wall = t.wall;
    c.cpu = t.cpu;
    const auto nl = t.out.stdout_text.rfind('\n');
    c.body = t.out.stdout_text.substr(0, nl);
    std::istringstream tail(t.out.stdout_text.substr(nl + 1));
    tail >> c.status;
    std::string f;
    while (tail >> f) c.fields.push_back(f);
    return c;
  }

  // a. publish: the node's upload vs openssl + dd over the same file, alternated.
  void publish_phase() {
    const double gib = static_cast<double>(opt_.bytes) / double(1ull << 30);
    Stats up_wall, up_node_cpu, up_curl_cpu, sha, ctr, dd;
    for (int run = 0; run < opt_.runs; ++run) {
      auto h = signed_headers(sign(kPublisher, sdk::NodeAction::kUpload, Hash32{}));
      const double c0 = self_cpu();
      Curl c = curl(
          {"-o", "-", "-X", "POST", "-T", file_, "-H", "Content-Type: application/octet-stream",
           h[0], h[1], h[2], h[3], node_url("/api/v1/uploads")},
          "%{time_total}");
      const double node_cpu = self_cpu() - c0;
      if (c.status != 201) die("upload answered " + std::to_string(c.status) + ": " + c.body);
      Json up = Json::parse(c.body);
      if (upload_id_.empty()) {
        upload_id_ = up["upload_id"];
        checksum_ = up["checksum"];
        upload_answer_ = up;
      } else {
        // Only the first upload is kept for the rest of the bench: keep the disk from filling.
        std::filesystem::remove_all(root_ + "/store/objects/" + up["upload_id"].get<std::string>());
      }
      up_wall.add(c.wall / gib);
      up_node_cpu.add(node_cpu / gib);
      up_curl_cpu.add(c.cpu / gib);
      sha.add(timed({"openssl", "dgst", "-sha256", file_}).wall / gib);
      ctr.add(timed({"openssl", "enc", "-aes-256-ctr", "-K", std::string(64, '7'), "-iv",
                     std::string(32, '9'), "-in", file_, "-out", "/dev/null"})
                  .wall /
              gib);
      dd.add(timed({"dd", "if=" + file_, "of=" + root_ + "/dd-copy", "bs=1M", "conv=fdatasync",
                    "status=none"})
                 .wall /
             gib);
      std::filesystem::remove(root_ + "/dd-copy");
      std::printf(
          "publish run %d: upload %.3f s/GiB wall (node CPU %.3f s/GiB), sha256 %.3f, "
          "aes-256-ctr %.3f, dd+fdatasync %.3f s/GiB\n",
          run + 1, c.wall / gib, node_cpu / gib, sha.values.back(), ctr.values.back(),
          dd.values.back());
    }
    const double parts = sha.best_min() + ctr.best_min() + dd.best_min();
    std::printf(
        "== publish (best of %d): %.3f s/GiB (%.2f GiB/s), node CPU %.3f s/GiB; "
        "references sha256 %.3f + aes-ctr %.3f + dd %.3f = %.3f s/GiB; ratio %.2f "
        "(target <= 1.5 s/GiB)\n",
        opt_.runs, up_wall.best_min(), 1.0 / up_wall.best_min(), up_node_cpu.best_min(),
        sha.best_min(), ctr.best_min(), dd.best_min(), parts, up_wall.best_min() / parts);
    report_["publish"] = {{"s_per_gib_best", up_wall.best_min()},
                          {"s_per_gib_median", up_wall.median()},
                          {"s_per_gib_runs", up_wall.values},
                          {"node_cpu_s_per_gib", up_node_cpu.best_min()},
                          {"curl_cpu_s_per_gib", up_curl_cpu.best_min()},
                          {"ref_openssl_sha256_s_per_gib", sha.best_min()},
                          {"ref_openssl_aes_256_ctr_s_per_gib", ctr.best_min()},
                          {"ref_dd_fdatasync_s_per_gib", dd.best_min()},
                          {"ratio_to_sum_of_references", up_wall.best_min() / parts}};
  }

  // Registers the upload, publishes its DDO, orders, and makes the first access (which fulfils
  // the access condition and releases the payment on chain).
  void order_and_first_access() {
    Transactor publisher = must(Transactor::create(*api_, key(kPublisher)), "publisher");
    const Hash32 root = must(fixed_from_hex<32>(checksum_), "checksum");
    auto reg =
        must(AssetRegistry::encode_register(eth::keccak256(as_bytes(std::string("bench"))), root,
                                            "http://127.0.0.1/x", {service_->address()}),
             "encode register");
    auto receipt =
        must(publisher.send("register", deployment_.asset_registry().address(), reg), "register");
    Hash32 did{};
    for (const auto& log : receipt.logs) {
      if (!log.topics.empty() && log.topics[0] == AssetRegistry::kTopic_AssetRegistered) {
        did = must(AssetRegistry::decode_AssetRegistered(log), "AssetRegistered").did;
      }
    }
    did_ = did;
    const std::string did_text = node::format_did(did);
    const eth::U256 price(1'000'000'000'000'000ULL);
    sdk::Ddo ddo = pactum::testing::ddo_for_upload(
        did, key(kPublisher).address(), service_->address(),
        must(deployment_.template_id("paid-access"), "tpl"), upload_answer_, price, chain_id_);
    ddo.access.endpoint = node_url("/api/v1/access");
    Json body = {{"upload_id", upload_id_}, {"ddo", Json::parse(sdk::write_ddo(ddo))}};
    auto h = signed_headers(sign(kPublisher, sdk::NodeAction::kPublish, did));
    Curl put =
        curl({"-o", "-", "-X", "PUT", "-H", "Content-Type: application/json", h[0], h[1], h[2],
              h[3], "--data-binary", body.dump(), node_url("/api/v1/assets/" + did_text)},
             "");
    if (put.status != 200) die("publish answered " + std::to_string(put.status) + ": " + put.body);

    AgreementEngine::AgreementParams p;
    p.template_id = must(deployment_.template_id("paid-access"), "tpl");
    p.did = did;
    p.consumer = key(kConsumer).address();
    p.time_locks = {0, 0, 0};
    p.time_outs = {0, static_cast<std::uint64_t>(unix_now() + 7200), 0};
    p.payment.token = eth::Address();
    p.payment.receivers = {key(kPublisher).address()};
    p.payment.amounts = {price};
    Transactor consumer = must(Transactor::create(*api_, key(kConsumer)), "consumer");
    auto order = must(AgreementEngine::encode_createAgreementAndLock(
                          eth::keccak256(as_bytes(std::string("bench-order"))), p),
                      "encode order");
    auto created = must(
        consumer.send("order", deployment_.agreement_engine().address(), order, price), "order");
    for (const auto& log : created.logs) {
      if (!log.topics.empty() && log.topics[0] == AgreementEngine::kTopic_AgreementCreated) {
        agreement_ = must(AgreementEngine::decode_AgreementCreated(log), "created").agreement_id;
      }
    }
    auto a = signed_headers(sign(kConsumer, sdk::NodeAction::kAccess, agreement_));
    Curl first = curl({"-o", "-", a[0], a[1], a[2], a[3], access_url("/proofs?from=0&to=0")},
                      "%{time_total}");
    if (first.status != 200) die("first access answered " + std::to_string(first.status));
    proofs_body_ = first.body;
    std::printf(
        "first access (checks the agreement on chain, fulfils access, releases payment): "
        "%.3f s\n",
        first.wall);
    report_["first_access_s"] = first.wall;
  }

  std::string access_url(const std::string& tail) const {
    return node_url("/api/v1/access/" + to_hex(agreement_) + tail);
  }

  // b. authorized download vs nginx, the same curl, runs alternated.
  void download_phase() {
    const double gb = static_cast<double>(opt_.bytes) / 1e9;
    const double gib = static_cast<double>(opt_.bytes) / double(1ull << 30);
    Stats ours, ref, ours_cpu, ref_cpu, ours_curl, ref_curl;
    for (int run = 0; run < opt_.runs; ++run) {
      const double n0 = nginx_->cpu();
      Curl n = curl({"-o", "/dev/null", nginx_url("/asset.bin")}, "%{size_download}");
      const double ncpu = nginx_->cpu() - n0;
      auto a = signed_headers(sign(kConsumer, sdk::NodeAction::kAccess, agreement_));
      const double c0 = self_cpu();
      Curl o = curl({"-o", "/dev/null", a[0], a[1], a[2], a[3], access_url("/content")},
                    "%{size_download}");
      const double ocpu = self_cpu() - c0;
      if (o.status != 200 || n.status != 200 || o.fields.empty() || n.fields.empty() ||
          std::stoull(o.fields[0]) != opt_.bytes || std::stoull(n.fields[0]) != opt_.bytes) {
        die("download: status " + std::to_string(o.status) + "/" + std::to_string(n.status));
      }
      ours.add(gb / o.wall);
      ref.add(gb / n.wall);
      ours_cpu.add(ocpu / gib);
      ref_cpu.add(ncpu / gib);
      ours_curl.add(o.cpu / gib);
      ref_curl.add(n.cpu / gib);
      std::printf(
          "download run %d: node %.2f GB/s (server CPU %.3f s/GiB), nginx %.2f GB/s "
          "(server CPU %.3f s/GiB)\n",
          run + 1, ours.values.back(), ours_cpu.values.back(), ref.values.back(),
          ref_cpu.values.back());
    }
    std::printf(
        "== download (best of %d): node %.2f GB/s, nginx %.2f GB/s, ratio %.2f; median "
        "ratio %.2f (target >= 1 GB/s)\n",
        opt_.runs, ours.best_max(), ref.best_max(), ours.best_max() / ref.best_max(),
        ours.median() / ref.median());
    report_["download"] = {{"node_gb_s_best", ours.best_max()},
                           {"node_gb_s_median", ours.median()},
                           {"node_gb_s_runs", ours.values},
                           {"nginx_gb_s_best", ref.best_max()},
                           {"nginx_gb_s_median", ref.median()},
                           {"nginx_gb_s_runs", ref.values},
                           {"ratio_best", ours.best_max() / ref.best_max()},
                           {"node_server_cpu_s_per_gib", ours_cpu.best_min()},
                           {"nginx_server_cpu_s_per_gib", ref_cpu.best_min()},
                           {"curl_cpu_s_per_gib_node", ours_curl.best_min()},
                           {"curl_cpu_s_per_gib_nginx", ref_curl.best_min()}};
  }

  // b'. the same download through pactum_client (`pactum download`): proofs then ranged content
  // per window, every chunk verified against the on-chain root, written to a file on disk.
  void client_download_phase() {
    client::ClientConfig cc;
    cc.node_url = node_url("");
    cc.deployment = deployment_;
    cc.agreements_dir = root_ + "/agreements";
    auto made = client::Client::create(*api_, cc, key(kConsumer));
    if (!made.ok()) {
      std::printf("client download: skipped (%s)\n", made.error().to_string().c_str());
      return;
    }
    auto& c = **made;
    auto ordered = c.order(did_);
    if (!ordered.ok()) {
      std::printf("client download: order failed (%s)\n", ordered.error().to_string().c_str());
      return;
    }
    const Hash32 id = ordered->agreement_id;
    // Settle on chain first so that the timed runs measure the transfer only.
    auto a = signed_headers(sign(kConsumer, sdk::NodeAction::kAccess, id));
    Curl first = curl({"-o", "/dev/null", a[0], a[1], a[2], a[3],
                       node_url("/api/v1/access/" + to_hex(id) + "/proofs?from=0&to=0")},
                      "");
    if (first.status != 200) die("client agreement first access: " + std::to_string(first.status));
    const double gb = static_cast<double>(opt_.bytes) / 1e9;
    const double gib = static_cast<double>(opt_.bytes) / double(1ull << 30);
    Stats rate, cpu;
    const std::string out = root_ + "/client-download.bin";
    for (int run = 0; run < std::min(opt_.runs, 2); ++run) {
      const double t0 = wall_seconds();
      const double c0 = self_cpu();
      auto got = c.download(id, out, true);
      const double wall = wall_seconds() - t0;
      if (!got.ok()) die("client download: " + got.error().to_string());
      rate.add(gb / wall);
      cpu.add((self_cpu() - c0) / gib);
      std::filesystem::remove(out);
      std::printf("client download run %d: %.2f GB/s, node + client CPU %.3f s/GiB\n", run + 1,
                  rate.values.back(), cpu.values.back());
    }
    std::printf("== client download (pactum_client, verified, to disk): %.2f GB/s best\n",
                rate.best_max());
    report_["client_download"] = {{"gb_s_best", rate.best_max()},
                                  {"gb_s_runs", rate.values},
                                  {"node_plus_client_cpu_s_per_gib", cpu.best_min()}};
  }

  // N distinct signed access requests, one "request\tsignature" line each.
  std::string write_signed_requests(const std::string& name, std::uint64_t n) {
    const std::string path = root_ + "/" + name;
    const auto consumer = key(kConsumer);
    const std::uint64_t base = nonce_ + 1;
    nonce_ += n;
    const std::uint64_t expiry = static_cast<std::uint64_t>(unix_now() + 590);
    const unsigned workers = 2;
    std::vector<std::string> parts(workers);
    std::vector<std::thread> threads;
    for (unsigned w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] {
        std::string& out = parts[w];
        for (std::uint64_t i = w; i < n; i += workers) {
          sdk::NodeRequest r;
          r.action = sdk::NodeAction::kAccess;
          r.subject = agreement_;
          r.node = service_->address();
          r.nonce = eth::U256(base + i);
          r.expiry = expiry;
          auto s = sdk::sign_node_request(consumer, r, chain_id_);
          out += s.request_header;
          out += '\t';
          out += s.signature_header;
          out += '\n';
        }
      });
    }
    for (auto& t : threads) t.join();
    std::ofstream f(path);
    for (const auto& p : parts) f << p;
    return path;
  }

  // `server_cpu` returns the CPU seconds of the server under test so far.
  template <class CpuFn>
  WrkResult wrk(const std::string& url, const std::string& headers, const std::string& range,
                CpuFn server_cpu) {
    const double c0 = server_cpu();
    Timed t = timed({"wrk", "-t" + std::to_string(opt_.wrk_threads),
                     "-c" + std::to_string(opt_.connections), "-d" + opt_.duration, "--latency",
                     "-s", opt_.lua, url, "--", headers, std::to_string(opt_.wrk_threads), range});
    WrkResult r = parse_wrk(t.out.stdout_text);
    const double cpu = server_cpu() - c0;
    if (r.requests > 0) r.server_cpu_us = cpu / static_cast<double>(r.requests) * 1e6;
    r.client_cpu_us = r.requests > 0 ? t.cpu / static_cast<double>(r.requests) * 1e6 : 0;
    return r;
  }

  Json wrk_json(const WrkResult& r) {
    return {{"requests_per_s", r.rps},
            {"p50_ms", r.p50_ms},
            {"p90_ms", r.p90_ms},
            {"p99_ms", r.p99_ms},
            {"requests", r.requests},
            {"non_2xx", r.non_2xx},
            {"socket_errors", r.socket_errors},
            {"server_cpu_us_per_request", r.server_cpu_us},
            {"wrk_cpu_us_per_request", r.client_cpu_us}};
  }

  void print_wrk(const char* name, const WrkResult& r) {
    std::printf(
        "%-48s %7.0f req/s  p50 %6.2f  p90 %6.2f  p99 %6.2f ms  server %5.1f us/req  "
        "wrk %5.1f us/req  non-2xx %llu %s\n",
        name, r.rps, r.p50_ms, r.p90_ms, r.p99_ms, r.server_cpu_us, r.client_cpu_us,
        static_cast<unsigned long long>(r.non_2xx), r.socket_errors.c_str());
  }

  // c. wrk with pre-signed requests on the settled agreement, beside nginx with a same-size body.
  void access_phase() {
    {
      std::ofstream(root_ + "/www/proofs.json") << proofs_body_;
      ::chmod((root_ + "/www/proofs.json").c_str(), 0644);
    }
    std::printf("== access checks: wrk -t%d -c%d -d%s --latency (load %s)\n", opt_.wrk_threads,
                opt_.connections, opt_.duration.c_str(), load_average().c_str());
    // The cheapest authorized request: every check, an empty proof list (no chunk is read).
    auto nginx_cpu = [this] { return nginx_->cpu(); };
    auto node_cpu = [] { return self_cpu(); };
    WrkResult ref1 = wrk(nginx_url("/proofs.json"), "-", "-", nginx_cpu);
    print_wrk("nginx, same-size JSON file", ref1);
    const std::string file1 = write_signed_requests("signed-proofs.tsv", opt_.requests);
    WrkResult ours1 = wrk(access_url("/proofs?from=0&to=0"), file1, "-", node_cpu);
    print_wrk("node, signed GET .../proofs?from=0&to=0", ours1);
    std::filesystem::remove(file1);
    report_["access"] = {{"proofs_node", wrk_json(ours1)},
                         {"proofs_nginx", wrk_json(ref1)},
                         {"proofs_body_bytes", proofs_body_.size()}};
    if (opt_.skips("content")) {
      std::printf("ratio to nginx: proofs %.2f (target >= 10,000 req/s, p99 < 5 ms)\n",
                  ours1.rps / ref1.rps);
      return;
    }
    // One byte of content: every check plus reading and authenticating the first chunk.
    WrkResult ref2 = wrk(nginx_url("/asset.bin"), "-", "bytes=0-0", nginx_cpu);
    print_wrk("nginx, Range: bytes=0-0 of the same file", ref2);
    const std::string file2 = write_signed_requests("signed-content.tsv", opt_.requests);
    WrkResult ours2 = wrk(access_url("/content"), file2, "bytes=0-0", node_cpu);
    print_wrk("node, signed GET .../content, Range: bytes=0-0", ours2);
    std::filesystem::remove(file2);
    std::printf(
        "ratios to nginx: proofs %.2f, content range %.2f (target >= 10,000 req/s, "
        "p99 < 5 ms)\n",
        ours1.rps / ref1.rps, ours2.rps / ref2.rps);
    report_["access"]["content_range_node"] = wrk_json(ours2);
    report_["access"]["content_range_nginx"] = wrk_json(ref2);
  }

  Options opt_;
  std::string root_;
  Json report_;
  std::optional<AnvilProcess> anvil_;
  std::unique_ptr<rpc::RpcClient> rpc_;
  std::unique_ptr<rpc::EthApi> api_;
  std::uint64_t chain_id_ = 0;
  contracts::Deployment deployment_;
  std::unique_ptr<store::AssetStore> store_;
  std::optional<Transactor> node_key_;
  server::NullLogger logger_;
  server::MetricsRegistry metrics_;
  server::Router router_;
  std::unique_ptr<node::NodeService> service_;
  std::unique_ptr<server::HttpServer> server_;
  std::unique_ptr<Nginx> nginx_;
  std::string file_;
  std::string upload_id_;
  std::string checksum_;
  Json upload_answer_;
  std::string proofs_body_;
  Hash32 agreement_{};
  Hash32 did_{};
  std::uint64_t nonce_ = 1;
};

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  const char* tmp = std::getenv("TMPDIR");
  opt.dir = tmp != nullptr ? tmp : "/tmp";
  opt.lua = testing::source_path("bench/node_access.lua");
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* name) -> std::optional<std::string> {
      const std::string prefix = std::string("--") + name + "=";
      if (a.rfind(prefix, 0) == 0) return a.substr(prefix.size());
      return std::nullopt;
    };
    if (auto v = value("dir")) {
      opt.dir = *v;
    } else if (auto v = value("gib")) {
      opt.bytes = static_cast<std::uint64_t>(std::atof(v->c_str()) * double(1ull << 30));
    } else if (auto v = value("runs")) {
      opt.runs = std::max(1, std::atoi(v->c_str()));
    } else if (auto v = value("duration")) {
      opt.duration = *v;
    } else if (auto v = value("connections")) {
      opt.connections = std::atoi(v->c_str());
    } else if (auto v = value("wrk-threads")) {
      opt.wrk_threads = std::atoi(v->c_str());
    } else if (auto v = value("node-threads")) {
      opt.node_threads = static_cast<unsigned>(std::atoi(v->c_str()));
    } else if (auto v = value("requests")) {
      opt.requests = std::stoull(*v);
    } else if (auto v = value("out")) {
      opt.out = *v;
    } else if (auto v = value("skip")) {
      std::stringstream list(*v);
      for (std::string phase; std::getline(list, phase, ',');) {
        if (phase != "download" && phase != "client" && phase != "access" && phase != "content") {
          std::fprintf(stderr,
                       "node_driver: --skip takes download, client, access, content; not '%s'\n",
                       phase.c_str());
          return 2;
        }
        opt.skip.push_back(phase);
      }
    } else {
      std::fprintf(stderr, "node_driver: unknown argument %s (see the comment at the top)\n",
                   a.c_str());
      return 2;
    }
  }
  ::signal(SIGPIPE, SIG_IGN);
  try {
    Bench bench(opt);
    return bench.run();
  } catch (const Fatal& e) {
    std::fprintf(stderr, "node_driver: %s\n", e.what.c_str());
    return 1;
  }
}
