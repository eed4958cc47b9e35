// NodeHttpClient: HTTP/1.1 to a Pactum node (docs/node-api.md) with bodies streamed in pieces,
// so that a multi-GB upload or download never sits in memory whole: an upload body is pulled
// from a BodyReader piece by piece, a download body is pushed to a BodyWriter as it arrives.
// Small answers (DDOs, proofs, error documents) are read whole up to a limit.
//
// Each call opens its own connection (Connection: close): a node request is expensive next to
// a TCP handshake on loopback, and no connection state survives an error. `https://` speaks TLS
// with the checks of rpc/tls.hpp (system trust store or NodeHttpOptions::ca_file, host name,
// SNI); a refused certificate is kUnauthenticated, its reason named. Every wait is bounded:
// connect_timeout for the connection and handshake, idle_timeout for each piece.
//
// Thread safety: a NodeHttpClient is a value; concurrent calls use separate connections.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace pactum::client {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Fills `buffer` with the next bytes of an upload body; returns how many (0: no more).
using BodyReader = std::function<Result<std::size_t>(std::span<std::uint8_t> buffer)>;
// Takes the next piece of a download body (pieces arrive in order, none is empty).
using BodyWriter = std::function<Status(ByteView piece)>;

struct NodeHttpOptions {
  std::chrono::milliseconds connect_timeout{5'000};
  // The longest wait for one piece of a transfer (or a whole small answer): a stalled node fails
  // with kDeadlineExceeded, a slow but moving transfer does not.
  std::chrono::milliseconds idle_timeout{120'000};
  // Answers read whole (not streamed to a BodyWriter) larger than this are kResourceExhausted.
  std::size_t max_answer_bytes = std::size_t{16} << 20;
  // The size of the pieces an upload is sent in and a download is read in.
  std::size_t piece_size = std::size_t{256} << 10;
  // https://: a PEM file of the CAs to trust instead of the system's; empty: the system's.
  std::string ca_file;
};

// What the node answered.
struct NodeReply {
  int status = 0;
  // The whole body, except a 2xx answer of download() (which went to the BodyWriter).
  std::string body;
  std::optional<std::string> content_range;  // the Content-Range header, when sent
  // Retry-After in seconds (0..3600), when sent as a number: the node asks to be asked again.
  std::optional<std::chrono::seconds> retry_after;
  std::uint64_t streamed_bytes = 0;  // download(): bytes handed to the BodyWriter
};

class NodeHttpClient {
 public:
  // A client for the node at `base_url` (http://host[:port][/prefix]); does not connect.
  // Errors: kInvalidArgument for a malformed URL, or (https://) an options.ca_file that cannot be
  // read as PEM certificates.
  [[nodiscard]] static Result<NodeHttpClient> create(std::string_view base_url,
                                                     NodeHttpOptions options = {});

  [[nodiscard]] const std::string& base_url() const noexcept { return base_url_; }

  // Sends `method` `path` (appended to the URL's prefix; REQUIRES: starts with '/') with a small
  // body and returns the answer, whatever its status.
  // Errors: kUnavailable when the node cannot be reached or drops the connection;
  // kDeadlineExceeded when it stalls; kUnauthenticated when its TLS certificate is refused;
  // kResourceExhausted for an answer over max_answer_bytes.
  [[nodiscard]] Result<NodeReply> request(std::string_view method, std::string_view path,
                                          const HeaderList& headers, std::string_view body = {},
                                          std::string_view content_type = {}) const;

  // Sends a body of exactly `length` bytes pulled from `read`, then returns the answer. A node
  // that answers before taking the whole body (a refused upload) has its answer returned.
  // Errors: as request(); those `read` returns; kAborted when `read` ends before `length`
  // bytes (the file changed while being sent).
  [[nodiscard]] Result<NodeReply> upload(std::string_view method, std::string_view path,
                                         const HeaderList& headers, std::uint64_t length,
                                         const BodyReader& read) const;

  // GET `path`. A 2xx body is handed to `write` piece by piece as it arrives (nothing of it is
  // kept here); any other answer is returned whole, for node_error().
  // Errors: as request(); those `write` returns (the transfer stops there); kUnavailable when
  // the node closes the connection before the declared length (nothing vouches for the rest).
  [[nodiscard]] Result<NodeReply> download(std::string_view path, const HeaderList& headers,
                                           const BodyWriter& write) const;

 private:
  NodeHttpClient(std::string base_url, std::string host, std::string port, std::string prefix,
                 NodeHttpOptions options, std::shared_ptr<boost::asio::ssl::context> tls)
      : base_url_(std::move(base_url)),
        host_(std::move(host)),
        port_(std::move(port)),
        prefix_(std::move(prefix)),
        options_(std::move(options)),
        tls_(std::move(tls)) {}

  std::string base_url_;
  std::string host_;
  std::string port_;
  std::string prefix_;  // "" or "/prefix" without a trailing slash
  NodeHttpOptions options_;
  std::shared_ptr<boost::asio::ssl::context> tls_;  // https:// only; shared by copies
};

// The error a node's non-2xx answer stands for: the node's own code and message from its error
// document ({"error":{"code":…,"message":…}}, docs/http.md), prefixed by `what`; the node's
// "internal" becomes kUnavailable (the node failed, not this program). An answer without such a
// document is mapped by its status (rpc::error_from_http_status).
[[nodiscard]] Error node_error(const NodeReply& reply, std::string_view what);

}  // namespace pactum::client
