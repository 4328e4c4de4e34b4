-- The wrk script of every bench route (bench/README.md), keygate's and
-- Glewlwyd's alike. Settings come from the environment (bench/run sets
-- them):
--   KG_MODE      get | bearer | introspect | refresh | code | login | dpop
--   KG_PATH      the request path
--   KG_FILE      the credential file: one per line, every line the same
--                length, so line i is one seek away (10^7 tokens would
--                take a gigabyte of Lua strings per thread)
--   KG_BASIC     the Authorization header of client-authenticated calls
--   KG_BASICS    login: space-separated Authorization headers of the
--                log-in accounts, for POST /api/v1/access-tokens, taken
--                in turn (an account makes only 20 personal tokens an hour)
--                dpop: "token proof" lines (keygate-bench-dpop --proofs),
--                each proof good once and for 60 s
--   KG_FIRST, KG_COUNT
--                refresh, code and dpop: the lines [FIRST, FIRST+COUNT) are
--                split between the threads, each handed out once; a
--                connection whose share is used up stops sending
--   KG_DRAW      bearer and introspect: draw from the first DRAW lines
--                only (0: from all of them)
--   KG_REDIRECT  code: the redirect_uri
--   KG_HINT      introspect: a token_type_hint to send (Glewlwyd wants it)
--   KG_HEADER    bearer: one more header, "Name: value" (the check of a
--                registered resource: X-Keygate-Resource: URI)
--   KG_THREADS   wrk's -t
--   KG_RESULT    where done() writes the JSON summary
-- Counts and times are taken here rather than from wrk's summary: a run
-- that stops because its list ran out lasts less than -d, and a
-- non-2xx answer (or an inactive introspection) must fail the run.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } kg_timespec;
int clock_gettime(int clk, kg_timespec *ts);
int open(const char *path, int flags);
int close(int fd);
void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off);
]]
local ts = ffi.new("kg_timespec")
local function now()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local mode = os.getenv("KG_MODE") or "get"
local path = os.getenv("KG_PATH") or "/"
local file = os.getenv("KG_FILE")
local basic = os.getenv("KG_BASIC")
local logins, next_login = {}, 0
for b in (os.getenv("KG_BASICS") or ""):gmatch("Basic %S+") do
  logins[#logins + 1] = b
end
local redirect = os.getenv("KG_REDIRECT") or ""
local hint = os.getenv("KG_HINT") or ""
local extra_name, extra_value =
  (os.getenv("KG_HEADER") or ""):match("^([^:%s]+):%s*(.-)%s*$")
local nthreads = tonumber(os.getenv("KG_THREADS") or "1")
local listed = mode == "refresh" or mode == "code" or mode == "dpop"

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

-- main state: the threads, to collect their counts in done()
local threads = {}
local next_id = 0
function setup(thread)
  assert(next_id < nthreads, "KG_THREADS is less than wrk's -t")
  thread:set("kg_id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

-- thread state
-- the credential file, mapped: a line costs no system call (a seek and a
-- read per request made wrk, on its one core, the bottleneck)
local fh, map, linelen, nlines, ndraw
local first, last, cursor
local granted = 0 -- delay() said go, request() has not taken a line yet
-- read by done() through thread:get
kg_stats = { responses = 0, handed = 0, t_first = 0, t_last = 0,
  inactive = 0, exhausted = 0 }
kg_status = {}
kg_samples = {}

function init(args)
  local id = kg_id or 0
  math.randomseed(os.time() * 1000 + id * 7919)
  if file and file ~= "" then
    fh = assert(io.open(file, "rb"))
    fh:setvbuf("no")
    local line = fh:read("*l")
    assert(line and #line > 0, file .. " is empty")
    linelen = #line + 1
    local size = fh:seek("end")
    assert(size % linelen == 0, file .. ": lines of unequal length")
    nlines = size / linelen
    ndraw = tonumber(os.getenv("KG_DRAW") or "0")
    if ndraw <= 0 or ndraw > nlines then
      ndraw = nlines
    end
    local fd = ffi.C.open(file, 0) -- O_RDONLY
    assert(fd >= 0, file .. ": cannot open")
    -- PROT_READ, MAP_PRIVATE
    map = ffi.cast("const char *", ffi.C.mmap(nil, size, 1, 2, fd, 0))
    assert(map ~= ffi.cast("const char *", -1), file .. ": cannot map")
    ffi.C.close(fd)
  end
  if listed then
    local from = tonumber(os.getenv("KG_FIRST") or "0")
    local count = tonumber(os.getenv("KG_COUNT") or "0")
    if count <= 0 or from + count > nlines then
      count = nlines - from
    end
    local share = math.floor(count / nthreads)
    first = from + id * share
    last = first + share -- exclusive
    cursor = first
  end
end

-- Lines are padded with spaces to one length where the credentials vary
-- (Glewlwyd's JWTs); keygate's need no padding.
local function line_at(i)
  local s = ffi.string(map + i * linelen, linelen - 1)
  if s:byte(-1) == 32 then
    s = s:gsub(" +$", "")
  end
  return s
end

local FORM = "application/x-www-form-urlencoded"

function request()
  if listed and granted <= 0 then
    -- wrk calls request() once before the run to check the script, and
    -- never sends that one: no line may be spent on it
    return wrk.format("GET", path)
  end
  local t = now()
  if kg_stats.t_first == 0 then
    kg_stats.t_first = t
  end
  kg_stats.handed = kg_stats.handed + 1
  if mode == "bearer" then
    local tok = line_at(math.random(0, ndraw - 1))
    local h = { Authorization = "Bearer " .. tok }
    if extra_name then
      h[extra_name] = extra_value
    end
    return wrk.format("GET", path, h)
  elseif mode == "introspect" then
    local tok = line_at(math.random(0, ndraw - 1))
    local body = "token=" .. urlencode(tok)
    if hint ~= "" then
      body = body .. "&token_type_hint=" .. hint
    end
    return wrk.format("POST", path, { Authorization = basic,
      ["Content-Type"] = FORM },
      body)
  elseif mode == "refresh" then
    local tok = line_at(cursor)
    cursor = cursor + 1
    granted = granted - 1
    return wrk.format("POST", path, { Authorization = basic,
      ["Content-Type"] = FORM },
      "grant_type=refresh_token&refresh_token=" .. urlencode(tok))
  elseif mode == "code" then
    local l = line_at(cursor)
    cursor = cursor + 1
    granted = granted - 1
    local code, verifier = l:match("^(%S+) (%S+)")
    return wrk.format("POST", path, { Authorization = basic,
      ["Content-Type"] = FORM },
      "grant_type=authorization_code&code=" .. urlencode(code) ..
      "&redirect_uri=" .. urlencode(redirect) ..
      "&code_verifier=" .. urlencode(verifier))
  elseif mode == "dpop" then
    -- a DPoP-bound token with its proof for this very request (RFC 9449
    -- §7.1): a proof is refused the second time, so each line goes once
    local l = line_at(cursor)
    cursor = cursor + 1
    granted = granted - 1
    local tok, proof = l:match("^(%S+) (%S+)")
    return wrk.format("GET", path, { Authorization = "DPoP " .. tok,
      DPoP = proof })
  elseif mode == "login" then
    -- a personal token for the right password: one argon2id each; every
    -- thread starts at its own place in the list of accounts
    if next_login == 0 then
      next_login = math.random(#logins)
    end
    next_login = next_login % #logins + 1
    return wrk.format("POST", path, { Authorization = logins[next_login] })
  end
  return wrk.format("GET", path)
end

-- Only defined when needed: wrk arms a timer per request when it is.
-- (Paced runs are keygate-bench-pace's: wrk measures latency from the
-- time a request was sent, not from when it was due.)
if listed then
  function delay()
    -- several connections may pass here before any of them reaches
    -- request(): each claims its line now, so none runs past the share
    if cursor + granted >= last then
      -- this thread's share is used up: the connection falls silent
      -- (wrk has no way to stop before -d; done() counts only what was
      -- answered, over the time it took)
      kg_stats.exhausted = 1
      return 24 * 3600 * 1000
    end
    granted = granted + 1
    return 0
  end
end

function response(status, headers, body)
  local s = kg_stats
  s.responses = s.responses + 1
  s.t_last = now()
  kg_status[status] = (kg_status[status] or 0) + 1
  local bad = status < 200 or status > 299
  if not bad and mode == "introspect" and body and
      not body:find('"active"%s*:%s*true') then
    s.inactive = s.inactive + 1
    bad = true
  end
  if bad and #kg_samples < 3 then
    table.insert(kg_samples, status .. " " .. (body or ""):sub(1, 300))
  end
end

local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end) .. '"'
end

function done(summary, latency, requests)
  local responses, handed, inactive, exhausted = 0, 0, 0, 0
  local t0, t1 = nil, nil
  local status = {}
  local samples = {}
  for _, t in ipairs(threads) do
    local s = t:get("kg_stats")
    responses = responses + s.responses
    handed = handed + s.handed
    inactive = inactive + s.inactive
    exhausted = exhausted + s.exhausted
    if s.t_first > 0 and (not t0 or s.t_first < t0) then t0 = s.t_first end
    if s.t_last > 0 and (not t1 or s.t_last > t1) then t1 = s.t_last end
    for k, v in pairs(t:get("kg_status")) do
      status[k] = (status[k] or 0) + v
    end
    for _, v in ipairs(t:get("kg_samples")) do
      table.insert(samples, json_string(v))
    end
  end
  local dur = (t0 and t1 and t1 > t0) and (t1 - t0) or 0
  local non2xx = 0
  local parts = {}
  for k, v in pairs(status) do
    if k < 200 or k > 299 then non2xx = non2xx + v end
    table.insert(parts, string.format('"%d": %d', k, v))
  end
  local e = summary.errors
  local out = string.format(
    '{"responses": %d, "handed": %d, "duration_s": %.4f, "rps": %.1f, ' ..
    '"p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, ' ..
    '"mean_ms": %.3f, "non2xx": %d, "inactive": %d, "exhausted": %s, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, ' ..
    '"status": {%s}, "samples": [%s], "wrk_requests": %d, ' ..
    '"wrk_duration_s": %.3f}\n',
    responses, handed, dur, dur > 0 and responses / dur or 0,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000,
    non2xx, inactive, exhausted > 0 and "true" or "false",
    e.connect, e.read, e.write, e.timeout,
    table.concat(parts, ", "), table.concat(samples, ", "),
    summary.requests, summary.duration / 1e6)
  local path_out = os.getenv("KG_RESULT")
  if path_out and path_out ~= "" then
    local f = assert(io.open(path_out, "w"))
    f:write(out)
    f:close()
  end
  io.write("RESULT " .. out)
end
