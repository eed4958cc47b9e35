// Test TLS material and a real TLS proxy, made fresh by each test that needs them (#19).
//
// TestCertificates: a directory of certificates made by tests/support/tls/make_certs.sh with the
// openssl command line (a CA, and server certificates that are good, expired, for another host,
// and from a CA nobody trusts, all with one key). TlsProxy: nginx (Debian's) on one loopback port
// per certificate, each forwarding to a plain-HTTP backend (anvil, in the tests) — what a chain
// provider's https:// endpoint is.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace pactum::testing {

class TestCertificates {
 public:
  // The certificate files' stems, in the order TlsProxy's ports follow.
  static constexpr const char* kNames[] = {"good", "expired", "wrong-host", "unknown-ca"};
  static constexpr int kGood = 0, kExpired = 1, kWrongHost = 2, kUnknownCa = 3;

  TestCertificates() {
    namespace fs = std::filesystem;
    std::string pattern = (fs::temp_directory_path() / "pactum-tls-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed";
      return;
    }
    dir_ = pattern;
    auto made = run_command({source_path("tests/support/tls/make_certs.sh"), dir_.string()});
    if (!made.ok() || made->exit_code != 0) {
      ADD_FAILURE() << "make_certs.sh: "
                    << (made.ok() ? made->stderr_text : made.error().to_string());
      return;
    }
    ok_ = true;
  }
  ~TestCertificates() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  TestCertificates(const TestCertificates&) = delete;
  TestCertificates& operator=(const TestCertificates&) = delete;

  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
  [[nodiscard]] std::string ca_file() const { return (dir_ / "ca.pem").string(); }
  [[nodiscard]] std::string certificate(int which) const {
    return (dir_ / (std::string(kNames[which]) + ".pem")).string();
  }
  [[nodiscard]] std::string key() const { return (dir_ / "server.key").string(); }

 private:
  std::filesystem::path dir_;
  bool ok_ = false;
};

// nginx on four loopback ports, each serving one certificate and forwarding to anvil.
class TlsProxy {
 public:
  explicit TlsProxy(int anvil_port) {
    namespace fs = std::filesystem;
    if (!certs_.ok()) return;
    dir_ = certs_.dir();
    std::string servers;
    for (const char* cert : TestCertificates::kNames) {
      const int port = unused_loopback_port();
      ports_.push_back(port);
      servers +=
          "  server {\n    listen 127.0.0.1:" + std::to_string(port) + " ssl;\n" +
          "    ssl_certificate " + (dir_ / (std::string(cert) + ".pem")).string() + ";\n" +
          "    ssl_certificate_key " + (dir_ / "server.key").string() + ";\n" +
          "    location / {\n      proxy_pass http://127.0.0.1:" + std::to_string(anvil_port) +
          ";\n      proxy_http_version 1.1;\n      proxy_set_header Connection \"\";\n"
          "    }\n  }\n";
    }
    fs::create_directories(dir_ / "tmp");
    const std::string d = dir_.string();
    std::ofstream(dir_ / "nginx.conf")
        << "worker_processes 1;\npid " << d << "/nginx.pid;\nerror_log " << d
        << "/error.log;\nevents {}\nhttp {\n  access_log off;\n  client_body_temp_path " << d
        << "/tmp;\n  proxy_temp_path " << d << "/tmp;\n  fastcgi_temp_path " << d
        << "/tmp;\n  uwsgi_temp_path " << d << "/tmp;\n  scgi_temp_path " << d << "/tmp;\n"
        << servers << "}\n";
    // nginx binds its ports before it daemonizes: listening once this returns.
    auto started = run_command(nginx("start"));
    if (!started.ok() || started->exit_code != 0) {
      ADD_FAILURE() << "nginx: "
                    << (started.ok() ? started->stderr_text : started.error().to_string());
      return;
    }
    running_ = true;
  }
  ~TlsProxy() {
    if (running_) (void)run_command(nginx("stop"));
  }
  TlsProxy(const TlsProxy&) = delete;
  TlsProxy& operator=(const TlsProxy&) = delete;

  [[nodiscard]] bool ok() const { return running_; }
  // https://HOST:<port of `cert`>
  [[nodiscard]] std::string url(int cert, const std::string& host = "127.0.0.1") const {
    return "https://" + host + ":" + std::to_string(ports_.at(static_cast<std::size_t>(cert)));
  }
  [[nodiscard]] std::string ca_file() const { return (dir_ / "ca.pem").string(); }
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
  [[nodiscard]] const TestCertificates& certificates() const { return certs_; }

 private:
  std::vector<std::string> nginx(const std::string& what) const {
    std::vector<std::string> argv = {"/usr/sbin/nginx",
                                     "-p",
                                     dir_.string(),
                                     "-c",
                                     (dir_ / "nginx.conf").string(),
                                     "-e",
                                     (dir_ / "error.log").string()};
    if (what == "stop") {
      argv.push_back("-s");
      argv.push_back("stop");
    }
    return argv;
  }
  TestCertificates certs_;
  std::filesystem::path dir_;  // the certificates' directory; nginx's files beside them
  std::vector<int> ports_;
  bool running_ = false;
};

}  // namespace pactum::testing
