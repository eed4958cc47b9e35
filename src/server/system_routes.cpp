#include "pactum/server/system_routes.hpp"

#include <nlohmann/json.hpp>

#include "pactum/server/openapi.hpp"

namespace pactum::server {

void add_system_routes(Router& router, SystemInfo info, const MetricsRegistry& metrics) {
  auto started = std::chrono::steady_clock::now();
  // /health and /ready share the body; only /ready's status depends on the checks.
  auto health = [info, started](bool readiness) -> Result<Response> {
    auto uptime =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
            .count();
    nlohmann::json checks = nlohmann::json::object();
    bool ok = true;
    if (info.checks) {
      for (const auto& c : info.checks()) {
        checks[c.name] = {{"ok", c.ok}, {"detail", c.detail}};
        ok = ok && c.ok;
      }
    }
    nlohmann::json body = {{"status", ok ? "ok" : "degraded"},
                           {"service", info.service},
                           {"version", info.version},
                           {"chain_id", info.chain_id},
                           {"uptime_seconds", uptime}};
    if (!info.node_address.empty()) body["node_address"] = info.node_address;
    body["checks"] = std::move(checks);
    return Response::json(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                          readiness && !ok ? 503 : 200);
  };
  router.add("GET", "/health", [health](Request&) { return health(false); });
  router.add("GET", "/ready", [health](Request&) { return health(true); });
  router.add("GET", "/metrics", [&metrics](Request&) -> Result<Response> {
    return Response::text(metrics.render(), 200, "text/plain; version=0.0.4; charset=utf-8");
  });
  router.add("GET", "/openapi.json", [](Request&) -> Result<Response> {
    return Response::json(std::string(openapi_document()));
  });
}

}  // namespace pactum::server
