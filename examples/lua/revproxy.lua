--[[
revproxy: a LuaJIT FFI binding of librevproxy (no compilation).

Maps request-targets to backend URLs through Apache ProxyPass-style rules and
rewrites backend URLs in response headers back to public ones. A thin layer
over the public C API (include/revproxy/revproxy.h).

  local revproxy = require("revproxy")
  local t = revproxy.Table.from_rules("ProxyPass /app http://backend:8080/internal\n",
                                      { profile = "strict" })
  local r = t:map_request("/app/x?y=1", "www.example.com")
  if r == nil or r.excluded then
    -- not proxied: answer 404 or serve locally
  else
    -- r.url  = "http://backend:8080/internal/x?y=1", r.host = "backend:8080"
  end
  t:close()   -- or let the garbage collector free it

Strings are byte strings in and out (Lua strings are bytes; embedded NULs are
data). Errors are raised with error() as a RevproxyError object (a table with
status, status_name, message, http_status; config errors also line, column,
offset, source, and kind = "config"); catch them with pcall and test
revproxy.is_error(e). tostring(e) gives "RP_E_FORM: message". RP_E_NOSPACE
never escapes: every call grows its buffer to the size the library reports.

The library is found through: the REVPROXY_LIB environment variable (path of
librevproxy.so), else the system library ("revproxy", then
"librevproxy.so.0"), else the build trees build/ and builddir/ at the top of
the source tree this file is in. revproxy.load(path) picks one explicitly
before first use.

Tables may be shared between coroutines freely (calls do not yield). Do not
close() a table while a call on it is in progress in another Lua state.
]]

local ffi = require("ffi")

local M = {}

-- Declarations: field for field as in revproxy.h. rp_status is a C enum,
-- 4 bytes on the GCC and Clang ABIs (docs/api.md section 11): int.
local CDEF = [[
typedef int rp_status;
typedef struct rp_builder rp_builder;
typedef struct rp_table rp_table;
typedef struct rp_allocator rp_allocator;

typedef struct rp_diag {
    rp_status code;
    uint32_t  line;
    uint32_t  column;
    size_t    offset;
    char      message[200];
} rp_diag;

typedef struct rp_match {
    uint32_t    rule_index;
    uint32_t    rule_line;
    size_t      path_len;
    size_t      remainder_offset;
    size_t      query_offset;
    const char *host;
    size_t      host_len;
} rp_match;

typedef struct rp_response_ctx {
    const char *public_origin;
    size_t      public_origin_len;
    const char *backend_url;
    size_t      backend_url_len;
    const char *request_target;
    size_t      request_target_len;
} rp_response_ctx;

typedef struct rp_forwarded {
    const char *client_addr;
    size_t      client_addr_len;
    unsigned    client_port;
    const char *host;
    size_t      host_len;
    const char *proto;
    size_t      proto_len;
    const char *prefix;
    size_t      prefix_len;
    const char *by;
    size_t      by_len;
    const char *prior;
    size_t      prior_len;
} rp_forwarded;

typedef struct rp_finding {
    const char *code;
    unsigned    severity;
    uint32_t    line;
    uint32_t    column;
    uint32_t    other_line;
    char        message[200];
} rp_finding;

const char *rp_strerror(rp_status s);
const char *rp_status_name(rp_status s);
int rp_status_http(rp_status s);
uint32_t rp_version(void);
const char *rp_version_string(void);

rp_status rp_builder_new(unsigned profile, const rp_allocator *alloc, rp_builder **out);
void rp_builder_free(rp_builder *b);
rp_status rp_builder_set_limit(rp_builder *b, unsigned which, size_t value);
rp_status rp_builder_set_option(rp_builder *b, unsigned option, unsigned value);
rp_status rp_builder_set_server_name(rp_builder *b, const char *name, size_t name_len);
rp_status rp_builder_add_config(rp_builder *b, const char *text, size_t len,
                                const char *source_name, rp_diag *diag);
rp_status rp_builder_add_nginx_config(rp_builder *b, const char *text, size_t len,
                                      const char *source_name, rp_diag *diag);
size_t rp_builder_warning_count(const rp_builder *b);
rp_status rp_builder_warning(const rp_builder *b, size_t i, rp_diag *out);
rp_status rp_builder_compile(const rp_builder *b, rp_table **out, rp_diag *diag);
void rp_table_free(rp_table *t);
size_t rp_table_rule_count(const rp_table *t);
rp_status rp_table_check(const rp_table *t, unsigned flags, rp_finding *out, size_t cap,
                         size_t *count);

rp_status rp_map_request(const rp_table *t, const char *target, size_t target_len,
                         const char *host, size_t host_len, unsigned flags, char *out,
                         size_t out_size, size_t *out_len, rp_match *match);
rp_status rp_public_origin(const rp_table *t, const char *scheme, size_t scheme_len,
                           const char *host, size_t host_len, char *out, size_t out_size,
                           size_t *out_len);
rp_status rp_rewrite_location(const rp_table *t, const char *value, size_t value_len,
                              const rp_response_ctx *ctx, unsigned flags, char *out,
                              size_t out_size, size_t *out_len);
rp_status rp_rewrite_set_cookie(const rp_table *t, const char *value, size_t value_len,
                                const rp_response_ctx *ctx, unsigned flags, char *out,
                                size_t out_size, size_t *out_len);
rp_status rp_rewrite_response_header(const rp_table *t, const char *name, size_t name_len,
                                     const char *value, size_t value_len,
                                     const rp_response_ctx *ctx, unsigned flags, char *out,
                                     size_t out_size, size_t *out_len);
rp_status rp_map_destination(const rp_table *t, const char *value, size_t value_len,
                             const char *public_origin, size_t public_origin_len,
                             unsigned flags, char *out, size_t out_size, size_t *out_len,
                             rp_match *match);
rp_status rp_format_forwarded(unsigned which, const rp_forwarded *in, char *out,
                              size_t out_size, size_t *out_len);
]]

