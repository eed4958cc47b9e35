#include "pactum/server/router.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace pactum::server {

namespace {

// Splits "/a/b/" into {"a", "b", ""}; "/" into {""}.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  std::size_t start = 0;
  while (true) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      out.push_back(path.substr(start));
      return out;
    }
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
}

bool is_param(std::string_view segment) {
  return segment.size() >= 3 && segment.front() == '{' && segment.back() == '}';
}

[[noreturn]] void route_error(const std::string& what) {
  std::fprintf(stderr, "pactum::server::Router: %s\n", what.c_str());
  std::abort();
}

// Rank of a match: literal segments earlier in the path beat parameters. Compared
// lexicographically, true (literal) > false.
using Rank = std::vector<bool>;

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler, RouteOptions options) {
  Route r;
  r.info = {std::move(method), std::move(pattern), false};
  r.handler = std::move(handler);
  r.options = options;
  add_route(std::move(r));
}

void Router::add_checked(std::string method, std::string pattern, CheckedHandler handler,
                         RouteOptions options) {
  Route r;
  r.info = {std::move(method), std::move(pattern), false};
  r.checked_handler = std::move(handler);
  r.options = options;
  add_route(std::move(r));
}

void Router::add_upload(std::string method, std::string pattern, UploadHandler handler,
                        RouteOptions options) {
  Route r;
  r.info = {std::move(method), std::move(pattern), true};
  r.upload_handler = std::move(handler);
  r.options = options;
  add_route(std::move(r));
}

void Router::add_route(Route route) {
  const std::string& pattern = route.info.pattern;
  if (pattern.empty() || pattern.front() != '/')
    route_error("pattern must start with '/': " + pattern);
  std::set<std::string, std::less<>> names;
  for (std::string_view seg : split_path(pattern)) {
    if (seg.find('{') != std::string_view::npos || seg.find('}') != std::string_view::npos) {
      if (!is_param(seg)) route_error("a {param} must be a whole segment: " + pattern);
      if (!names.emplace(seg.substr(1, seg.size() - 2)).second) {
        route_error("duplicate parameter in " + pattern);
      }
    }
    route.segments.emplace_back(seg);
  }
  for (const auto& r : routes_) {
    if (r->info.method == route.info.method && r->info.pattern == pattern) {
      route_error("route added twice: " + route.info.method + " " + pattern);
    }
  }
  routes_.push_back(std::make_unique<Route>(std::move(route)));
}

Router::Match Router::match(std::string_view method, std::string_view path,
                            std::map<std::string, std::string, std::less<>>& params) const {
  Match result;
  std::vector<std::string_view> segs = split_path(path);
  const Route* best = nullptr;
  Rank best_rank;
  const Route* best_get = nullptr;  // for HEAD falling back to GET
  Rank best_get_rank;
  std::set<std::string> allowed;
  for (const auto& r : routes_) {
    if (r->segments.size() != segs.size()) continue;
    Rank rank;
    rank.reserve(segs.size());
    bool ok = true;
    for (std::size_t i = 0; i < segs.size() && ok; ++i) {
      const std::string& p = r->segments[i];
      if (is_param(p)) {
        ok = !segs[i].empty();
        rank.push_back(false);
      } else {
        ok = p == segs[i];
        rank.push_back(true);
      }
    }
    if (!ok) continue;
    allowed.insert(r->info.method);
    if (r->info.method == "GET") allowed.insert("HEAD");
    if (r->info.method == method && (best == nullptr || rank > best_rank)) {
      best = r.get();
      best_rank = std::move(rank);
    } else if (method == "HEAD" && r->info.method == "GET" &&
               (best_get == nullptr || rank > best_get_rank)) {
      best_get = r.get();
      best_get_rank = std::move(rank);
    }
  }
  if (best == nullptr) best = best_get;
  if (best == nullptr) {
    result.path_known = !allowed.empty();
    for (const auto& m : allowed) {
      if (!result.allow.empty()) result.allow += ", ";
      result.allow += m;
    }
    return result;
  }
  params.clear();
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const std::string& p = best->segments[i];
    if (!is_param(p)) continue;
    auto decoded = percent_decode(segs[i], false);
    if (!decoded.ok()) {
      // An undecodable parameter matches nothing: answer 404 rather than guess.
      params.clear();
      return result;
    }
    params.emplace(p.substr(1, p.size() - 2), std::move(decoded).value());
  }
  result.route = best;
  result.path_known = true;
  return result;
}

std::vector<RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  out.reserve(routes_.size());
  for (const auto& r : routes_) out.push_back(r->info);
  return out;
}

}  // namespace pactum::server
