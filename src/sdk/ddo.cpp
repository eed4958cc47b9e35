#include "pactum/sdk/ddo.hpp"

#include <charconv>

#include "guarded_json.hpp"
#include "pactum/sdk/did.hpp"

namespace pactum::sdk {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kControllerPrefix = "did:pkh:eip155:";

// Reads the members of one JSON object, each error naming the member by its path in the DDO.
class Members {
 public:
  Members(const Json& object, std::string path) : object_(object), path_(std::move(path)) {}

  [[nodiscard]] Error error(std::string_view member, std::string_view why) const {
    return invalid_argument("DDO " + path_ + std::string(member) + ": " + std::string(why));
  }

  // The member `name`, or nullptr when absent.
  [[nodiscard]] const Json* find(std::string_view name) const {
    auto it = object_.find(name);
    return it == object_.end() ? nullptr : &*it;
  }

  [[nodiscard]] Result<std::string> text(std::string_view name, std::size_t max_length) const {
    const Json* v = find(name);
    if (v == nullptr) return error(name, "missing");
    if (!v->is_string()) return error(name, "must be a string");
    const auto& s = v->get_ref<const std::string&>();
    if (s.size() > max_length) {
      return error(name, "is " + std::to_string(s.size()) + " bytes, more than " +
                             std::to_string(max_length));
    }
    return s;
  }

  // A decimal string of an unsigned integer of at most `max` (no sign, no leading zero).
  [[nodiscard]] Result<std::uint64_t> count(std::string_view name, std::uint64_t max) const {
    PACTUM_TRY(std::string s, text(name, 20));
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() ||
        (s.size() > 1 && s[0] == '0')) {
      return error(name, "must be a decimal string of an unsigned integer");
    }
    if (value > max) return error(name, "must be at most " + std::to_string(max));
    return value;
  }

  [[nodiscard]] Result<eth::Address> address(std::string_view name) const {
    PACTUM_TRY(std::string s, text(name, 42));
    auto a = eth::Address::parse(s);
    if (!a.ok()) return error(name, a.error().message());
    return *a;
  }

  [[nodiscard]] Result<Hash32> hash(std::string_view name) const {
    PACTUM_TRY(std::string s, text(name, 66));
    if (s.size() != 66 || s.substr(0, 2) != "0x")
      return error(name, "must be 0x and 64 hex digits");
    auto h = fixed_from_hex<32>(s);
    if (!h.ok()) return error(name, h.error().message());
    return *h;
  }

  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  const Json& object_;
  std::string path_;
};

Result<std::uint64_t> parse_chain_id(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value == 0 ||
      text[0] == '0') {
    return invalid_argument("no chain id");
  }
  return value;
}

Status parse_controller(const Members& top, Ddo& out) {
  PACTUM_TRY(std::string text, top.text("controller", kMaxDdoTextLength));
  const auto colon = text.rfind(':');
  if (text.rfind(kControllerPrefix, 0) != 0 || colon < kControllerPrefix.size()) {
    return top.error("controller", "must be did:pkh:eip155:<chain id>:<owner address>");
  }
  auto chain = parse_chain_id(
      std::string_view(text).substr(kControllerPrefix.size(), colon - kControllerPrefix.size()));
  if (!chain.ok()) return top.error("controller", "must be did:pkh:eip155:<chain id>:<address>");
  auto owner = eth::Address::parse(std::string_view(text).substr(colon + 1));
  if (!owner.ok()) return top.error("controller", owner.error().message());
  out.chain_id = *chain;
  out.controller = *owner;
  return ok_status();
}

