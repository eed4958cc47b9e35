#include "pactum/rpc/tls.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/ip/address.hpp>
#include <boost/system/system_error.hpp>
#include <optional>

namespace pactum::rpc {
namespace {

// Why a certificate was refused (nullopt: the handshake failed for another reason).
std::optional<std::string> describe_verify_failure(long result, const std::string& host) {
  switch (result) {
    case X509_V_OK:
      return std::nullopt;
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return "has expired";
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "is not valid yet";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return "is not valid for host " + host;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      return "is issued by a CA this client does not trust (a private CA: give its certificate "
             "with --ca-file)";
    default:
      return std::string("is refused: ") + X509_verify_cert_error_string(result);
  }
}

}  // namespace

Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_client_context(
    const std::string& ca_file) {
  namespace ssl = boost::asio::ssl;
  try {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
    context->set_verify_mode(ssl::verify_peer);
    if (ca_file.empty()) {
      context->set_default_verify_paths();
    } else {
      context->load_verify_file(ca_file);
    }
    return context;
  } catch (const boost::system::system_error& e) {
    if (ca_file.empty()) {
      return unavailable(std::string("TLS: the system trust store cannot be used: ") + e.what());
    }
    return invalid_argument("the CA file " + ca_file +
                            " cannot be read as PEM certificates: " + e.code().message());
  }
}

Status prepare_tls_client(SSL* ssl, const std::string& host) {
  boost::system::error_code not_ip;
  (void)boost::asio::ip::make_address(host, not_ip);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  const bool named = not_ip ? X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0) == 1
                            : X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1;
  if (!named || (not_ip && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1)) {
    return invalid_argument("TLS: cannot check a certificate for host " + host);
  }
  return ok_status();
}

Error tls_handshake_error(SSL* ssl, const boost::system::error_code& ec, bool timed_out,
                          const std::string& host, const std::string& port) {
  const std::string where = "TLS with " + host + ":" + port;
  if (auto refused = describe_verify_failure(SSL_get_verify_result(ssl), host)) {
    return unauthenticated(where + ": the server's certificate " + *refused);
  }
  if (timed_out) return deadline_exceeded(where + ": handshake timed out");
  return unavailable(where + ": handshake failed: " + ec.message());
}

}  // namespace pactum::rpc
