// The routes every node serves whatever else it does: GET /health, GET /metrics,
// GET /openapi.json.
//
// Thread safety: as Router (add before the server starts).
#pragma once

#include <chrono>
#include <string>

#include "pactum/server/metrics.hpp"
#include "pactum/server/router.hpp"

namespace pactum::server {

struct SystemInfo {
  std::string service = "pactumd";
  std::string version;  // the build's version, "0.1.0"
  std::uint64_t chain_id = 0;
  std::string node_address;  // the node's signing address; "" leaves it out of /health
};

// Adds:
//   GET /health       200 {"status":"ok","service":...,"version":...,"chain_id":...,
//                          "uptime_seconds":...[,"node_address":"0x…"]}
//   GET /metrics      the registry's text exposition (text/plain; version=0.0.4)
//   GET /openapi.json the embedded OpenAPI document (application/json)
// `metrics` must outlive the router's use. Uptime counts from this call.
void add_system_routes(Router& router, SystemInfo info, const MetricsRegistry& metrics);

}  // namespace pactum::server