Status parse_metadata(const Members& s, MetadataService& out) {
  PACTUM_TRY(out.endpoint, s.text("serviceEndpoint", kMaxServiceEndpointLength));
  PACTUM_TRY(out.name, s.text("name", kMaxDdoTextLength));
  PACTUM_TRY(out.content_type, s.text("contentType", kMaxDdoTextLength));
  PACTUM_TRY(out.size, s.count("size", UINT64_MAX));
  PACTUM_TRY(std::uint64_t chunk_size, s.count("chunkSize", UINT32_MAX));
  if (chunk_size == 0) return s.error("chunkSize", "must not be 0");
  out.chunk_size = static_cast<std::uint32_t>(chunk_size);
  PACTUM_TRY(out.chunk_count, s.count("chunkCount", UINT64_MAX));
  const std::uint64_t expected = out.size / chunk_size + (out.size % chunk_size != 0 ? 1 : 0);
  if (out.chunk_count != expected) {
    return s.error("chunkCount", "is " + std::to_string(out.chunk_count) + ", but " +
                                     std::to_string(out.size) + " bytes in chunks of " +
                                     std::to_string(chunk_size) + " are " +
                                     std::to_string(expected));
  }
  PACTUM_TRY(out.checksum, s.hash("checksum"));
  PACTUM_TRY(std::string algorithm, s.text("checksumAlgorithm", kMaxDdoTextLength));
  if (algorithm != kChecksumAlgorithm) {
    return s.error("checksumAlgorithm", "must be " + std::string(kChecksumAlgorithm));
  }
  return ok_status();
}

Status parse_payment(const Members& s, PaymentTerms& out) {
  const Json* payment = s.find("payment");
  if (payment == nullptr) return s.error("payment", "missing");
  if (!payment->is_object()) return s.error("payment", "must be an object");
  const Members p(*payment, s.path() + "payment.");
  PACTUM_TRY(out.token, p.address("token"));
  const Json* receivers = p.find("receivers");
  const Json* amounts = p.find("amounts");
  if (receivers == nullptr || !receivers->is_array()) {
    return p.error("receivers", "must be an array of addresses");
  }
  if (amounts == nullptr || !amounts->is_array()) {
    return p.error("amounts", "must be an array of decimal strings");
  }
  if (receivers->empty() || receivers->size() > kMaxPaymentReceivers) {
    return p.error("receivers", "must name 1.." + std::to_string(kMaxPaymentReceivers) +
                                    " receivers (the engine pays at most " +
                                    std::to_string(kMaxPaymentReceivers) + "), not " +
                                    std::to_string(receivers->size()));
  }
  if (amounts->size() != receivers->size()) {
    return p.error("amounts", "must have one amount per receiver (" +
                                  std::to_string(receivers->size()) + "), not " +
                                  std::to_string(amounts->size()));
  }
  for (std::size_t i = 0; i < receivers->size(); ++i) {
    const std::string at = "receivers[" + std::to_string(i) + "]";
    const Json& r = (*receivers)[i];
    if (!r.is_string() || r.get_ref<const std::string&>().size() > 42) {
      return p.error(at, "must be an address");
    }
    auto a = eth::Address::parse(r.get_ref<const std::string&>());
    if (!a.ok()) return p.error(at, a.error().message());
    if (a->is_zero()) return p.error(at, "is the zero address");
    out.receivers.push_back(*a);
  }
  for (std::size_t i = 0; i < amounts->size(); ++i) {
    const std::string at = "amounts[" + std::to_string(i) + "]";
    const Json& m = (*amounts)[i];
    if (!m.is_string() || m.get_ref<const std::string&>().size() > 78) {
      return p.error(at, "must be a decimal string of a uint256");
    }
    auto v = eth::U256::from_dec(m.get_ref<const std::string&>());
    if (!v.ok()) return p.error(at, v.error().message());
    out.amounts.push_back(*v);
  }
  return ok_status();
}

Status parse_access(const Members& s, AccessService& out) {
  if (s.find("serviceEndpoint") != nullptr) {
    PACTUM_TRY(out.endpoint, s.text("serviceEndpoint", kMaxServiceEndpointLength));
  }
  PACTUM_TRY(out.provider, s.address("provider"));
  PACTUM_TRY(out.template_id, s.hash("templateId"));
  PACTUM_TRY_STATUS(parse_payment(s, out.payment));
  PACTUM_TRY(out.access_timeout_seconds, s.count("accessTimeout", kMaxAccessTimeoutSeconds));
  if (out.access_timeout_seconds == 0) return s.error("accessTimeout", "must be at least 1 s");
  return ok_status();
}