-- ffi.cdef cannot redefine: declare once per Lua state, even if this file
-- is loaded twice under different module names.
if not pcall(ffi.typeof, "rp_forwarded") then
  ffi.cdef(CDEF)
end

-- Status codes and constants (numbers are ABI; see revproxy.h).
local S = {
  RP_OK = 0, RP_NO_MATCH = 1, RP_E_NOSPACE = 2, RP_E_ARG = 3, RP_E_SYNTAX = 4,
  RP_E_TOO_LONG = 5, RP_E_FORBIDDEN = 6, RP_E_CONFIG = 7, RP_E_NOMEM = 8,
  RP_EXCLUDED = 9, RP_E_FORM = 10, RP_E_CTL = 11, RP_E_FRAGMENT = 12,
  RP_E_BACKSLASH = 13, RP_E_NON_ASCII = 14, RP_E_BAD_CHAR = 15, RP_E_BAD_PERCENT = 16,
  RP_E_BAD_UTF8 = 17, RP_E_ENCODED_SLASH = 18, RP_E_ENCODED_NUL = 19,
  RP_E_ABOVE_ROOT = 20, RP_E_DOT_PARAM = 21, RP_E_LIMIT = 22, RP_E_UNSAFE_OUTPUT = 23,
  RP_E_HEADER = 24, RP_E_USERINFO = 25, RP_E_UNSUPPORTED = 26, RP_E_INTERNAL = 27,
  RP_E_HOST = 28,
  RP_PROFILE_APACHE = 1, RP_PROFILE_STRICT = 2,
  RP_LIMIT_TARGET_LEN = 1, RP_LIMIT_SEGMENTS = 2, RP_LIMIT_HEADER_LEN = 3,
  RP_LIMIT_COOKIE_ATTRS = 4, RP_LIMIT_RULES = 5, RP_LIMIT_OUTPUT_LEN = 6,
  RP_TARGET_LEN_MAX = 16384,
  RP_OPT_ENCODED_SLASHES = 1, RP_OPT_MERGE_SLASHES = 2, RP_OPT_PRESERVE_HOST = 3,
  RP_OPT_DERIVE_REVERSE = 4,
  RP_SLASHES_REJECT = 0, RP_SLASHES_DECODE = 1, RP_SLASHES_KEEP = 2,
  RP_MAP_DEFAULT = 0,
  RP_FWD_X_FORWARDED_FOR = 1, RP_FWD_X_FORWARDED_HOST = 2, RP_FWD_X_FORWARDED_PROTO = 3,
  RP_FWD_X_FORWARDED_PREFIX = 4, RP_FWD_FORWARDED = 5,
  RP_SEVERITY_INFO = 0, RP_SEVERITY_WARNING = 1, RP_SEVERITY_ERROR = 2,
  RP_CHECK_ROUND_TRIP = 1,
}
for k, v in pairs(S) do M[k] = v end

