// The routes every node serves whatever else it does: GET /health, GET /metrics,
// GET /openapi.json.
//
// Thread safety: as Router (add before the server starts).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "pactum/server/metrics.hpp"
#include "pactum/server/router.hpp"

namespace pactum::server {

// One part of a node's readiness, as /health reports it: "disk", "chain", "store", …
struct HealthCheck {
  std::string name;
  bool ok = true;
  std::string detail;  // what the operator should know ("12.3 GiB free", "0 bytes free: …")
};

struct SystemInfo {
  std::string service = "pactumd";
  std::string version;  // the build's version, "0.1.0"
  std::uint64_t chain_id = 0;
  std::string node_address;  // the node's signing address; "" leaves it out of /health
  // The readiness checks, called by every /health and /ready request: must be cheap and never
  // block on the network (report what a background probe last saw). Empty: none.
  std::function<std::vector<HealthCheck>()> checks;
};

// Adds:
//   GET /health       200 {"status":"ok"|"degraded","service":...,"version":...,"chain_id":...,
//                          "uptime_seconds":...[,"node_address":"0x…"],
//                          "checks":{"<name>":{"ok":true|false,"detail":"…"},…}}
//                     liveness: 200 whenever the process answers; "degraded" when a check fails
//   GET /ready        the same body; 200 when every check is ok, else 503 (for load balancers
//                     and supervisors)
//   GET /metrics      the registry's text exposition (text/plain; version=0.0.4)
//   GET /openapi.json the embedded OpenAPI document (application/json)
// `metrics` must outlive the router's use. Uptime counts from this call.
void add_system_routes(Router& router, SystemInfo info, const MetricsRegistry& metrics);

}  // namespace pactum::server