Status parse_services(const Json& top, Ddo& out) {
  auto it = top.find("service");
  if (it == top.end()) return invalid_argument("DDO service: missing");
  if (!it->is_array()) return invalid_argument("DDO service: must be an array");
  bool metadata = false;
  bool access = false;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const Json& s = (*it)[i];
    const std::string path = "service[" + std::to_string(i) + "].";
    if (!s.is_object())
      return invalid_argument("DDO " + path.substr(0, path.size() - 1) + ": must be an object");
    const Members m(s, path);
    PACTUM_TRY(std::string type, m.text("type", kMaxDdoTextLength));
    if (type == "PactumMetadata") {
      if (metadata) return m.error("type", "a second PactumMetadata service");
      PACTUM_TRY_STATUS(parse_metadata(m, out.metadata));
      metadata = true;
    } else if (type == "PactumAccess") {
      if (access) return m.error("type", "a second PactumAccess service");
      PACTUM_TRY_STATUS(parse_access(m, out.access));
      access = true;
    }
    // Services of other types belong to other protocols: kept, not read.
  }
  if (!metadata) return invalid_argument("DDO service: no PactumMetadata service");
  if (!access) return invalid_argument("DDO service: no PactumAccess service");
  return ok_status();
}

}  // namespace

Result<Ddo> parse_ddo(std::string_view text) {
  json::Limits limits;
  limits.max_bytes = kMaxDdoBytes;
  limits.max_depth = kMaxDdoDepth;
  PACTUM_TRY(Json top, json::parse(text, limits, "DDO"));
  if (!top.is_object()) return invalid_argument("DDO: must be a JSON object");
  const Members m(top, "");
  Ddo out;
  PACTUM_TRY(std::string id, m.text("id", kDidLength + 1));
  auto did = parse_did(id);
  if (!did.ok()) return m.error("id", did.error().message());
  out.did = *did;
  PACTUM_TRY_STATUS(parse_controller(m, out));
  PACTUM_TRY(out.created, m.text("created", kMaxDdoTextLength));
  PACTUM_TRY_STATUS(parse_services(top, out));
  return out;
}

std::string write_ddo(const Ddo& ddo) {
  // ordered_json keeps the documented member order (json sorts keys).
  using Ordered = nlohmann::ordered_json;
  const std::string did = format_did(ddo.did);
  const MetadataService& meta = ddo.metadata;
  const AccessService& access = ddo.access;
  Ordered receivers = Ordered::array();
  Ordered amounts = Ordered::array();
  for (const auto& r : access.payment.receivers) receivers.push_back(r.to_checksum_string());
  for (const auto& a : access.payment.amounts) amounts.push_back(a.to_dec());
  Ordered access_json = {{"id", did + "#access"}, {"type", "PactumAccess"}};
  if (access.endpoint) access_json["serviceEndpoint"] = *access.endpoint;
  access_json["provider"] = access.provider.to_checksum_string();
  access_json["templateId"] = to_hex(access.template_id);
  access_json["payment"] = {{"token", access.payment.token.to_checksum_string()},
                            {"receivers", std::move(receivers)},
                            {"amounts", std::move(amounts)}};
  access_json["accessTimeout"] = std::to_string(access.access_timeout_seconds);
  Ordered metadata_json = {{"id", did + "#metadata"},
                           {"type", "PactumMetadata"},
                           {"serviceEndpoint", meta.endpoint},
                           {"name", meta.name},
                           {"contentType", meta.content_type},
                           {"size", std::to_string(meta.size)},
                           {"chunkSize", std::to_string(meta.chunk_size)},
                           {"chunkCount", std::to_string(meta.chunk_count)},
                           {"checksum", to_hex(meta.checksum)},
                           {"checksumAlgorithm", kChecksumAlgorithm}};
  Ordered out = {{"@context", Ordered::array({"https://www.w3.org/ns/did/v1"})},
                 {"id", did},
                 {"controller", std::string(kControllerPrefix) + std::to_string(ddo.chain_id) +
                                    ":" + ddo.controller.to_checksum_string()},
                 {"created", ddo.created},
                 {"service", Ordered::array({std::move(metadata_json), std::move(access_json)})}};
  // Invalid UTF-8 (a file name may be any bytes) is replaced, never thrown on.
  return out.dump(-1, ' ', false, Ordered::error_handler_t::replace);
}

}  // namespace pactum::sdk
