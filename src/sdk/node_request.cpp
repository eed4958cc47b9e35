#include "pactum/sdk/node_request.hpp"

#include <charconv>

#include "guarded_json.hpp"

#include "pactum/eth/eip712.hpp"
#include "pactum/eth/keccak.hpp"

namespace pactum::sdk {
namespace {

constexpr std::string_view kNodeRequestType =
    "NodeRequest(string action,bytes32 subject,address node,uint256 nonce,uint64 expiry)";

Result<NodeAction> parse_action(std::string_view name) {
  if (name == "upload") return NodeAction::kUpload;
  if (name == "publish") return NodeAction::kPublish;
  if (name == "access") return NodeAction::kAccess;
  return invalid_argument("request: unknown action '" + std::string(name) +
                          "' (expected upload, publish or access)");
}

Result<std::uint64_t> parse_u64(std::string_view text, std::string_view what) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || (text.size() > 1 && text[0] == '0')) {
    return invalid_argument("request: " + std::string(what) + " is not a decimal uint64");
  }
  return value;
}

Result<std::string> member_string(const nlohmann::json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end()) return invalid_argument(std::string("request: missing '") + name + "'");
  if (!it->is_string()) {
    return invalid_argument(std::string("request: '") + name + "' must be a string");
  }
  return it->get<std::string>();
}

}  // namespace

std::string_view node_action_name(NodeAction action) noexcept {
  switch (action) {
    case NodeAction::kUpload:
      return "upload";
    case NodeAction::kPublish:
      return "publish";
    case NodeAction::kAccess:
      return "access";
  }
  return "unknown";
}

Hash32 node_request_signing_hash(const NodeRequest& request, std::uint64_t chain_id) {
  static_assert(sizeof(Hash32) == 32);
  const Hash32 type_hash = eth::keccak256(as_bytes(kNodeRequestType));
  const Hash32 action_hash = eth::keccak256(as_bytes(node_action_name(request.action)));
  Bytes encoded;
  encoded.reserve(6 * 32);
  auto append = [&encoded](const Hash32& word) {
    encoded.insert(encoded.end(), word.begin(), word.end());
  };
  append(type_hash);
  append(action_hash);
  append(request.subject);
  Hash32 node_word{};
  std::copy(request.node.bytes().begin(), request.node.bytes().end(), node_word.begin() + 12);
  append(node_word);
  append(request.nonce.to_word());
  append(eth::U256(request.expiry).to_word());
  const Hash32 struct_hash = eth::keccak256(encoded);
  eth::Eip712Domain domain;
  domain.name = "Pactum Node";
  domain.version = "1";
  domain.chain_id = eth::U256(chain_id);
  return eth::typed_data_signing_hash(eth::domain_separator(domain), struct_hash);
}

std::string node_request_to_header(const NodeRequest& request) {
  // Written by hand, not through a JSON library, so the member order is fixed and readable.
  std::string out = "{\"action\":\"";
  out += node_action_name(request.action);
  out += "\",\"subject\":\"" + to_hex(request.subject);
  out += "\",\"node\":\"" + request.node.to_checksum_string();
  out += "\",\"nonce\":\"" + request.nonce.to_dec();
  out += "\",\"expiry\":\"" + std::to_string(request.expiry) + "\"}";
  return out;
}

Result<NodeRequest> node_request_from_header(std::string_view header) {
  if (header.size() > kMaxRequestHeaderLength) {
    return invalid_argument("request: header is " + std::to_string(header.size()) +
                            " bytes, more than " + std::to_string(kMaxRequestHeaderLength));
  }
  json::Limits limits;
  limits.max_bytes = kMaxRequestHeaderLength;
  limits.max_depth = 1;  // one flat object of strings
  auto parsed = json::parse(header, limits, "request");
  if (!parsed.ok())
    return invalid_argument("request: not a flat JSON object: " + parsed.error().message());
  const nlohmann::json& object = *parsed;
  if (!object.is_object()) return invalid_argument("request: not a JSON object");
  for (const auto& [key, value] : object.items()) {
    if (key != "action" && key != "subject" && key != "node" && key != "nonce" && key != "expiry") {
      return invalid_argument("request: unknown member '" + key + "'");
    }
  }
  NodeRequest request;
  PACTUM_TRY(const std::string action, member_string(object, "action"));
  PACTUM_TRY(request.action, parse_action(action));
  PACTUM_TRY(const std::string subject, member_string(object, "subject"));
  auto subject_bytes = fixed_from_hex<32>(subject);
  if (!subject_bytes.ok()) return subject_bytes.error().with_context("request: subject");
  request.subject = *subject_bytes;
  PACTUM_TRY(const std::string node, member_string(object, "node"));
  auto node_address = eth::Address::parse(node);
  if (!node_address.ok()) return node_address.error().with_context("request: node");
  request.node = *node_address;
  PACTUM_TRY(const std::string nonce, member_string(object, "nonce"));
  auto nonce_value = eth::U256::from_dec(nonce);
  if (!nonce_value.ok()) {
    return invalid_argument("request: nonce is not a decimal uint256: " +
                            nonce_value.error().message());
  }
  request.nonce = *nonce_value;
  PACTUM_TRY(const std::string expiry, member_string(object, "expiry"));
  PACTUM_TRY(request.expiry, parse_u64(expiry, "expiry"));
  return request;
}

SignedNodeRequest sign_node_request(const eth::PrivateKey& key, const NodeRequest& request,
                                    std::uint64_t chain_id) {
  const eth::Signature signature =
      eth::sign_hash(key, node_request_signing_hash(request, chain_id));
  return {node_request_to_header(request), to_hex(signature.serialize())};
}

Result<VerifiedNodeRequest> verify_node_request(std::string_view request_header,
                                                std::string_view signature_header,
                                                const NodeRequestExpectations& expected) {
  PACTUM_TRY(NodeRequest request, node_request_from_header(request_header));
  if (request.action != expected.action) {
    return invalid_argument("request: action is '" + std::string(node_action_name(request.action)) +
                            "', this endpoint takes '" +
                            std::string(node_action_name(expected.action)) + "'");
  }
  if (request.node != expected.node) {
    return permission_denied("request is for node " + request.node.to_checksum_string() +
                             ", this is node " + expected.node.to_checksum_string());
  }
  const auto expiry = static_cast<std::int64_t>(
      std::min<std::uint64_t>(request.expiry, static_cast<std::uint64_t>(INT64_MAX)));
  if (expiry < expected.now) {
    return unauthenticated("request expired at " + std::to_string(request.expiry) + " (now " +
                           std::to_string(expected.now) + ")");
  }
  if (expiry - expected.now > kMaxRequestLifetimeSeconds) {
    return invalid_argument("request: expiry is more than " +
                            std::to_string(kMaxRequestLifetimeSeconds) + " s ahead");
  }
  auto signature = eth::Signature::from_hex(signature_header);
  if (!signature.ok()) {
    return unauthenticated("malformed signature: " + signature.error().message());
  }
  auto signer =
      eth::recover_address(node_request_signing_hash(request, expected.chain_id), *signature);
  if (!signer.ok())
    return unauthenticated("signature does not recover: " + signer.error().message());
  return VerifiedNodeRequest{std::move(request), *signer};
}

}  // namespace pactum::sdk
