// Routes: method + path pattern → handler.
//
// A pattern is a sequence of '/'-separated segments; a segment "{name}" matches any one non-empty
// segment and binds it, percent-decoded, to Request::params["name"]. Literal segments win over
// parameters at the same position ("/assets/count" before "/assets/{did}"), whatever the order of
// registration. A path that matches a pattern under another method gives 405 with an Allow
// header; a path that matches no pattern gives 404. A GET route also answers HEAD (the server
// sends the head and no body) unless a HEAD route exists.
//
// Thread safety: add routes before the server starts; afterwards the router is only read and may
// be used from any number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pactum/server/http.hpp"

namespace pactum::server {

// An ordinary handler: the whole body is in Request::body. Runs on a server worker thread; it
// may throw, but should not: an escaping exception is logged and answered with 500.
using Handler = std::function<Result<Response>(Request& request)>;

// An upload handler: called with the request head (Request::body empty) before any body byte is
// read; returns the sink that will consume the body, or an error to refuse the upload (the body
// is then not read).
using UploadHandler = std::function<Result<std::unique_ptr<BodySink>>(Request& request)>;

// A checked handler: called with the request head (Request::body empty) before any body byte is
// read — authentication and authorisation go here, so that nobody who may not use a route can
// make the server read (and hold a connection for) its body. An error is answered at once and
// the connection closed without reading the body; otherwise the returned handler is called with
// the whole request, body included, and may carry what the check learnt (the signer).
using CheckedHandler = std::function<Result<Handler>(Request& head)>;

struct RouteOptions {
  // The largest body this route accepts, in bytes; a larger body is refused with 413. nullopt:
  // the server's HttpServerOptions::max_body_size. For ordinary routes the body is held in
  // memory, so a value larger than the server's max_body_size is lowered to it.
  std::optional<std::uint64_t> max_body_size;
};

struct RouteInfo {
  std::string method;
  std::string pattern;
  bool upload = false;
};

class Router {
 public:
  // Adds an ordinary route. REQUIRES: `pattern` starts with '/', each "{name}" segment is whole
  // and its name is unique in the pattern, and (method, pattern) is not yet added; violations
  // are programming errors and abort.
  void add(std::string method, std::string pattern, Handler handler, RouteOptions options = {});
  // Adds an ordinary route whose head is checked before its body is read (CheckedHandler);
  // same requirements as add().
  void add_checked(std::string method, std::string pattern, CheckedHandler handler,
                   RouteOptions options = {});
  // Adds a streaming-upload route; same requirements as add().
  void add_upload(std::string method, std::string pattern, UploadHandler handler,
                  RouteOptions options = {});

  struct Route {
    RouteInfo info;
    std::vector<std::string> segments;  // pattern split at '/'
    Handler handler;                    // set for ordinary routes without a head check
    CheckedHandler checked_handler;     // set for ordinary routes with one
    UploadHandler upload_handler;       // set for upload routes
    RouteOptions options;
  };

  struct Match {
    const Route* route = nullptr;  // null: no route for this method and path
    bool path_known = false;       // the path matches some route under another method
    std::string allow;             // for 405: "GET, HEAD, POST"
  };

  // Finds the route for `method` and `path` (percent-encoded, without query) and fills
  // `params` with the decoded parameters. A parameter that does not decode (bad escape, NUL)
  // makes the segment not match.
  [[nodiscard]] Match match(std::string_view method, std::string_view path,
                            std::map<std::string, std::string, std::less<>>& params) const;

  // Every route, in registration order (for the OpenAPI consistency test and diagnostics).
  [[nodiscard]] std::vector<RouteInfo> routes() const;

 private:
  void add_route(Route route);
  std::vector<std::unique_ptr<Route>> routes_;
};

}  // namespace pactum::server
