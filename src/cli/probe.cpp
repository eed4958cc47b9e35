#include "probe.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "pactum/rpc/http_client.hpp"
#include "pactum/rpc/json_rpc.hpp"

namespace pactum::cli::detail {
namespace {

Result<std::unique_ptr<rpc::RpcClient>> connect_once(std::string_view url,
                                                     std::chrono::milliseconds timeout) {
  rpc::HttpOptions http;
  http.connect_timeout = timeout;
  http.request_timeout = timeout;
  rpc::RpcClientOptions options;
  // The callers poll with their own deadline; a retry here would only stretch it.
  options.retry.max_attempts = 1;
  return rpc::RpcClient::connect_http(url, http, options);
}

Result<eth::U256> parse_quantity(const std::string& json_text, std::string_view what) {
  const auto doc = nlohmann::json::parse(json_text, nullptr, false);
  if (doc.is_discarded() || !doc.is_string()) {
    return data_loss(std::string(what) + ": expected a hex quantity, got " + json_text);
  }
  auto value = eth::U256::from_hex(doc.get<std::string>());
  if (!value.ok()) return value.error().with_context(what);
  return value;
}

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int fd() const { return fd_; }

 private:
  int fd_;
};

// Waits for `events` on `fd` until `deadline`. Errors: kDeadlineExceeded.
Status wait_fd(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return deadline_exceeded("no answer in time");
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r > 0) return ok_status();
    if (r == 0) return deadline_exceeded("no answer in time");
    if (errno != EINTR) return unavailable(std::string("poll: ") + std::strerror(errno));
  }
}

}  // namespace

Result<std::uint64_t> query_chain_id(std::string_view rpc_url, std::chrono::milliseconds timeout) {
  PACTUM_TRY(auto client, connect_once(rpc_url, timeout));
  PACTUM_TRY(std::string answer, client->call("eth_chainId", "[]"));
  PACTUM_TRY(eth::U256 id, parse_quantity(answer, "eth_chainId"));
  if (!id.fits_u64()) return data_loss("eth_chainId: " + id.to_dec() + " does not fit 64 bits");
  return id.low64();
}

Result<eth::U256> query_balance(std::string_view rpc_url, const eth::Address& address,
                                std::chrono::milliseconds timeout) {
  PACTUM_TRY(auto client, connect_once(rpc_url, timeout));
  const std::string params = "[\"" + address.to_hex() + "\",\"latest\"]";
  PACTUM_TRY(std::string answer, client->call("eth_getBalance", params));
  return parse_quantity(answer, "eth_getBalance");
}

Result<int> http_get_status(std::string_view base_url, std::string_view path,
                            std::chrono::milliseconds timeout) {
  PACTUM_TRY(rpc::HttpEndpoint endpoint, rpc::parse_http_url(base_url));
  if (endpoint.tls) return unimplemented("the local stack's probe speaks http:// only");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(endpoint.host.c_str(), endpoint.port.c_str(), &hints, &found);
      rc != 0) {
    return unavailable("cannot resolve " + endpoint.host + ": " + ::gai_strerror(rc));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, ::freeaddrinfo);
  Socket sock(::socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (sock.fd() < 0) return unavailable(std::string("socket: ") + std::strerror(errno));
  if (::connect(sock.fd(), found->ai_addr, found->ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      return unavailable("cannot connect to " + std::string(base_url) + ": " +
                         std::strerror(errno));
    }
    PACTUM_TRY_STATUS(wait_fd(sock.fd(), POLLOUT, deadline));
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(sock.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      return unavailable("cannot connect to " + std::string(base_url) + ": " + std::strerror(err));
    }
  }
  std::string base_target = endpoint.target == "/" ? "" : endpoint.target;
  const std::string request = "GET " + base_target + std::string(path) +
                              " HTTP/1.1\r\nHost: " + endpoint.host + ":" + endpoint.port +
                              "\r\nConnection: close\r\n\r\n";
  std::size_t sent = 0;
  while (sent < request.size()) {
    PACTUM_TRY_STATUS(wait_fd(sock.fd(), POLLOUT, deadline));
    const ssize_t n = ::send(sock.fd(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      return unavailable(std::string("send: ") + std::strerror(errno));
    }
    if (n > 0) sent += static_cast<std::size_t>(n);
  }
  // Only the status line matters.
  std::string head;
  while (head.find("\r\n") == std::string::npos && head.size() < 1024) {
    PACTUM_TRY_STATUS(wait_fd(sock.fd(), POLLIN, deadline));
    char buf[512];
    const ssize_t n = ::recv(sock.fd(), buf, sizeof buf, 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return unavailable(std::string("recv: ") + std::strerror(errno));
    }
    head.append(buf, static_cast<std::size_t>(n));
  }
  // "HTTP/1.1 200 OK"
  if (head.rfind("HTTP/1.", 0) != 0 || head.size() < 12) {
    return unavailable("not an HTTP answer from " + std::string(base_url));
  }
  const std::string code = head.substr(9, 3);
  if (code.find_first_not_of("0123456789") != std::string::npos) {
    return unavailable("bad HTTP status line from " + std::string(base_url));
  }
  return std::stoi(code);
}

}  // namespace pactum::cli::detail