local PROFILES = { apache = S.RP_PROFILE_APACHE, strict = S.RP_PROFILE_STRICT }
local FWD_NAMES = {
  ["x-forwarded-for"] = S.RP_FWD_X_FORWARDED_FOR,
  ["x-forwarded-host"] = S.RP_FWD_X_FORWARDED_HOST,
  ["x-forwarded-proto"] = S.RP_FWD_X_FORWARDED_PROTO,
  ["x-forwarded-prefix"] = S.RP_FWD_X_FORWARDED_PREFIX,
  ["forwarded"] = S.RP_FWD_FORWARDED,
}

-- First buffer size of every call; RP_E_NOSPACE makes it grow.
M.DEFAULT_BUFFER_SIZE = 512

---------------------------------------------------------------------------
-- Loading

local lib, lib_path

local function exists(p)
  local f = io.open(p, "rb")
  if f then f:close() return true end
  return false
end

local function candidates()
  local env = os.getenv("REVPROXY_LIB")
  if env and env ~= "" then return { env } end -- explicit: no fallback
  local out = { "revproxy", "librevproxy.so.0" }
  local src = debug.getinfo(1, "S").source
  if src:sub(1, 1) == "@" then
    local dir = src:sub(2):match("^(.*)/[^/]*$") or "."
    local top = dir .. "/../.."
    for _, d in ipairs({ "build", "builddir" }) do
      for _, name in ipairs({ "librevproxy.so.0", "librevproxy.so", "librevproxy.dylib" }) do
        local p = top .. "/" .. d .. "/" .. name
        if exists(p) then out[#out + 1] = p end
      end
    end
  end
  return out
end

--- Load librevproxy (from path, else the search in the header comment).
-- Returns the ffi library namespace. Later calls without a path reuse it.
function M.load(path)
  if lib and not path then return lib end
  local tried = {}
  for _, cand in ipairs(path and { path } or candidates()) do
    local ok, l = pcall(ffi.load, cand)
    if ok then
      local major = bit.rshift(tonumber(l.rp_version()), 16)
      if major ~= 0 then
        error(("%s is revproxy %s; this binding is for ABI 0"):format(
          cand, ffi.string(l.rp_version_string())), 2)
      end
      lib, lib_path = l, cand
      return lib
    end
    tried[#tried + 1] = cand .. " (" .. tostring(l) .. ")"
  end
  error("librevproxy not found; set REVPROXY_LIB to the path of librevproxy.so (tried: "
        .. table.concat(tried, "; ") .. ")", 2)
end

local function L() return lib or M.load() end

function M.library_path() L() return lib_path end

function M.version()
  local v = tonumber(L().rp_version())
  return bit.rshift(v, 16), bit.band(bit.rshift(v, 8), 0xff), bit.band(v, 0xff)
end

function M.version_string() return ffi.string(L().rp_version_string()) end
function M.status_name(st) return ffi.string(L().rp_status_name(st)) end
function M.strerror(st) return ffi.string(L().rp_strerror(st)) end
function M.status_http(st) return tonumber(L().rp_status_http(st)) end

---------------------------------------------------------------------------
-- Errors

local Error = {}
Error.__index = Error
Error.__tostring = function(e)
  if e.line and e.line > 0 then
    return ("%s:%d:%d: %s: %s"):format(e.source or "rules", e.line, e.column,
                                       e.status_name, e.message)
  end
  return e.status_name .. ": " .. e.message
end
M.RevproxyError = Error

function M.is_error(e) return getmetatable(e) == Error end

local function new_error(st, message, extra)
  local e = setmetatable({
    status = st,
    status_name = M.status_name(st),
    message = message or M.strerror(st),
    http_status = M.status_http(st),
    kind = "status",
  }, Error)
  if extra then for k, v in pairs(extra) do e[k] = v end end
  return e
end

local function raise(st, message, extra) error(new_error(st, message, extra), 0) end

local function diag_message(d)
  -- message is NUL-terminated by contract; never read past the array
  local n = 0
  while n < 200 and d.message[n] ~= 0 do n = n + 1 end
  return ffi.string(d.message, n)
end

---------------------------------------------------------------------------
-- Helpers

local size_t_1 = ffi.typeof("size_t[1]")
local char_buf = ffi.typeof("char[?]")

local function str(v, what)
  if v == nil or type(v) == "string" then return v end
  error(("%s: expected a string or nil, got %s"):format(what, type(v)), 3)
end

local function slen(s) return s and #s or 0 end

-- call(buf, size, out_len_ptr) with a buffer of `size` bytes, grown to
-- out_len + 1 on RP_E_NOSPACE. Returns status, buffer, length (buffer kept
-- alive so pointers into it, rp_match.host, can still be read).
local function call_growing(size, call)
  local n = size_t_1()
  for _ = 1, 4 do
    local buf = char_buf(size)
    local st = call(buf, size, n)
    if st ~= S.RP_E_NOSPACE then return st, buf, tonumber(n[0]) end
    local need = tonumber(n[0]) + 1
    if need <= size then raise(S.RP_E_INTERNAL, "RP_E_NOSPACE without a larger size") end
    size = need
  end
  raise(S.RP_E_INTERNAL, "the needed size kept growing")
end

local function fwd_which(which)
  if type(which) == "string" then
    local w = FWD_NAMES[which:lower()]
    if not w then error("unknown forwarding header " .. which, 3) end
    return w
  end
  return which
end

--- One forwarding header value, rp_format_forwarded.
-- which: RP_FWD_* or a header name ("X-Forwarded-For", ..., "Forwarded").
-- f: { client_addr=, client_port=, host=, proto=, prefix=, by=, prior= }.
function M.format_forwarded(which, f, buffer_size)
  local l = L()
  f = f or {}
  local w = fwd_which(which)
  local fields = { "client_addr", "host", "proto", "prefix", "by", "prior" }
  local keep, c = {}, ffi.new("rp_forwarded")
  for _, k in ipairs(fields) do
    local v = str(f[k], k)
    keep[k] = v -- referenced until the call returns
    c[k] = v
    c[k .. "_len"] = slen(v)
  end
  c.client_port = f.client_port or 0
  local st, buf, n = call_growing(buffer_size or M.DEFAULT_BUFFER_SIZE, function(b, sz, np)
    -- `keep` is an upvalue of this closure, so the strings c points into
    -- stay referenced while it runs
    return l.rp_format_forwarded(w, c, b, sz, np), keep
  end)
  if st ~= S.RP_OK then raise(st) end
  return ffi.string(buf, n)
end

---------------------------------------------------------------------------
-- Table

local Table = {}
Table.__index = Table
M.Table = Table

--- Compile Apache directives (docs/rules.md) into a table.
-- opts: profile ("apache" (default) | "strict" | RP_PROFILE_*), source
-- (name in diagnostics, default "rules"), limits ({[RP_LIMIT_*] = n}),
-- options ({[RP_OPT_*] = v}), server_name: all applied before the text, so
-- directives in the text override them; buffer_size (first buffer size).
-- Raises a RevproxyError with kind "config" and line/column for rule text
-- that does not load. Skipped directives are in table.warnings.
function Table.from_rules(text, opts)
  local l = L()
  opts = opts or {}
  assert(type(text) == "string", "rules text must be a string")
  local profile = opts.profile or "apache"
  local prof = profile
  if type(profile) == "string" then
    prof = PROFILES[profile:lower()]
    if not prof then error("profile must be 'apache' or 'strict', got " .. profile, 2) end
  end
  local source = opts.source or "rules"
  local format = opts.format or "apache"
  if format ~= "apache" and format ~= "nginx" then
    error("format must be 'apache' or 'nginx', got " .. tostring(format), 2)
  end

  local bp = ffi.new("rp_builder *[1]")
  local st = l.rp_builder_new(prof, nil, bp)
  if st ~= S.RP_OK then raise(st, "rp_builder_new(profile=" .. tostring(profile) .. "): "
                              .. M.strerror(st)) end
  local b = ffi.gc(bp[0], l.rp_builder_free) -- freed even if we raise below
  local function done() ffi.gc(b, nil) l.rp_builder_free(b) end

  for which, v in pairs(opts.limits or {}) do
    st = l.rp_builder_set_limit(b, which, v)
    if st ~= S.RP_OK then done() raise(st, ("limit %s = %s: %s"):format(
      tostring(which), tostring(v), M.strerror(st))) end
  end
  for opt, v in pairs(opts.options or {}) do
    st = l.rp_builder_set_option(b, opt, v)
    if st ~= S.RP_OK then done() raise(st, ("option %s = %s: %s"):format(
      tostring(opt), tostring(v), M.strerror(st))) end
  end
  if opts.server_name then
    st = l.rp_builder_set_server_name(b, opts.server_name, #opts.server_name)
    if st ~= S.RP_OK then done() raise(st) end
  end

  local d = ffi.new("rp_diag")
  local src = source:gsub("%z", "?")
  if format == "nginx" then
    st = l.rp_builder_add_nginx_config(b, text, #text, src, d)
  else
    st = l.rp_builder_add_config(b, text, #text, src, d)
  end
  local tp = ffi.new("rp_table *[1]")
  if st == S.RP_OK then
    d = ffi.new("rp_diag")
    st = l.rp_builder_compile(b, tp, d)
  end
  if st ~= S.RP_OK then
    local msg = diag_message(d)
    done()
    raise(st, msg ~= "" and msg or nil, {
      kind = "config", line = tonumber(d.line), column = tonumber(d.column),
      offset = tonumber(d.offset), source = source })
  end
  local warnings = {}
  for i = 0, tonumber(l.rp_builder_warning_count(b)) - 1 do
    local w = ffi.new("rp_diag")
    if l.rp_builder_warning(b, i, w) == S.RP_OK then
      warnings[#warnings + 1] = {
        code = tonumber(w.code), code_name = M.status_name(w.code),
        line = tonumber(w.line), column = tonumber(w.column),
        offset = tonumber(w.offset), message = diag_message(w) }
    end
  end
  done()
  return setmetatable({
    h = ffi.gc(tp[0], l.rp_table_free),
    lib = l, -- keeps the library loaded while the table lives
    warnings = warnings,
    buffer_size = opts.buffer_size or M.DEFAULT_BUFFER_SIZE,
  }, Table)
end

--- from_rules on the contents of a file; source defaults to its path.
function Table.from_file(path, opts)
  local f = assert(io.open(path, "rb"))
  local text = f:read("*a")
  f:close()
  opts = opts or {}
  local o = {}
  for k, v in pairs(opts) do o[k] = v end
  o.source = o.source or path
  return Table.from_rules(text, o)
end

M.from_rules = Table.from_rules

--- Free the table now (the caller guarantees no call is in flight).
function Table:close()
  local h = self.h
  if h ~= nil then
    self.h = nil
    ffi.gc(h, nil)
    self.lib.rp_table_free(h)
  end
end

function Table:closed() return self.h == nil end

local function handle(self)
  local h = self.h
  if h == nil then error("the table is closed", 3) end
  return h
end

function Table:rule_count() return tonumber(self.lib.rp_table_rule_count(handle(self))) end

local SEVERITIES = { [0] = "info", [1] = "warning", [2] = "error" }

-- rp_table_check: a list of findings {code, severity = "info" | "warning" |
-- "error", line, column, other_line, message} in the library's order
-- (settings, forward, reverse, cookie rules); docs/rules.md section 10 lists
-- the codes. opts.round_trip also runs the round-trip check.
function Table:check(opts)
  local flags = (opts and opts.round_trip) and S.RP_CHECK_ROUND_TRIP or 0
  local n = ffi.new("size_t[1]")
  local cap = 16
  while true do
    local buf = ffi.new("rp_finding[?]", cap)
    local st = self.lib.rp_table_check(handle(self), flags, buf, cap, n)
    if st == S.RP_E_NOSPACE and tonumber(n[0]) > cap then
      cap = tonumber(n[0])
    elseif st ~= S.RP_OK then
      raise(st)
    else
      local out = {}
      for i = 0, tonumber(n[0]) - 1 do
        local f = buf[i]
        out[#out + 1] = {
          code = ffi.string(f.code), severity = SEVERITIES[tonumber(f.severity)] or tostring(f.severity),
          line = tonumber(f.line), column = tonumber(f.column),
          other_line = tonumber(f.other_line), message = ffi.string(f.message),
        }
      end
      return out
    end
  end
end

local function map_result(st, buf, n, m, host)
  local excluded = st == S.RP_EXCLUDED
  return {
    status = st,
    excluded = excluded,
    url = (not excluded) and ffi.string(buf, n) or nil,
    host = host,
    rule_index = tonumber(m.rule_index),
    rule_line = tonumber(m.rule_line),
    path_len = tonumber(m.path_len),
    remainder_offset = excluded and 0 or tonumber(m.remainder_offset),
    query_offset = excluded and 0 or tonumber(m.query_offset),
    http_status = excluded and 404 or 0,
  }
end

local function do_map(self, fn, a, b)
  local h = handle(self)
  local m = ffi.new("rp_match")
  local host
  local st, buf, n = call_growing(self.buffer_size, function(o, sz, np)
    local r = fn(h, a, slen(a), b, slen(b), S.RP_MAP_DEFAULT, o, sz, np, m)
    -- m.host points into o, a or b (or the table): copy it while this
    -- closure, whose upvalues they are, is running
    if r == S.RP_OK and m.host ~= nil then host = ffi.string(m.host, m.host_len) end
    return r
  end)
  if st == S.RP_OK or st == S.RP_EXCLUDED then return map_result(st, buf, n, m, host) end
  if st == S.RP_NO_MATCH then return nil end
  raise(st)
end

--- Map a request-target, as received, to the backend URL.
-- host: the Host header value, or nil when there was none.
-- Returns a result table { url, host, excluded, rule_index, rule_line,
-- path_len, remainder_offset, query_offset, status, http_status }, with
-- excluded = true (and url nil) when an exclusion rule (ProxyPass PATH !)
-- matched; nil when no rule applies. Raises a RevproxyError for a request
-- to refuse: e.http_status is the answer (400, 404, 414, 500).
-- Offsets are 0-based byte offsets into url, as in C.
function Table:map_request(target, host)
  assert(type(target) == "string", "target must be a string")
  return do_map(self, self.lib.rp_map_request, target, str(host, "host"))
end

--- WebDAV Destination request header -> backend URL (rp_map_destination).
function Table:map_destination(value, public_origin)
  assert(type(value) == "string", "value must be a string")
  return do_map(self, self.lib.rp_map_destination, value, str(public_origin, "public_origin"))
end

--- "scheme://host[:port]" as Apache builds it (rp_public_origin).
function Table:public_origin(scheme, host)
  local h, l = handle(self), self.lib
  scheme, host = str(scheme, "scheme"), str(host, "host")
  local st, buf, n = call_growing(256, function(o, sz, np)
    return l.rp_public_origin(h, scheme, slen(scheme), host, slen(host), o, sz, np)
  end)
  if st ~= S.RP_OK then raise(st) end
  return ffi.string(buf, n)
end

-- ctx arguments: either positional (public_origin, backend_url,
-- request_target) or one table { public_origin=, backend_url=, request_target= }.
local function make_ctx(a, b, c)
  if type(a) == "table" then a, b, c = a.public_origin, a.backend_url, a.request_target end
  a, b, c = str(a, "public_origin"), str(b, "backend_url"), str(c, "request_target")
  local ctx = ffi.new("rp_response_ctx")
  ctx.public_origin, ctx.public_origin_len = a, slen(a)
  ctx.backend_url, ctx.backend_url_len = b, slen(b)
  ctx.request_target, ctx.request_target_len = c, slen(c)
  -- ctx points into the strings: the caller keeps the second result
  -- referenced (as an upvalue of the closure that makes the call)
  return ctx, { a, b, c }
end

local function rewrite(self, call)
  local st, buf, n = call_growing(self.buffer_size, call)
  if st == S.RP_OK or st == S.RP_NO_MATCH then return ffi.string(buf, n), st == S.RP_OK end
  raise(st)
end

--- Location / Content-Location / URI value -> value to send, changed.
function Table:rewrite_location(value, public_origin, backend_url, request_target)
  assert(type(value) == "string", "value must be a string")
  local h, l = handle(self), self.lib
  local ctx, keep = make_ctx(public_origin, backend_url, request_target)
  local v, changed = rewrite(self, function(o, sz, np)
    return l.rp_rewrite_location(h, value, #value, ctx, 0, o, sz, np), keep
  end)
  return v, changed
end

--- One Set-Cookie value -> value to send, changed.
function Table:rewrite_set_cookie(value, public_origin, backend_url, request_target)
  assert(type(value) == "string", "value must be a string")
  local h, l = handle(self), self.lib
  local ctx, keep = make_ctx(public_origin, backend_url, request_target)
  local v, changed = rewrite(self, function(o, sz, np)
    return l.rp_rewrite_set_cookie(h, value, #value, ctx, 0, o, sz, np), keep
  end)
  return v, changed
end

--- Any response header by name -> value to send, changed.
function Table:rewrite_response_header(name, value, public_origin, backend_url, request_target)
  assert(type(name) == "string" and type(value) == "string", "name and value must be strings")
  local h, l = handle(self), self.lib
  local ctx, keep = make_ctx(public_origin, backend_url, request_target)
  local v, changed = rewrite(self, function(o, sz, np)
    return l.rp_rewrite_response_header(h, name, #name, value, #value, ctx, 0, o, sz, np), keep
  end)
  return v, changed
end

function Table:format_forwarded(which, f) return M.format_forwarded(which, f) end

return M
