#!/usr/bin/env python3
"""End-to-end test of examples/miniproxy (TAP).

usage: e2e.py MINIPROXY SOURCE_ROOT

Starts a Python http.server backend and miniproxy instances on 127.0.0.1
(ports found by binding to port 0), drives them with `curl --path-as-is` and
checks what the client and the backend see: rewritten Location,
Content-Location, Link and Refresh, every Set-Cookie separately, the
forwarding headers, 404 for unmapped and excluded paths, 400 with the status
name for refused targets, request bodies, 502 for a dead backend.

Then it replays the recorded Apache httpd cases (tests/data/apache-cases.jsonl,
schema in ../shared/conformance/README.md) through miniproxy, one miniproxy
per distinct configuration, the way they were recorded: the case's directives
after "ServerName canonical.example", the backend reached through
--proxy-remote (Apache's ProxyRemote *), the request sent byte for byte over a
raw socket. It compares whether the request was proxied, the backend URL and
Host header the backend received, the status the client got, and the
Location, Content-Location, URI, Destination, Set-Cookie, Refresh and Link
headers the client got, with what Apache did. Cases that cannot be replayed
this way are skipped, each with a reason, and counted.

Every process it starts is stopped on exit. It prints "1..0 # SKIP" only
when miniproxy was not built or curl is missing.
"""
import atexit
import collections
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

MINIPROXY = sys.argv[1] if len(sys.argv) > 1 else ""
ROOT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "..")

if not MINIPROXY or not os.path.exists(MINIPROXY):
    print("1..0 # SKIP miniproxy not built (needs libmicrohttpd-dev and libcurl4-openssl-dev)")
    sys.exit(0)
if shutil.which("curl") is None:
    print("1..0 # SKIP curl not installed")
    sys.exit(0)

TMP = tempfile.mkdtemp(prefix="revproxy-e2e-")
PROCS = []


def cleanup():
    for p in PROCS:
        if p.poll() is None:
            p.kill()
            p.wait()
    shutil.rmtree(TMP, ignore_errors=True)


atexit.register(cleanup)
for _sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(_sig, lambda s, f: sys.exit(1))

# ---------------------------------------------------------------- TAP helpers
results = []


def ok(cond, name, diag=None):
    results.append(bool(cond))
    print(("ok" if cond else "not ok") + " %d - %s" % (len(results), name))
    if not cond and diag is not None:
        for line in str(diag).splitlines() or [""]:
            print("#   " + line)
    sys.stdout.flush()
    return cond


def eq(got, want, name):
    return ok(got == want, name, "got:  %r\nwant: %r" % (got, want))


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---------------------------------------------------------------- the backend
class State:
    lock = threading.Lock()
    last = None          # (method, request-target, headers, body) of the last request
    case = None          # the Apache case being replayed, or None


def record(handler, body):
    with State.lock:
        State.last = (handler.command, handler.path, list(handler.headers.items()), body)


