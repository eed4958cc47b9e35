// A table of DDO texts, valid and invalid, with what the one parser (sdk/ddo.hpp) answers: the
// sdk's own test reads it, and so do the node's publish and the client's resolve, which must
// answer each the same way because both call that parser (issue #16).
//
// Header-only: tests/support/*.cpp go into every test binary; this needs nlohmann and the sdk.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "pactum/sdk/ddo.hpp"
#include "pactum/sdk/did.hpp"

namespace pactum::testing {

struct DdoCase {
  std::string name;
  std::string text;
  std::optional<ErrorCode> code;  // nullopt: the DDO is valid
  std::string message;            // a part of the error message
};

// A valid DDO of `receivers` payment receivers, for the given DID, owner, checksum and sizes.
inline sdk::Ddo sample_ddo(const Hash32& did, const eth::Address& owner,
                           const eth::Address& provider, const Hash32& checksum,
                           std::uint64_t size = 3 * 1024 * 1024 + 7,
                           std::uint32_t chunk_size = 1024 * 1024, std::size_t receivers = 2) {
  sdk::Ddo d;
  d.did = did;
  d.chain_id = 31337;
  d.controller = owner;
  d.created = "2026-12-01T00:00:00Z";
  d.metadata.endpoint = "http://127.0.0.1:8030/api/v1/assets/" + sdk::format_did(did);
  d.metadata.name = "data.bin";
  d.metadata.content_type = "application/octet-stream";
  d.metadata.size = size;
  d.metadata.chunk_size = chunk_size;
  d.metadata.chunk_count = size / chunk_size + (size % chunk_size != 0 ? 1 : 0);
  d.metadata.checksum = checksum;
  d.access.endpoint = "http://127.0.0.1:8030/api/v1/access";
  d.access.provider = provider;
  d.access.template_id.fill(0x33);
  d.access.access_timeout_seconds = 3600;
  d.access.payment.token = eth::Address();
  for (std::size_t i = 0; i < receivers; ++i) {
    std::array<std::uint8_t, 20> a{};
    a[19] = static_cast<std::uint8_t>(i + 1);
    a[0] = 0x70;
    d.access.payment.receivers.push_back(eth::Address(a));
    d.access.payment.amounts.push_back(eth::U256(1000 + i));
  }
  if (receivers > 0) d.access.payment.receivers[0] = owner;
  return d;
}

// The cases, built from `base` (a valid DDO; its receivers are replaced where a case needs
// more). Each invalid case changes one thing.
inline std::vector<DdoCase> ddo_cases(const sdk::Ddo& base) {
  using Json = nlohmann::json;
  const auto invalid = ErrorCode::kInvalidArgument;
  std::vector<DdoCase> out;
  const std::string text = sdk::write_ddo(base);
  auto edit = [&](std::string name, const std::function<void(Json&)>& change,
                  std::optional<ErrorCode> code, std::string message) {
    Json j = Json::parse(text);
    change(j);
    out.push_back({std::move(name), j.dump(), code, std::move(message)});
  };
  auto with_receivers = [&](std::size_t n) {
    sdk::Ddo d = base;
    d.access.payment.receivers.resize(1);
    d.access.payment.amounts.resize(1);
    for (std::size_t i = 1; i < n; ++i) {
      std::array<std::uint8_t, 20> a{};
      a[0] = 0x71;
      a[19] = static_cast<std::uint8_t>(i);
      d.access.payment.receivers.push_back(eth::Address(a));
      d.access.payment.amounts.push_back(eth::U256(i));
    }
    return d;
  };
  auto meta = [](Json& j) -> Json& { return j["service"][0]; };
  auto access = [](Json& j) -> Json& { return j["service"][1]; };

  // Valid.
  out.push_back({"canonical", text, std::nullopt, ""});
  out.push_back({"8 receivers", sdk::write_ddo(with_receivers(8)), std::nullopt, ""});
  edit(
      "unknown top-level member", [](Json& j) { j["alsoKnownAs"] = {"x"}; }, std::nullopt, "");
  edit(
      "service of another protocol",
      [](Json& j) {
        j["service"].push_back({{"type", "LinkedDomains"}, {"x", 1}});
      },
      std::nullopt, "");
  edit(
      "no access serviceEndpoint", [&](Json& j) { access(j).erase("serviceEndpoint"); },
      std::nullopt, "");
  edit(
      "access timeout of a year", [&](Json& j) { access(j)["accessTimeout"] = "31536000"; },
      std::nullopt, "");

  // Not a DDO at all.
  out.push_back({"not JSON", "{\"id\":", invalid, "not JSON"});
  out.push_back({"an array", "[]", invalid, "must be a JSON object"});
  out.push_back(
      {"too deep", std::string(17, '[') + std::string(17, ']'), invalid, "nests deeper than 16"});
  edit(
      "deep unknown member",
      [](Json& j) {
        Json v = 1;
        for (int i = 0; i < 20; ++i) v = Json::array({v});
        j["extra"] = v;
      },
      invalid, "nests deeper");
  out.push_back({"over 1 MiB", "{\"id\":\"" + std::string(sdk::kMaxDdoBytes, 'x') + "\"}",
                 ErrorCode::kResourceExhausted, "more than 1048576"});
  {
    std::string dup = text;
    dup.insert(1, "\"id\":\"x\",");
    out.push_back({"duplicate id", dup, invalid, "repeats the key \"id\""});
  }

  // Identity.
  edit(
      "id missing", [](Json& j) { j.erase("id"); }, invalid, "DDO id: missing");
  edit(
      "id not a DID", [](Json& j) { j["id"] = "did:example:1"; }, invalid, "DDO id:");
  edit(
      "controller missing", [](Json& j) { j.erase("controller"); }, invalid,
      "DDO controller: missing");
  edit(
      "controller of another method", [](Json& j) { j["controller"] = "did:web:example.com"; },
      invalid, "DDO controller:");
  edit(
      "controller without chain",
      [](Json& j) {
        j["controller"] = "did:pkh:eip155::0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
      },
      invalid, "DDO controller:");
  edit(
      "controller bad address", [](Json& j) { j["controller"] = "did:pkh:eip155:31337:0x1234"; },
      invalid, "DDO controller:");
  edit(
      "created not a string", [](Json& j) { j["created"] = 5; }, invalid,
      "DDO created: must be a string");

  // Services.
  edit(
      "service missing", [](Json& j) { j.erase("service"); }, invalid, "DDO service: missing");
  edit(
      "service an object", [](Json& j) { j["service"] = Json::object(); }, invalid,
      "DDO service: must be an array");
  edit(
      "service entry a number", [](Json& j) { j["service"].push_back(3); }, invalid,
      "must be an object");
  edit(
      "no metadata service", [](Json& j) { j["service"].erase(0); }, invalid, "no PactumMetadata");
  edit(
      "no access service", [](Json& j) { j["service"].erase(1); }, invalid, "no PactumAccess");
  edit(
      "two access services", [&](Json& j) { j["service"].push_back(access(j)); }, invalid,
      "a second PactumAccess");

  // Metadata.
  edit(
      "size a number", [&](Json& j) { meta(j)["size"] = 5; }, invalid,
      "service[0].size: must be a string");
  edit(
      "size negative", [&](Json& j) { meta(j)["size"] = "-1"; }, invalid,
      "service[0].size: must be a decimal string");
  edit(
      "size leading zero", [&](Json& j) { meta(j)["size"] = "07"; }, invalid,
      "service[0].size: must be a decimal string");
  edit(
      "size past uint64", [&](Json& j) { meta(j)["size"] = "18446744073709551616"; }, invalid,
      "service[0].size");
  edit(
      "chunkSize 0", [&](Json& j) { meta(j)["chunkSize"] = "0"; }, invalid,
      "service[0].chunkSize: must not be 0");
  edit(
      "chunkCount wrong", [&](Json& j) { meta(j)["chunkCount"] = "3"; }, invalid,
      "service[0].chunkCount: is 3");
  edit(
      "checksum short", [&](Json& j) { meta(j)["checksum"] = "0x1234"; }, invalid,
      "service[0].checksum");
  edit(
      "checksum algorithm", [&](Json& j) { meta(j)["checksumAlgorithm"] = "md5"; }, invalid,
      "service[0].checksumAlgorithm: must be sha256-merkle-rfc9162");
  edit(
      "name too long", [&](Json& j) { meta(j)["name"] = std::string(257, 'n'); }, invalid,
      "service[0].name: is 257 bytes");

  // Access and payment.
  edit(
      "provider not an address", [&](Json& j) { access(j)["provider"] = "0x12"; }, invalid,
      "service[1].provider");
  edit(
      "templateId missing", [&](Json& j) { access(j).erase("templateId"); }, invalid,
      "service[1].templateId: missing");
  edit(
      "payment missing", [&](Json& j) { access(j).erase("payment"); }, invalid,
      "service[1].payment: missing");
  edit(
      "token not an address", [&](Json& j) { access(j)["payment"]["token"] = 0; }, invalid,
      "service[1].payment.token: must be a string");
  out.push_back({"9 receivers", sdk::write_ddo(with_receivers(9)), invalid,
                 "service[1].payment.receivers: must name 1..8 receivers"});
  edit(
      "no receivers",
      [&](Json& j) {
        access(j)["payment"]["receivers"] = Json::array();
        access(j)["payment"]["amounts"] = Json::array();
      },
      invalid, "must name 1..8 receivers");
  edit(
      "fewer amounts", [&](Json& j) { access(j)["payment"]["amounts"].erase(1); }, invalid,
      "service[1].payment.amounts: must have one amount per receiver");
  edit(
      "zero receiver",
      [&](Json& j) {
        access(j)["payment"]["receivers"][1] = "0x0000000000000000000000000000000000000000";
      },
      invalid, "service[1].payment.receivers[1]: is the zero address");
  edit(
      "amount a number", [&](Json& j) { access(j)["payment"]["amounts"][0] = 5; }, invalid,
      "service[1].payment.amounts[0]: must be a decimal string");
  edit(
      "amount past uint256",
      [&](Json& j) {
        access(j)["payment"]["amounts"][0] =
            "115792089237316195423570985008687907853269984665640564039457584007913129639936";
      },
      invalid, "service[1].payment.amounts[0]");
  edit(
      "access timeout 0", [&](Json& j) { access(j)["accessTimeout"] = "0"; }, invalid,
      "service[1].accessTimeout: must be at least 1 s");
  edit(
      "access timeout over a year", [&](Json& j) { access(j)["accessTimeout"] = "31536001"; },
      invalid, "service[1].accessTimeout: must be at most 31536000");
  edit(
      "access endpoint too long",
      [&](Json& j) { access(j)["serviceEndpoint"] = "http://x/" + std::string(2100, 'a'); },
      invalid, "service[1].serviceEndpoint: is 2109 bytes");
  return out;
}

}  // namespace pactum::testing

namespace pactum::testing {

// The DDO a publisher writes for an upload, from the node's upload answer
// ({upload_id, checksum, size, chunk_size, chunk_count}), priced `price` wei to `owner`.
inline sdk::Ddo ddo_for_upload(const Hash32& did, const eth::Address& owner,
                               const eth::Address& provider, const Hash32& template_id,
                               const nlohmann::json& upload, const eth::U256& price,
                               std::uint64_t chain_id = 31337) {
  sdk::Ddo d = sample_ddo(
      did, owner, provider, fixed_from_hex<32>(upload.at("checksum").get<std::string>()).value(),
      upload.at("size").get<std::uint64_t>(), upload.at("chunk_size").get<std::uint32_t>(), 1);
  d.chain_id = chain_id;
  d.metadata.chunk_count = upload.at("chunk_count").get<std::uint64_t>();
  d.access.template_id = template_id;
  d.access.payment.amounts = {price};
  return d;
}

}  // namespace pactum::testing
