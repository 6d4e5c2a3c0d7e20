-- Tests of the LuaJIT FFI binding examples/lua/revproxy.lua (plain asserts).
--
--   REVPROXY_LIB=build/librevproxy.so luajit examples/lua/test_revproxy.lua
--
-- Environment: REVPROXY_LIB (path of librevproxy.so), REVPROXY_SRC (source
-- root, default two directories up from this file), REVPROXY_LAYOUT
-- (optional "name value" lines from a C probe compiled against revproxy.h;
-- tests/ffi.sh makes it: struct sizes and offsets are checked against it).
-- Prints one line per test and exits non-zero if any failed.

local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path
local SRC = os.getenv("REVPROXY_SRC") or (here .. "/../..")

local ffi = require("ffi")
local rp = require("revproxy")

local APP = "ProxyPass /app http://backend.internal:8080/internal\n"

local function eq(got, want, what)
  if got ~= want then
    error(("%s: got %s, want %s"):format(what or "value", tostring(got), tostring(want)), 2)
  end
end

-- Call f, expect a RevproxyError; return it.
local function raises(f, ...)
  local ok, e = pcall(f, ...)
  assert(not ok, "expected an error, the call succeeded")
  assert(rp.is_error(e), "expected a RevproxyError, got " .. tostring(e))
  return e
end