class Backend(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def base(self):
        return "http://127.0.0.1:%d" % self.server.server_port

    def reply(self, status, headers, body=b"ok\n"):
        # written by hand: header values go out as UTF-8, as the recorder sent them
        head = "HTTP/1.1 %d %s\r\n" % (status, self.responses.get(status, ("",))[0])
        for name, value in headers:
            head += "%s: %s\r\n" % (name, value)
        if status not in (204, 304):
            head += "Content-Length: %d\r\n" % len(body)
        head += "Connection: close\r\n\r\n"
        self.wfile.write(head.encode("utf-8"))
        if status not in (204, 304) and self.command != "HEAD":
            self.wfile.write(body)
        self.close_connection = True

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        record(self, body)
        case = State.case
        if case is not None:
            br = case["backend_response"]
            return self.reply(br["status"], br["headers"])
        path = urllib.parse.urlsplit(self.path).path
        b = self.base()
        if path.endswith("/redirect"):
            return self.reply(302, [("Location", b + "/internal/landing?from=redirect")])
        if path.endswith("/relative-redirect"):
            return self.reply(303, [("Location", "/internal/other")])
        if path.endswith("/cookies"):
            return self.reply(200, [
                ("Set-Cookie", "sid=abc; Path=/internal; Domain=backend.test; HttpOnly"),
                ("Set-Cookie", "pref=dark; Path=/internal/settings"),
                ("Set-Cookie", "exp=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/internal"),
                ("Set-Cookie", "other=1; Path=/elsewhere")])
        if path.endswith("/headers"):
            return self.reply(200, [
                ("Content-Location", b + "/internal/doc.json"),
                ("Link", "<%s/internal/page/2>; rel=next, </internal/page/0>; rel=prev" % b),
                ("Refresh", "5; url=%s/internal/after" % b),
                ("X-Other", b + "/internal/untouched")])
        echo = json.dumps({"method": self.command, "target": self.path,
                           "headers": [[k, v] for k, v in self.headers.items()],
                           "body": body.decode("latin-1")}).encode()
        return self.reply(200, [("Content-Type", "application/json")], echo)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = handle_any

    def handle_one_request(self):
        # Accept any method name (the replayed cases use FOO and lower case).
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            self.handle_any()
            self.wfile.flush()
        except (socket.timeout, ConnectionError):
            self.close_connection = True


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


backend = Server(("127.0.0.1", 0), Backend)
BPORT = backend.server_port
threading.Thread(target=backend.serve_forever, daemon=True).start()
atexit.register(backend.shutdown)


# ---------------------------------------------------------------- miniproxy
def start_proxy(rules_text, profile="apache", public=None, remote=None, name="rules"):
    rules = os.path.join(TMP, name + ".conf")
    with open(rules, "w", encoding="utf-8", newline="\n") as f:
        f.write(rules_text)
    port = free_port()
    cmd = [MINIPROXY, "-f", rules, "-l", "127.0.0.1:%d" % port, "--profile", profile]
    if public:
        cmd += ["--public", public]
    if remote:
        cmd += ["--proxy-remote", remote]
    log = open(os.path.join(TMP, name + ".log"), "wb")
    p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    PROCS.append(p)
    deadline = time.time() + 20
    while time.time() < deadline:
        if p.poll() is not None:
            return None, p
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return port, p
        except OSError:
            time.sleep(0.02)
    return None, p


def stop_proxy(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            return p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            return None
    return p.returncode


def proxy_log(name):
    try:
        with open(os.path.join(TMP, name + ".log"), "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def curl(port, target, host=None, headers=(), data=None, method=None):
    """GET (or POST with data) through curl --path-as-is; returns
    (status, [(name, value)...] of the final response, body)."""
    hfile = os.path.join(TMP, "h.txt")
    bfile = os.path.join(TMP, "b.txt")
    cmd = ["curl", "-s", "-S", "--path-as-is", "-D", hfile, "-o", bfile,
           "--max-time", "30", "http://127.0.0.1:%d%s" % (port, target)]
    if host is not None:
        cmd += ["-H", "Host: " + host]
    for h in headers:
        cmd += ["-H", h]
    if data is not None:
        cmd += ["--data-binary", data]
    if method == "HEAD":
        cmd += ["-I"]
    elif method is not None:
        cmd += ["-X", method]
    r = subprocess.run(cmd, capture_output=True, timeout=60)
    if r.returncode != 0:
        return None, [], r.stderr.decode("utf-8", "replace")
    with open(hfile, "rb") as f:
        raw = f.read().decode("latin-1")
    with open(bfile, "rb") as f:
        body = f.read().decode("latin-1")
    blocks = [b for b in raw.split("\r\n\r\n") if b.strip()]
    lines = blocks[-1].split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = []
    for line in lines[1:]:
        k, _, v = line.partition(":")
        hdrs.append((k, v.strip()))
    return status, hdrs, body


def values(hdrs, name):
    return [v for k, v in hdrs if k.lower() == name.lower()]


def backend_saw():
    """The request the backend received last: (target, {lower name: [values]})."""
    with State.lock:
        last = State.last
    if last is None:
        return None, {}
    h = collections.defaultdict(list)
    for k, v in last[2]:
        h[k.lower()].append(v)
    return last, h


# ============================================================ part 1: features
B = "http://127.0.0.1:%d" % BPORT
RULES = """\
# exclusions first: Apache takes the first matching rule
ProxyPass /app/private !
ProxyPass /app %(b)s/internal
ProxyPassReverse /app %(b)s/internal
ProxyPassReverseCookiePath /internal /app
ProxyPassReverseCookieDomain backend.test public.example
ProxyPass /dead http://127.0.0.1:%(dead)d/x
""" % {"b": B, "dead": free_port()}

aport, aproc = start_proxy(RULES, "apache", name="apache")
sport, sproc = start_proxy(RULES, "strict", name="strict")
pport, pproc = start_proxy(RULES, "strict", public="https://www.example.com", name="public")
if not ok(aport and sport and pport, "miniproxy starts (apache, strict, --public)",
          proxy_log("apache") + proxy_log("strict") + proxy_log("public")):
    print("1..%d" % len(results))
    sys.exit(1)
HOST = "127.0.0.1:%d" % aport

# forward mapping: the backend gets the mapped path, query kept
st, h, body = curl(aport, "/app/echo/a%20b?x=1&y=%2F")
eq(st, 200, "mapped request answered by the backend")
last, bh = backend_saw()
eq(last and last[1], "/internal/echo/a%20b?x=1&y=%2F", "backend received the mapped path and query")
eq(bh.get("host"), ["127.0.0.1:%d" % BPORT], "backend received the backend Host")

# forwarding headers
State.last = None
st, h, body = curl(aport, "/app/echo", host="public.example:8443",
                   headers=["X-Forwarded-For: 203.0.113.9", "Forwarded: for=203.0.113.9"])
last, bh = backend_saw()
eq(bh.get("x-forwarded-for"), ["203.0.113.9, 127.0.0.1"], "X-Forwarded-For appends the client address")
eq(bh.get("x-forwarded-host"), ["public.example:8443"], "X-Forwarded-Host is the client's Host")
eq(bh.get("x-forwarded-proto"), ["http"], "X-Forwarded-Proto is http")
eq(bh.get("forwarded"), ['for=203.0.113.9, for=127.0.0.1;host="public.example:8443";proto=http'],
   "Forwarded appends an RFC 7239 element")
st, h, body = curl(pport, "/app/echo")
last, bh = backend_saw()
eq(bh.get("x-forwarded-proto"), ["https"], "X-Forwarded-Proto follows --public https://")

# request body and method pass through
st, h, body = curl(aport, "/app/echo", data="k=v&z=1")
try:
    echo = json.loads(body)
except ValueError:
    echo = {}
eq((st, echo.get("method"), echo.get("body")), (200, "POST", "k=v&z=1"), "POST body reaches the backend")

# HEAD: no body, the backend's Content-Length
st, h, body = curl(aport, "/app/cookies", method="HEAD")
last, bh = backend_saw()
eq((st, last and last[0], values(h, "Content-Length"), len(values(h, "Set-Cookie"))),
   (200, "HEAD", ["3"], 4), "HEAD: passed on as HEAD, with the backend's Content-Length")

# WebDAV Destination: mapped to the backend, only on the public origin
State.last = None
st, h, body = curl(aport, "/app/echo", host="public.example", method="COPY",
                   headers=["Destination: http://public.example/app/moved/x?v=1"])
last, bh = backend_saw()
eq((st, last and last[0], bh.get("destination")), (200, "COPY", [B + "/internal/moved/x?v=1"]),
   "COPY: Destination mapped to the backend URL (rp_map_destination)")
State.last = None
st, h, body = curl(aport, "/app/echo", host="public.example", method="MOVE",
                   headers=["Destination: http://evil.example/app/x"])
eq((st, body.split("\n")[0], backend_saw()[0]), (403, "403 RP_E_FORBIDDEN", None),
   "MOVE: a Destination on another origin is refused, nothing reaches the backend")

# redirects: Location rewritten, never followed
st, h, body = curl(aport, "/app/redirect", host="public.example")
eq(st, 302, "a redirect is passed to the client, not followed")
eq(values(h, "Location"), ["http://public.example/app/landing?from=redirect"],
   "Location rewritten to the client's Host (apache profile)")
st, h, body = curl(sport, "/app/redirect")
eq(values(h, "Location"), ["http://127.0.0.1:%d/app/landing?from=redirect" % sport],
   "Location rewritten to the public origin (strict profile)")
st, h, body = curl(pport, "/app/redirect")
eq(values(h, "Location"), ["https://www.example.com/app/landing?from=redirect"],
   "Location rewritten to --public")
st, h, body = curl(sport, "/app/relative-redirect")
eq((st, values(h, "Location")), (303, ["/app/other"]),
   "path-absolute Location mapped back, still path-absolute (strict profile)")

# HTTP/1.0 without Host and rules without ServerName: no public origin, so
# the Location comes back path-absolute (sent on a raw socket: curl always
# sends a Host)
s = socket.create_connection(("127.0.0.1", aport), timeout=30)
s.sendall(b"GET /app/redirect HTTP/1.0\r\n\r\n")
resp = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    resp += chunk
s.close()
head = resp.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
loc = [l.split(":", 1)[1].strip() for l in head[1:] if l.lower().startswith("location:")]
eq((head[0].split()[1], loc), ("302", ["/app/landing?from=redirect"]),
   "HTTP/1.0 without Host: Location rewritten path-absolute")

# cookies: every Set-Cookie separately, each rewritten
st, h, body = curl(aport, "/app/cookies")
eq(values(h, "Set-Cookie"), [
    "sid=abc; Path=/app; Domain=public.example; HttpOnly",
    "pref=dark; Path=/app",
    "exp=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/app",
    "other=1; Path=/elsewhere"], "four Set-Cookie headers, separate, rewritten (apache: whole path)")
st, h, body = curl(sport, "/app/cookies")
eq(values(h, "Set-Cookie"), [
    "sid=abc; Path=/app; Domain=public.example; HttpOnly",
    "pref=dark; Path=/app/settings",
    "exp=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/app",
    "other=1; Path=/elsewhere"], "four Set-Cookie headers, separate, rewritten (strict: prefix kept)")

# Content-Location, Link, Refresh
st, h, body = curl(sport, "/app/headers")
eq(values(h, "Content-Location"), ["http://127.0.0.1:%d/app/doc.json" % sport],
   "Content-Location rewritten")
eq(values(h, "Link"), ["<http://127.0.0.1:%d/app/page/2>; rel=next, </app/page/0>; rel=prev" % sport],
   "Link targets rewritten (strict)")
eq(values(h, "Refresh"), ["5; url=http://127.0.0.1:%d/app/after" % sport], "Refresh URL rewritten (strict)")
eq(values(h, "X-Other"), [B + "/internal/untouched"], "other headers pass unchanged")
st, h, body = curl(aport, "/app/headers")
eq(values(h, "Content-Location"), ["http://%s/app/doc.json" % HOST], "Content-Location rewritten (apache)")
eq((values(h, "Link"), values(h, "Refresh")),
   (["<%s/internal/page/2>; rel=next, </internal/page/0>; rel=prev" % B], ["5; url=%s/internal/after" % B]),
   "Link and Refresh unchanged in the apache profile, as httpd")

# not proxied: 404
State.last = None
st, h, body = curl(aport, "/nothing/here")
eq(st, 404, "unmapped path: 404")
ok("RP_NO_MATCH" in body, "404 body names RP_NO_MATCH", body)
st, h, body = curl(aport, "/app/private/x")
eq(st, 404, "excluded path (ProxyPass ... !): 404")
ok("RP_EXCLUDED" in body, "404 body names RP_EXCLUDED", body)
st, h, body = curl(aport, "/app/a/../../private/x")
eq(st, 404, "dot segments leading out of /app: 404")
eq(backend_saw()[0], None, "nothing not proxied reached the backend")

# refused: 400 with the status name
for port, target, name in [(aport, "/app/%zz", "RP_E_BAD_PERCENT"),
                           (sport, "/app/..;/x", "RP_E_DOT_PARAM"),
                           (sport, "/app/a%2Fb", "RP_E_ENCODED_SLASH"),
                           (sport, "/app/a\\b", "RP_E_BACKSLASH"),
                           (sport, "/app/%2e%2e/%2e%2e/etc", "RP_E_ABOVE_ROOT")]:
    st, h, body = curl(port, target)
    want = 404 if name == "RP_E_ENCODED_SLASH" else 400
    eq((st, body.split("\n")[0]), (want, "%d %s" % (want, name)),
       "%s refused with %d %s" % (target, want, name))
eq(backend_saw()[0], None, "no refused request reached the backend")
st, h, body = curl(aport, "/app/x", host="bad host")
eq((st, body.split("\n")[0]), (400, "400 RP_E_HOST"), "invalid Host: 400 RP_E_HOST")

# backend down: 502
st, h, body = curl(aport, "/dead/x")
eq(st, 502, "unreachable backend: 502")

for name, p in (("apache", aproc), ("strict", sproc), ("public", pproc)):
    rc = stop_proxy(p)
    eq(rc, 0, "miniproxy (%s) exits 0 on SIGTERM" % name)


# ============================================================ part 2: Apache cases
def load_skips(path):
    skips = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if parts[1] == "deviation":
                skips[parts[0]] = ("deviation", parts[2], parts[3])
            else:
                skips[parts[0]] = (parts[1], None, parts[2])
    return skips


SKIPS = load_skips(os.path.join(ROOT, "tests", "data", "apache-skips.txt"))
CASES = []
with open(os.path.join(ROOT, "tests", "data", "apache-cases.jsonl"), encoding="utf-8") as f:
    for line in f:
        if line.strip():
            CASES.append(json.loads(line))

REPORTED = {"location", "content-location", "uri", "destination", "set-cookie", "refresh", "link"}


def request_bytes(case):
    r = case["request"]
    if "raw" in r:
        return r["raw"].encode("utf-8")
    target = bytes.fromhex(r["target_hex"]) if "target_hex" in r else r["target"].encode("utf-8")
    head = (r.get("method", "GET").encode() + b" " + target + b" " +
            r.get("version", "HTTP/1.1").encode() + b"\r\n")
    if r.get("host") is not None:
        head += b"Host: " + r["host"].encode("utf-8") + b"\r\n"
    for k, v in r.get("headers", []) or []:
        head += k.encode("utf-8") + b": " + v.encode("utf-8") + b"\r\n"
    head += b"X-Case: " + case["id"].encode() + b"\r\nConnection: close\r\n\r\n"
    return head


def send_raw(port, data):
    """Send one request head; return (status, [(name, value)], body bytes)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        s.sendall(data)
        chunks = []
        while True:
            try:
                c = s.recv(65536)
            except ConnectionResetError:
                break
            if not c:
                break
            chunks.append(c)
    finally:
        s.close()
    resp = b"".join(chunks)
    head, _, body = resp.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    try:
        status = int(lines[0].split()[1])
    except (IndexError, ValueError):
        return None, [], resp
    hdrs = []
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        hdrs.append((k.decode("latin-1"), v.strip().decode("utf-8", "surrogateescape")))
    return status, hdrs, body


def reported(hdrs):
    """Reported headers as {lower name: [values in order]}."""
    out = collections.defaultdict(list)
    for k, v in hdrs:
        if k.lower() in REPORTED:
            out[k.lower()].append(v)
    return dict(out)


def observed_value(obs, key):
    if obs.get(key + "_hex") is not None:
        return bytes.fromhex(obs[key + "_hex"]).decode("utf-8", "surrogateescape")
    return obs.get(key)


def check_case(case, port):
    """Replay one case; return None when miniproxy did what Apache did, else
    a description of the difference."""
    obs = case["observed"]
    skip = SKIPS.get(case["id"])
    with State.lock:
        State.last = None
        State.case = case
    status, hdrs, body = send_raw(port, request_bytes(case))
    with State.lock:
        last = State.last
    diffs = []
    if skip and skip[0] == "deviation":
        expect = skip[1]
        if expect.startswith("url="):
            # revproxy maps to another URL (docs/semantics.md, "Deviations")
            if last is None or last[1] != expect[4:]:
                diffs.append("backend URL %r, expected %r" % (last and last[1], expect[4:]))
            return "; ".join(diffs) or None
        # revproxy refuses with status EXPECT (docs/semantics.md, "Deviations")
        if last is not None:
            diffs.append("proxied to %r, expected a refusal with %s" % (last[1], expect))
        if expect.encode() not in body:
            diffs.append("status %r, body %r does not name %s" % (status, body[:80], expect))
        return "; ".join(diffs) or None
    proxied = last is not None
    if proxied != obs["proxied"]:
        diffs.append("proxied %s, Apache %s (status %r, body %r)" %
                     (proxied, obs["proxied"], status, body[:80]))
    if proxied and obs["proxied"]:
        want_url = observed_value(obs, "backend_url")
        got_url = last[1].encode("latin-1", "surrogateescape").decode("utf-8", "surrogateescape") \
            if isinstance(last[1], str) else last[1]
        if got_url != want_url:
            diffs.append("backend URL %r, Apache %r" % (got_url, want_url))
        got_host = [v for k, v in last[2] if k.lower() == "host"]
        if got_host != [observed_value(obs, "backend_host")]:
            diffs.append("backend Host %r, Apache %r" % (got_host, obs["backend_host"]))
    if status != obs["status"]:
        diffs.append("status %r, Apache %r" % (status, obs["status"]))
    want_h = reported(obs.get("headers", []))
    got_h = reported(hdrs)
    if got_h != want_h:
        diffs.append("headers %r, Apache %r" % (got_h, want_h))
    return "; ".join(diffs) or None


by_config = collections.OrderedDict()
for c in CASES:
    by_config.setdefault(tuple(c["config"]), []).append(c)

remote = "http://127.0.0.1:%d" % BPORT
stats = collections.OrderedDict()   # group -> [passed, [failures], Counter(skip reasons)]
for g in ("forward", "encoding", "security", "reverse", "cookie", "config"):
    stats[g] = [0, [], collections.Counter()]

n = 0
for config, cases in by_config.items():
    n += 1
    text = "ServerName canonical.example\n" + "\n".join(config) + "\n"
    refused = [c for c in cases if "config_error" in c["observed"] or
               (SKIPS.get(c["id"], ("",))[0] == "deviation" and SKIPS[c["id"]][1] == "config")]
    port, proc = start_proxy(text, "apache", remote=remote, name="case%d" % n)
    if refused:
        # Apache refused this configuration (or revproxy deliberately does):
        # miniproxy must refuse to start, with a diagnostic
        for c in cases:
            g = c["group"]
            if port is None and proc.returncode == 2:
                stats[g][0] += 1
            else:
                stats[g][1].append("%s: miniproxy accepted a configuration Apache refused (%s)" %
                                   (c["id"], c["observed"].get("config_error", "deviation")))
        stop_proxy(proc)
        continue
    if port is None:
        for c in cases:
            stats[c["group"]][1].append("%s: miniproxy did not start: %s" %
                                        (c["id"], proxy_log("case%d" % n).strip()[:300]))
        continue
    for c in cases:
        g = c["group"]
        skip = SKIPS.get(c["id"])
        if skip and skip[0] != "deviation":
            stats[g][2]["%s: %s" % (skip[0], "the case tests the HTTP server, not the mapping "
                                    "(tests/data/apache-skips.txt)")] += 1
            continue
        if "raw" in c["request"]:
            stats[g][2]["raw request head: tests the HTTP server's request parser "
                        "(libmicrohttpd here, Apache's there), not revproxy"] += 1
            continue
        if any(v == "" for _, v in c["backend_response"]["headers"]):
            stats[g][2]["the backend sends a header with an empty value: libmicrohttpd 0.9.75 "
                        "cannot send one (MHD_add_response_header refuses it)"] += 1
            continue
        try:
            d = check_case(c, port)
        except OSError as e:
            d = "exchange failed: %s" % e
        if d is None:
            stats[g][0] += 1
        else:
            stats[g][1].append("%s: %s" % (c["id"], d))
    rc = stop_proxy(proc)
    if rc != 0:
        stats[cases[0]["group"]][1].append("miniproxy for config %r exited %r" % (config, rc))
with State.lock:
    State.case = None

for g, (passed, fails, skipped) in stats.items():
    nskip = sum(skipped.values())
    ok(not fails and passed > 0,
       "Apache cases, group %s, end to end: %d as Apache, %d different, %d skipped" %
       (g, passed, len(fails), nskip), "\n".join(fails[:60]) +
       ("\n... %d more" % (len(fails) - 60) if len(fails) > 60 else ""))
    for reason, k in skipped.items():
        print("# skipped %d %s case(s): %s" % (k, g, reason))

print("1..%d" % len(results))
sys.exit(0 if all(results) else 1)
