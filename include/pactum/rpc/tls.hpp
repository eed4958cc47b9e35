// The client half of TLS, shared by every https:// client Pactum has (the JSON-RPC transport and
// the node client): one way to build a context, to name the host a certificate must match, and
// to say why a handshake failed.
//
// Policy: TLS 1.2 or later; the server's chain verified against the system trust store
// (Debian's ca-certificates) or a PEM file of private CAs; its name checked against the host
// of the URL, a DNS name or an IP address (RFC 6125; no partial wildcards such as "f*.example");
// SNI carries DNS names only (RFC 6066 §3). A certificate that fails is kUnauthenticated, with
// the reason in words a user can act on.
//
// Included only by the .cpp files that speak TLS: it brings in Asio's SSL headers.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <memory>
#include <string>

#include "pactum/core/result.hpp"

namespace pactum::rpc {

// A client context: TLS >= 1.2, peer verification on, trusting `ca_file` (PEM, one or more CA
// certificates) or, when empty, the system trust store. Errors: kInvalidArgument when `ca_file`
// cannot be read as PEM certificates (the message names the file).
[[nodiscard]] Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_client_context(
    const std::string& ca_file);

// Sets up `ssl` (a connection made from such a context, before its handshake) to accept only a
// certificate for `host` (a DNS name or an IP address literal), and names the host by SNI when
// it is a DNS name. Errors: kInvalidArgument when OpenSSL cannot take the name.
[[nodiscard]] Status prepare_tls_client(SSL* ssl, const std::string& host);

// The error for a handshake with host:port that failed with `ec`:
//   kUnauthenticated   the certificate was refused: "the server's certificate has expired",
//                      "… is not valid for host H", "… is issued by a CA this client does not
//                      trust (a private CA: give its certificate with --ca-file)", or OpenSSL's
//                      own reason for any other refusal;
//   kDeadlineExceeded  the handshake timed out (`timed_out`);
//   kUnavailable       anything else: the server does not speak TLS, or dropped the connection.
[[nodiscard]] Error tls_handshake_error(SSL* ssl, const boost::system::error_code& ec,
                                        bool timed_out, const std::string& host,
                                        const std::string& port);

}  // namespace pactum::rpc