local tests = {}
local function test(name, f) tests[#tests + 1] = { name, f } end

test("version and status helpers", function()
  local major = rp.version()
  eq(major, 0, "major")
  assert(rp.version_string():match("^%d+%.%d+%.%d+$"))
  eq(rp.status_name(rp.RP_E_NOSPACE), "RP_E_NOSPACE")
  eq(rp.status_name(999), "RP_UNKNOWN")
  eq(rp.status_http(rp.RP_E_TOO_LONG), 414)
end)

test("constants match revproxy.h", function()
  local f = assert(io.open(SRC .. "/include/revproxy/revproxy.h", "rb"))
  local h = f:read("*a")
  f:close()
  local n = 0
  for name, val in h:gmatch("\n%s+(RP_[%u%d_]+)%s*=%s*(%d+)") do
    eq(rp[name], tonumber(val), name)
    eq(rp.status_name(tonumber(val)), name, "rp_status_name")
    n = n + 1
  end
  eq(n, rp.RP_E_HOST + 1, "number of statuses (one was appended: add it to revproxy.lua)")
  for name, val in h:gmatch("\n#define%s+(RP_[%u%d_]+)%s+(%d+)u") do
    eq(rp[name], tonumber(val), name)
    n = n + 1
  end
  assert(n > 50, "too few constants found in the header: " .. n)
end)

test("struct layout", function()
  if ffi.abi("64bit") then
    eq(ffi.sizeof("rp_diag"), 224, "sizeof rp_diag (docs/api.md)")
    eq(ffi.offsetof("rp_diag", "message"), 24, "offsetof message")
  end
  local path = os.getenv("REVPROXY_LAYOUT")
  if not path or path == "" then print("#   (no REVPROXY_LAYOUT: C probe not checked)") return end
  local n = 0
  for line in io.lines(path) do
    local key, val = line:match("^(%S+)%s+(%d+)$")
    local sname, field = key:match("^([%w_]+)%.([%w_]+)$")
    local got
    if sname == "rp_status" then got = ffi.sizeof("rp_status")
    elseif field == "sizeof" then got = ffi.sizeof(sname)
    else got = ffi.offsetof(sname, field) end
    eq(got, tonumber(val), key)
    n = n + 1
  end
  assert(n >= 30, "probe too short: " .. n)
end)

test("check", function()
  local t = rp.Table.from_rules("ProxyPass /app http://b/app\n  ProxyPass /app/admin !\n" ..
                                "ProxyPassReverse /app http://b/app\n")
  local f = t:check()
  eq(#f, 1, "one finding")
  eq(f[1].code, "exclusion-after-rule")
  eq(f[1].severity, "error")
  eq(f[1].line, 2, "line")
  eq(f[1].column, 3, "column")
  eq(f[1].other_line, 1, "other_line")
  assert(f[1].message:find("/app/admin", 1, true), f[1].message)
  t:close()
  local parts = {}
  for i = 1, 40 do parts[#parts + 1] = ("ProxyPass /p%d http://b/p%d\n"):format(i, i) end
  t = rp.Table.from_rules(table.concat(parts))
  f = t:check()
  eq(#f, 40, "grows past the first buffer")
  for i = 1, 40 do eq(f[i].code, "no-reverse") eq(f[i].line, i, "line") end
  t:close()
  t = rp.Table.from_rules("ProxyPass /app http://b/app\nProxyPassReverse /other http://b/app\n")
  eq(#t:check(), 0, "no round trip unless asked")
  f = t:check({ round_trip = true })
  eq(#f, 1)
  eq(f[1].code, "round-trip")
  t:close()
end)

test("basic map", function()
  local t = rp.Table.from_rules("ProxyPass /app/static !\n" .. APP)
  local r = t:map_request("/app/x/y?q=1", "public.example")
  assert(r and not r.excluded)
  eq(r.url, "http://backend.internal:8080/internal/x/y?q=1", "url")
  eq(r.host, "backend.internal:8080", "host")
  eq(r.rule_index, 1, "rule_index")
  eq(r.rule_line, 2, "rule_line")
  eq(r.url:sub(r.query_offset + 1), "?q=1", "query_offset")
  eq(r.url:sub(r.remainder_offset + 1, r.query_offset), "/x/y", "remainder_offset")
  eq(r.http_status, 0)
  eq(t:rule_count(), 2, "rule_count")
  -- host absent
  eq(t:map_request("/app").url, "http://backend.internal:8080/internal")
  t:close()
end)

test("no match", function()
  local t = rp.Table.from_rules(APP)
  eq(t:map_request("/other", "public.example"), nil)
  eq(t:map_request("/application"), nil)
end)

test("exclusion", function()
  local t = rp.Table.from_rules("ProxyPass /app/static !\n" .. APP)
  local r = t:map_request("/app/static/logo.png", "public.example")
  assert(r and r.excluded)
  eq(r.url, nil)
  eq(r.rule_index, 0)
  eq(r.rule_line, 1)
  eq(r.http_status, 404)
end)

test("request errors raise with the status name", function()
  local t = rp.Table.from_rules(APP)
  local e = raises(t.map_request, t, "app/x")
  eq(e.status_name, "RP_E_FORM")
  eq(e.status, rp.RP_E_FORM)
  eq(e.http_status, 400)
  assert(tostring(e):match("^RP_E_FORM: "), tostring(e))
  eq(raises(t.map_request, t, "/app/%zz").status_name, "RP_E_BAD_PERCENT")
  e = raises(t.map_request, t, "/app/a%2Fb")
  eq(e.status_name, "RP_E_ENCODED_SLASH")
  eq(e.http_status, 404)
  eq(raises(t.map_request, t, "/app/x", "bad host").status_name, "RP_E_HOST")
  local s = rp.Table.from_rules(APP, { profile = "strict" })
  eq(raises(s.map_request, s, "/app/x#f").status_name, "RP_E_FRAGMENT")
  eq(raises(s.map_request, s, "/app/a\\b").status_name, "RP_E_BACKSLASH")
  eq(raises(s.map_request, s, "/app/\0").status_name, "RP_E_CTL") -- NUL is data
  eq(raises(s.map_request, s, "/app/..;/x").status_name, "RP_E_DOT_PARAM")
end)

test("nginx format", function()
  local conf = "location /app/ { proxy_pass http://b.internal/internal/; }\n"
            .. "location ~ \\.png$ { proxy_pass http://img.internal; }\n"
  local t = rp.Table.from_rules(conf, { format = "nginx" })
  eq(t:map_request("/app/x").url, "http://b.internal/internal/x")
  eq(t:map_request("/app/a.png").url, "http://img.internal/app/a.png")
  eq(t:map_request("/app/x").rule_line, 1, "rule_line")
  t:close()
  local e = raises(rp.Table.from_rules, "location /a/ {\n  proxy_pass ftp://b/;\n}\n",
                   { format = "nginx" })
  eq(e.line, 2, "line")
  eq(e.column, 14, "column")
  assert(not pcall(rp.Table.from_rules, conf, { format = "iis" }))
end)

test("config errors", function()
  local e = raises(rp.Table.from_rules, "# comment\nProxyPass /x\n", { source = "my.conf" })
  eq(e.status_name, "RP_E_CONFIG")
  eq(e.kind, "config")
  eq(e.http_status, 500)
  eq(e.line, 2, "line")
  eq(e.column, 1, "column")
  assert(e.message:find("needs a path", 1, true), e.message)
  assert(tostring(e):match("^my%.conf:2:1: RP_E_CONFIG: "), tostring(e))
  eq(raises(rp.Table.from_rules, APP, { profile = 7 }).status_name, "RP_E_ARG")
  eq(raises(rp.Table.from_rules, APP,
            { options = { [rp.RP_OPT_ENCODED_SLASHES] = 9 } }).status_name, "RP_E_ARG")
  assert(not pcall(rp.Table.from_rules, APP, { profile = "nginx" }))
  local t = rp.Table.from_rules(APP .. "DocumentRoot /var/www\n")
  eq(#t.warnings, 1, "warnings")
  eq(t.warnings[1].line, 2)
end)

test("options and limits", function()
  local t = rp.Table.from_rules(APP, { options = {
    [rp.RP_OPT_ENCODED_SLASHES] = rp.RP_SLASHES_KEEP, [rp.RP_OPT_PRESERVE_HOST] = 1 } })
  local host = "Public.Example:" .. (80 + 1) -- a fresh string: host points into it
  local r = t:map_request("/app/a%2Fb", host)
  eq(r.url, "http://backend.internal:8080/internal/a%2Fb")
  eq(r.host, "Public.Example:81")
  t = rp.Table.from_rules(APP, { limits = { [rp.RP_LIMIT_TARGET_LEN] = 16 } })
  local e = raises(t.map_request, t, "/app/" .. ("x"):rep(20))
  eq(e.status_name, "RP_E_TOO_LONG")
  eq(e.http_status, 414)
end)

test("NOSPACE growth", function()
  local seg = "/" .. ("s"):rep(50)
  local target = "/app" .. seg:rep(120) .. "?" .. ("q"):rep(1000)
  local want = "http://backend.internal:8080/internal" .. target:sub(5)
  assert(#want > 4 * rp.DEFAULT_BUFFER_SIZE)
  local t = rp.Table.from_rules(APP)
  local r = t:map_request(target, "public.example")
  eq(r.url, want, "long url")
  eq(r.host, "backend.internal:8080")
  -- a 1-byte first buffer: every function must grow
  local t1 = rp.Table.from_rules(APP .. "ProxyPassReverse /app http://backend.internal:8080/internal\n",
                                 { buffer_size = 1 })
  eq(t1:map_request(target).url, want, "buffer_size 1")
  local v, changed = t1:rewrite_location("http://backend.internal:8080/internal" .. seg:rep(100),
                                         "https://w.example")
  eq(v, "https://w.example/app" .. seg:rep(100))
  eq(changed, true)
  v, changed = t1:rewrite_location("/zzz" .. seg:rep(100))
  eq(v, "/zzz" .. seg:rep(100))
  eq(changed, false)
  eq(t1:public_origin("http", "w.example"), "http://w.example")
  eq(rp.format_forwarded("X-Forwarded-For", { client_addr = "192.0.2.1", prior = "10.0.0.1" }, 1),
     "10.0.0.1, 192.0.2.1")
  -- the output limit is an error, never a truncated value
  local tl = rp.Table.from_rules(APP, { limits = { [rp.RP_LIMIT_OUTPUT_LEN] = 64 } })
  eq(raises(tl.map_request, tl, "/app/" .. ("x"):rep(100)).status_name, "RP_E_TOO_LONG")
end)

test("location rewrite", function()
  local t = rp.Table.from_rules(APP, { profile = "strict" })
  local o = "https://www.example.com"
  local v, c = t:rewrite_location("http://backend.internal:8080/internal/login", o)
  eq(v, o .. "/app/login")
  eq(c, true)
  v, c = t:rewrite_location("http://backend.internal:8081/internal/x", o)
  eq(v, "http://backend.internal:8081/internal/x")
  eq(c, false)
  v = t:rewrite_location("/internal/login?next=/internal/x")
  eq(v, "/app/login?next=/internal/x")
  v = t:rewrite_location("login", { public_origin = o,
                                    backend_url = "http://backend.internal:8080/internal/x/y" })
  eq(v, o .. "/app/x/login")
  local e = raises(t.rewrite_location, t, "/internal/x\r\nSet-Cookie: a=b")
  eq(e.status_name, "RP_E_HEADER")
  eq(e.http_status, 502)
  -- Apache profile: prefix compare, ServerName origin
  local a = rp.Table.from_rules(APP .. "ProxyPassReverse /app http://backend.internal:8080/internal\n"
                                .. "ServerName www.example.com\n")
  eq(a:rewrite_location("http://backend.internal:8080/internalx"), "http://www.example.com/appx")
  eq(a:public_origin("https", "WWW.Example.com:443"), "https://www.example.com")
  eq(raises(a.public_origin, a, "http", "a b").status_name, "RP_E_HOST")
end)

test("set-cookie and response headers", function()
  local t = rp.Table.from_rules(APP .. "ProxyPassReverseCookieDomain backend.internal www.example.com\n"
                                .. "ProxyPassReverseCookiePath /internal /app\n", { profile = "strict" })
  local v, c = t:rewrite_set_cookie("sid=1; Domain=backend.internal; Path=/internal; HttpOnly")
  eq(v, "sid=1; Domain=www.example.com; Path=/app; HttpOnly")
  eq(c, true)
  v, c = t:rewrite_set_cookie("sid=1; Domain=backend.internal.evil.test")
  eq(c, false)
  local o = "https://www.example.com"
  eq(t:rewrite_response_header("location", "http://backend.internal:8080/internal/a", o), o .. "/app/a")
  eq(t:rewrite_response_header("Refresh", "5; url=http://backend.internal:8080/internal/n", o),
     "5; url=" .. o .. "/app/n")
  v, c = t:rewrite_response_header("X-Other", "/internal/x")
  eq(v, "/internal/x")
  eq(c, false)
  eq(t:format_forwarded("forwarded", { client_addr = "192.0.2.60", client_port = 8080 }),
     'for="192.0.2.60:8080"')
  eq(raises(rp.format_forwarded, "X-Forwarded-For", { client_addr = "nope" }).status_name, "RP_E_ARG")
end)

test("destination", function()
  local t = rp.Table.from_rules(APP, { profile = "strict" })
  eq(t:map_destination("https://www.example.com/app/new", "https://www.example.com").url,
     "http://backend.internal:8080/internal/new")
  eq(raises(t.map_destination, t, "https://evil.example/app/new",
            "https://www.example.com").status_name, "RP_E_FORBIDDEN")
end)

test("close and gc", function()
  local t = rp.Table.from_rules(APP)
  t:close()
  t:close()
  assert(t:closed())
  assert(not pcall(t.map_request, t, "/app"))
  for _ = 1, 2000 do -- tables and builders freed by the GC (run under ASan: no leak)
    rp.Table.from_rules(APP):map_request("/app/x")
  end
  collectgarbage()
  collectgarbage()
end)

local failed = 0
for i, tc in ipairs(tests) do
  local ok, err = xpcall(tc[2], debug.traceback)
  if ok then
    print(("ok %d - %s"):format(i, tc[1]))
  else
    failed = failed + 1
    print(("not ok %d - %s"):format(i, tc[1]))
    for line in tostring(err):gmatch("[^\n]+") do print("#   " .. line) end
  end
end
print(("# lua: %d tests, %d failed (library %s)"):format(#tests, failed, rp.library_path()))
os.exit(failed == 0 and 0 or 1)
