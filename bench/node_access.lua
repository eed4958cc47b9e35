-- wrk script for the node's access-check benchmark (bench/node_driver.cpp, docs/bench/node.md).
--
-- Nonces are single use, so every request carries its own pre-signed header pair. The file holds
-- one pair per line, "<X-Pactum-Request>\t<X-Pactum-Signature>"; wrk thread k (of n) sends lines
-- k, k+n, k+2n, ... in order. A thread that runs out sends unsigned requests, which the node
-- refuses (they show up as "Non-2xx" in wrk's report: the driver signs more than it can use).
--
--   wrk -tN -cC -dD --latency -s bench/node_access.lua URL -- HEADERS_FILE N [RANGE]
-- HEADERS_FILE "-" sends no signature headers (the nginx reference); RANGE is a Range header
-- value ("bytes=0-0") or absent/"-".

local thread_count = 0

function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
end

-- Requests are formatted once, in init, so that wrk's per-request Lua work is one table lookup
-- (the nginx reference runs the same script, so both sides pay the same client cost).
local prepared = {}
local next_index = 1
local fallback = nil

function init(args)
  local file, threads, range = args[1], tonumber(args[2]), args[3]
  local headers = {}
  if range ~= nil and range ~= "-" then headers["Range"] = range end
  fallback = wrk.format(nil, nil, headers)
  if file == nil or file == "-" then return end
  local i = 0
  for line in io.lines(file) do
    if i % threads == tid then
      local tab = line:find("\t", 1, true)
      headers["X-Pactum-Request"] = line:sub(1, tab - 1)
      headers["X-Pactum-Signature"] = line:sub(tab + 1)
      prepared[#prepared + 1] = wrk.format(nil, nil, headers)
    end
    i = i + 1
  end
end

function request()
  local r = prepared[next_index]
  if r == nil then return fallback end
  next_index = next_index + 1
  return r
end
