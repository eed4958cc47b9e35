#include "pactum/server/system_routes.hpp"

#include <nlohmann/json.hpp>

#include "pactum/server/openapi.hpp"

namespace pactum::server {

void add_system_routes(Router& router, SystemInfo info, const MetricsRegistry& metrics) {
  auto started = std::chrono::steady_clock::now();
  router.add("GET", "/health", [info, started](Request&) -> Result<Response> {
    auto uptime =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
            .count();
    nlohmann::json body = {{"status", "ok"},
                           {"service", info.service},
                           {"version", info.version},
                           {"chain_id", info.chain_id},
                           {"uptime_seconds", uptime}};
    if (!info.node_address.empty()) body["node_address"] = info.node_address;
    return Response::json(body.dump());
  });
  router.add("GET", "/metrics", [&metrics](Request&) -> Result<Response> {
    return Response::text(metrics.render(), 200, "text/plain; version=0.0.4; charset=utf-8");
  });
  router.add("GET", "/openapi.json", [](Request&) -> Result<Response> {
    return Response::json(std::string(openapi_document()));
  });
}

}  // namespace pactum::server
