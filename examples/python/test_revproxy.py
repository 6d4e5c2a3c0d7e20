#!/usr/bin/env python3
"""Tests of the ctypes binding examples/python/revproxy.py (unittest).

    REVPROXY_LIB=build/librevproxy.so python3 examples/python/test_revproxy.py

Environment:
  REVPROXY_LIB     path of librevproxy.so (else the binding searches, see revproxy.py)
  REVPROXY_SRC     source root (default: two directories up from this file)
  REVPROXY_CASES   apache-cases.jsonl (default: SRC/tests/data/apache-cases.jsonl;
                   the skips file is apache-skips.txt next to it)
  REVPROXY_LAYOUT  optional file of "name value" lines printed by a C probe compiled
                   against revproxy.h (tests/ffi.sh makes it): struct sizes and
                   offsets are checked against it

The conformance test runs the cases recorded from Apache httpd through the
binding exactly as tests/test_conformance.c runs them through C, reading them
with tests/gen_conformance.py (the same parser that generates the C table).
"""

import collections
import os
import re
import sys
import threading
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import revproxy as rp  # noqa: E402

SRC = os.environ.get("REVPROXY_SRC") or os.path.dirname(os.path.dirname(HERE))

APP = "ProxyPass /app http://backend.internal:8080/internal\n"


class Basics(unittest.TestCase):
    def test_version(self):
        self.assertEqual(rp.version()[0], 0)
        self.assertRegex(rp.version_string(), r"^\d+\.\d+\.\d+$")
        self.assertEqual(rp.status_name(rp.RP_E_NOSPACE), "RP_E_NOSPACE")
        self.assertEqual(rp.status_name(999), "RP_UNKNOWN")
        self.assertEqual(rp.status_http(rp.RP_E_TOO_LONG), 414)
        self.assertTrue(rp.strerror(rp.RP_E_NOSPACE))

    def test_constants_match_header(self):
        """Every RP_* number in revproxy.h equals the binding's constant."""
        with open(os.path.join(SRC, "include", "revproxy", "revproxy.h")) as f:
            h = f.read()
        found = {}
        for name, val in re.findall(r"^\s+(RP_[A-Z0-9_]+)\s*=\s*(\d+)", h, re.M):
            found[name] = int(val)
        for name, val in re.findall(r"^#define\s+(RP_[A-Z0-9_]+)\s+\(?(\d+)u?\)?", h, re.M):
            found[name] = int(val)
        self.assertGreater(len(found), 50)
        self.assertEqual(max(v for k, v in found.items() if k.startswith(("RP_E_", "RP_OK",
                         "RP_NO_MATCH", "RP_EXCLUDED"))), rp.RP_E_HOST,
                         "a status was appended to rp_status: add it to revproxy.py")
        for name, val in found.items():
            if hasattr(rp, name):
                self.assertEqual(getattr(rp, name), val, name)
            if name.startswith("RP_E_") or name in ("RP_OK", "RP_NO_MATCH", "RP_EXCLUDED"):
                self.assertEqual(rp.status_name(val), name)

    def test_struct_layout(self):
        structs = {
            "rp_diag": rp._Diag, "rp_match": rp._Match,
            "rp_response_ctx": rp._ResponseCtx, "rp_forwarded": rp._Forwarded,
            "rp_finding": rp._Finding,
        }
        if rp.ctypes.sizeof(rp.ctypes.c_void_p) == 8:
            # LP64 layouts documented in docs/api.md section 3
            self.assertEqual(rp.ctypes.sizeof(rp._Diag), 224)
            self.assertEqual(rp._Diag.message.offset, 24)
            self.assertEqual(rp._Diag.offset.offset, 16)
        path = os.environ.get("REVPROXY_LAYOUT")
        if not path:
            self.skipTest("REVPROXY_LAYOUT not set (no C probe)")
        want = {}
        with open(path) as f:
            for line in f:
                k, v = line.split()
                want[k] = int(v)
        self.assertEqual(want.pop("rp_status.sizeof"), rp.ctypes.sizeof(rp._rp_status))
        checked = 0
        for key, val in sorted(want.items()):
            sname, field = key.split(".")
            cls = structs[sname]
            got = rp.ctypes.sizeof(cls) if field == "sizeof" else getattr(cls, field).offset
            self.assertEqual(got, val, key)
            checked += 1
        # every field of every struct is in the probe
        self.assertEqual(checked, sum(len(c._fields_) + 1 for c in structs.values()))


class Check(unittest.TestCase):
    def test_findings(self):
        rules = ("ProxyPass /app http://b/app\n"
                 "  ProxyPass /app/admin !\n"
                 "ProxyPassReverse /app http://b/app\n")
        with rp.Table.from_rules(rules) as t:
            f = t.check()
            self.assertEqual([x.code for x in f], ["exclusion-after-rule"])
            self.assertEqual((f[0].severity, f[0].line, f[0].column, f[0].other_line),
                             ("error", 2, 3, 1))
            self.assertIn("/app/admin", f[0].message)

    def test_grows_and_round_trip(self):
        # more findings than the first buffer holds (16)
        rules = "".join("ProxyPass /p%d http://b/p%d\n" % (i, i) for i in range(40))
        with rp.Table.from_rules(rules) as t:
            f = t.check()
            self.assertEqual(len(f), 40)
            self.assertEqual({x.code for x in f}, {"no-reverse"})
            self.assertEqual([x.line for x in f], list(range(1, 41)))
        rules = "ProxyPass /app http://b/app\nProxyPassReverse /other http://b/app\n"
        with rp.Table.from_rules(rules) as t:
            self.assertEqual([x.code for x in t.check()], [])
            self.assertEqual([x.code for x in t.check(round_trip=True)], ["round-trip"])


class Forward(unittest.TestCase):
    def setUp(self):
        # Apache profile: the first matching rule wins, so the exclusion comes first
        self.t = rp.Table.from_rules("ProxyPass /app/static !\n" + APP, profile="apache")

    def tearDown(self):
        self.t.close()

    def test_basic_map(self):
        r = self.t.map_request(b"/app/x/y?q=1", host=b"public.example")
        self.assertFalse(r.excluded)
        self.assertEqual(r.url, b"http://backend.internal:8080/internal/x/y?q=1")
        self.assertEqual(r.host, b"backend.internal:8080")
        self.assertEqual(r.rule_index, 1)
        self.assertEqual(r.rule_line, 2)
        self.assertEqual(r.status, rp.RP_OK)
        self.assertEqual(r.http_status, 0)
        self.assertEqual(r.url[r.query_offset:], b"?q=1")
        self.assertEqual(r.url[r.remainder_offset:r.query_offset], b"/x/y")
        self.assertEqual(self.t.rule_count, 2)

    def test_str_arguments(self):
        r = self.t.map_request("/app/caf\u00e9", "public.example")
        # UTF-8 by default; the Apache profile passes raw non-ASCII bytes on
        self.assertTrue(r.url.startswith(b"http://backend.internal:8080/internal/caf"))
        with rp.Table.from_rules(APP, encoding="latin-1") as t:
            r2 = t.map_request("/app/x")
            self.assertEqual(r2.url, b"http://backend.internal:8080/internal/x")

    def test_offsets_doc_example(self):
        with rp.Table.from_rules("ProxyPass /app http://b/one\n", profile="strict") as t:
            r = t.map_request(b"/app/q?x")
            self.assertEqual(r.url, b"http://b/one/q?x")
            self.assertEqual((r.remainder_offset, r.query_offset), (12, 14))

    def test_no_match(self):
        self.assertIsNone(self.t.map_request(b"/other", b"public.example"))
        self.assertIsNone(self.t.map_request(b"/application"))

    def test_exclusion(self):
        r = self.t.map_request(b"/app/static/logo.png", b"public.example")
        self.assertIsNotNone(r)
        self.assertTrue(r.excluded)
        self.assertIsNone(r.url)
        self.assertIsNone(r.host)
        self.assertEqual(r.rule_index, 0)
        self.assertEqual(r.rule_line, 1)
        self.assertEqual(r.http_status, 404)

    def test_errors_raise(self):
        cases = [
            (b"app/x", "RP_E_FORM", 400),
            (b"/app/x#frag", None, None),
            (b"/app/%zz", "RP_E_BAD_PERCENT", 400),
            (b"/app/a%2Fb", "RP_E_ENCODED_SLASH", 404),
        ]
        for target, name, http in cases:
            with self.subTest(target=target):
                try:
                    r = self.t.map_request(target, b"public.example")
                except rp.RevproxyError as e:
                    if name is not None:
                        self.assertEqual(e.status_name, name)
                        self.assertEqual(e.http_status, http)
                    self.assertEqual(rp.status_name(e.status), e.status_name)
                    self.assertIn(e.status_name, str(e))
                    self.assertTrue(e.message)
                else:
                    self.assertIsNone(name, "%r mapped to %r" % (target, r))
        with self.assertRaises(rp.RevproxyError) as cm:
            self.t.map_request(b"/app/x", host=b"bad host")
        self.assertEqual(cm.exception.status_name, "RP_E_HOST")
        self.assertEqual(cm.exception.http_status, 400)
        with rp.Table.from_rules(APP, profile="strict") as t:
            for target, name in [(b"/app/x#f", "RP_E_FRAGMENT"), (b"/app/a\\b", "RP_E_BACKSLASH"),
                                 (b"/app/\x00", "RP_E_CTL"), (b"/app/..;/x", "RP_E_DOT_PARAM")]:
                with self.subTest(target=target):
                    with self.assertRaises(rp.RevproxyError) as cm:
                        t.map_request(target)
                    self.assertEqual(cm.exception.status_name, name)
                    self.assertEqual(cm.exception.http_status, 400)

    def test_config_errors(self):
        with self.assertRaises(rp.ConfigError) as cm:
            rp.Table.from_rules("# comment\nProxyPass /x\n", source="my.conf")
        e = cm.exception
        self.assertIsInstance(e, rp.RevproxyError)
        self.assertEqual(e.status_name, "RP_E_CONFIG")
        self.assertEqual(e.status, rp.RP_E_CONFIG)
        self.assertEqual(e.http_status, 500)
        self.assertEqual((e.line, e.column), (2, 1))
        self.assertIn("needs a path", e.message)
        self.assertTrue(str(e).startswith("my.conf:2:1: RP_E_CONFIG"), str(e))
        with self.assertRaises(ValueError):
            rp.Table.from_rules(APP, profile="nginx")
        with self.assertRaises(rp.RevproxyError) as cm:
            rp.Table.from_rules(APP, profile=7)
        self.assertEqual(cm.exception.status_name, "RP_E_ARG")
        with self.assertRaises(rp.RevproxyError) as cm:
            rp.Table.from_rules(APP, options={rp.RP_OPT_ENCODED_SLASHES: 9})
        self.assertEqual(cm.exception.status_name, "RP_E_ARG")

    def test_nginx_format(self):
        conf = ("location /app/ { proxy_pass http://b.internal/internal/; }\n"
                "location ~ \\.png$ { proxy_pass http://img.internal; }\n")
        with rp.Table.from_rules(conf, format="nginx") as t:
            self.assertEqual(t.map_request("/app/x").url, b"http://b.internal/internal/x")
            self.assertEqual(t.map_request("/app/a.png").url, b"http://img.internal/app/a.png")
        with self.assertRaises(rp.ConfigError) as cm:
            rp.Table.from_rules("location /a/ {\n  proxy_pass ftp://b/;\n}\n", format="nginx")
        self.assertEqual((cm.exception.line, cm.exception.column), (2, 14))
        with self.assertRaises(ValueError):
            rp.Table.from_rules(conf, format="iis")

    def test_warnings(self):
        with rp.Table.from_rules(APP + "DocumentRoot /var/www\n") as t:
            self.assertEqual(len(t.warnings), 1)
            self.assertEqual(t.warnings[0].line, 2)
            self.assertIn("DocumentRoot", t.warnings[0].message)

    def test_options_and_limits(self):
        with rp.Table.from_rules(APP, options={rp.RP_OPT_ENCODED_SLASHES: rp.RP_SLASHES_KEEP,
                                               rp.RP_OPT_PRESERVE_HOST: 1}) as t:
            r = t.map_request(b"/app/a%2Fb", b"Public.Example:81")
            self.assertEqual(r.url, b"http://backend.internal:8080/internal/a%2Fb")
            self.assertEqual(r.host, b"Public.Example:81")  # points into our argument
        with rp.Table.from_rules(APP, limits={rp.RP_LIMIT_TARGET_LEN: 16}) as t:
            with self.assertRaises(rp.RevproxyError) as cm:
                t.map_request(b"/app/" + b"x" * 20)
            self.assertEqual(cm.exception.status_name, "RP_E_TOO_LONG")
            self.assertEqual(cm.exception.http_status, 414)

    def test_nospace_growth(self):
        """Results longer than the first buffer come back whole."""
        seg = b"/" + b"s" * 50
        target = b"/app" + seg * 120 + b"?" + b"q" * 1000  # ~7 KiB
        r = self.t.map_request(target, b"public.example")
        want = b"http://backend.internal:8080/internal" + target[4:]
        self.assertGreater(len(want), 4 * rp.DEFAULT_BUFFER_SIZE)
        self.assertEqual(r.url, want)
        self.assertEqual(r.host, b"backend.internal:8080")  # pointed into the grown buffer
        # a 1-byte first buffer: every function must grow
        with rp.Table.from_rules(APP + "ProxyPassReverse /app http://backend.internal:8080/internal\n",
                                 buffer_size=1) as t:
            self.assertEqual(t.map_request(target).url, want)
            loc = b"http://backend.internal:8080/internal" + seg * 100
            self.assertEqual(t.rewrite_location(loc, public_origin=b"https://w.example"),
                             (b"https://w.example/app" + seg * 100, True))
            self.assertEqual(t.rewrite_location(b"/zzz" + seg * 100), (b"/zzz" + seg * 100, False))
            self.assertEqual(t.public_origin(b"http", b"w.example"), b"http://w.example")
        self.assertEqual(rp.format_forwarded("X-Forwarded-For", client_addr="192.0.2.1",
                                             prior="10.0.0.1", buffer_size=1),
                         b"10.0.0.1, 192.0.2.1")

    def test_output_limit(self):
        # the output limit is an error, never a truncated value
        with rp.Table.from_rules(APP, limits={rp.RP_LIMIT_OUTPUT_LEN: 64}) as t:
            with self.assertRaises(rp.RevproxyError) as cm:
                t.map_request(b"/app/" + b"x" * 100)
            self.assertEqual(cm.exception.status_name, "RP_E_TOO_LONG")

    def test_closed(self):
        t = rp.Table.from_rules(APP)
        self.assertFalse(t.closed)
        t.close()
        t.close()
        self.assertTrue(t.closed)
        with self.assertRaises(ValueError):
            t.map_request(b"/app")
        with rp.Table.from_rules(APP) as t2:
            pass
        self.assertTrue(t2.closed)

    def test_threads(self):
        errors = []

        def work(i):
            try:
                for j in range(200):
                    tgt = ("/app/%d/%d" % (i, j)).encode()
                    r = self.t.map_request(tgt)
                    if r.url != b"http://backend.internal:8080/internal" + tgt[4:]:
                        errors.append((tgt, r.url))
            except Exception as e:  # pragma: no cover
                errors.append(e)
        ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for th in ts:
            th.start()
        for th in ts:
            th.join()
        self.assertEqual(errors, [])

    def test_destination(self):
        with rp.Table.from_rules(APP, profile="strict") as t:
            r = t.map_destination(b"https://www.example.com/app/new", b"https://www.example.com")
            self.assertEqual(r.url, b"http://backend.internal:8080/internal/new")
            with self.assertRaises(rp.RevproxyError) as cm:
                t.map_destination(b"https://evil.example/app/new", b"https://www.example.com")
            self.assertEqual(cm.exception.status_name, "RP_E_FORBIDDEN")


class Reverse(unittest.TestCase):
    def setUp(self):
        self.t = rp.Table.from_rules(
            APP + "ProxyPassReverseCookieDomain backend.internal www.example.com\n"
            "ProxyPassReverseCookiePath /internal /app\n", profile="strict")

    def tearDown(self):
        self.t.close()

    def test_location(self):
        o = b"https://www.example.com"
        self.assertEqual(self.t.rewrite_location(b"http://backend.internal:8080/internal/login",
                                                 public_origin=o),
                         (o + b"/app/login", True))
        self.assertEqual(self.t.rewrite_location("http://backend.internal:8081/internal/x",
                                                 public_origin=o),
                         (b"http://backend.internal:8081/internal/x", False))
        self.assertEqual(self.t.rewrite_location(b"/internal/login?next=/internal/x"),
                         (b"/app/login?next=/internal/x", True))
        self.assertEqual(self.t.rewrite_location(
            b"login", public_origin=o,
            backend_url=b"http://backend.internal:8080/internal/x/y"),
            (o + b"/app/x/login", True))
        with self.assertRaises(rp.RevproxyError) as cm:
            self.t.rewrite_location(b"/internal/x\r\nSet-Cookie: a=b")
        self.assertEqual(cm.exception.status_name, "RP_E_HEADER")
        self.assertEqual(cm.exception.http_status, 502)

    def test_location_apache(self):
        with rp.Table.from_rules(APP + "ProxyPassReverse /app http://backend.internal:8080/internal\n"
                                 "ServerName www.example.com\n") as t:
            self.assertEqual(t.rewrite_location(b"http://backend.internal:8080/internalx"),
                             (b"http://www.example.com/appx", True))
            self.assertEqual(t.public_origin(b"http", None), b"http://www.example.com")
            self.assertEqual(t.public_origin(b"https", b"WWW.Example.com:443"),
                             b"https://www.example.com")
            with self.assertRaises(rp.RevproxyError) as cm:
                t.public_origin(b"http", b"a b")
            self.assertEqual(cm.exception.status_name, "RP_E_HOST")

    def test_set_cookie(self):
        self.assertEqual(
            self.t.rewrite_set_cookie(b"sid=1; Domain=backend.internal; Path=/internal; HttpOnly"),
            (b"sid=1; Domain=www.example.com; Path=/app; HttpOnly", True))
        self.assertEqual(self.t.rewrite_set_cookie(b"sid=1; Path=/internal/admin"),
                         (b"sid=1; Path=/app/admin", True))
        self.assertEqual(self.t.rewrite_set_cookie(b"sid=1; Domain=backend.internal.evil.test"),
                         (b"sid=1; Domain=backend.internal.evil.test", False))

    def test_response_header(self):
        o = b"https://www.example.com"
        self.assertEqual(self.t.rewrite_response_header(
            b"location", b"http://backend.internal:8080/internal/a", public_origin=o),
            (o + b"/app/a", True))
        self.assertEqual(self.t.rewrite_response_header(
            "Set-Cookie", "sid=1; Path=/internal"), (b"sid=1; Path=/app", True))
        self.assertEqual(self.t.rewrite_response_header(
            b"Refresh", b"5; url=http://backend.internal:8080/internal/next", public_origin=o),
            (b"5; url=" + o + b"/app/next", True))
        self.assertEqual(self.t.rewrite_response_header(b"X-Other", b"/internal/x"),
                         (b"/internal/x", False))

    def test_forwarded(self):
        self.assertEqual(rp.format_forwarded(rp.RP_FWD_X_FORWARDED_PROTO, proto="https"), b"https")
        self.assertEqual(self.t.format_forwarded("forwarded", client_addr="192.0.2.60",
                                                 client_port=8080),
                         b'for="192.0.2.60:8080"')
        with self.assertRaises(rp.RevproxyError) as cm:
            rp.format_forwarded("X-Forwarded-For", client_addr="not an address")
        self.assertEqual(cm.exception.status_name, "RP_E_ARG")
        with self.assertRaises(ValueError):
            rp.format_forwarded("X-Nope")


# ------------------------------------------------------------------ conformance

PREAMBLE = b"ServerName canonical.example\n"
REPORTED = {b"location", b"content-location", b"uri", b"destination", b"set-cookie",
            b"refresh", b"link"}


def load_conformance():
    cases_path = os.environ.get("REVPROXY_CASES") or os.path.join(
        SRC, "tests", "data", "apache-cases.jsonl")
    skips_path = os.path.join(os.path.dirname(cases_path), "apache-skips.txt")
    sys.path.insert(0, os.path.join(SRC, "tests"))
    try:
        import gen_conformance as gen
    finally:
        sys.path.pop(0)
    cases = gen.load_cases(cases_path)
    skips = gen.load_skips(skips_path, {c["id"] for c in cases})
    return [gen.prepare(c, skips) for c in cases]


def public_host(rec):
    """httpd takes the public host from an absolute-form http: target (not
    https:), else from Host (as tests/test_conformance.c)."""
    t = rec["target"]
    if len(t) > 5 and t[:5].lower() == b"http:":
        a = t.find(b"/")
        if a >= 0 and a + 1 < len(t) and t[a + 1:a + 2] == b"/":
            rest = t[a + 2:]
            return re.split(b"[/?]", rest, 1)[0]
    return rec["host"]


class Conformance(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.recs = load_conformance()

    def load(self, rec):
        return rp.Table.from_rules(PREAMBLE + rec["config"], profile="apache", source=rec["id"])

    def outcome(self, t, rec):
        """(status name, MapResult or None) for the case's request."""
        try:
            r = t.map_request(rec["target"], rec["host"])
        except rp.RevproxyError as e:
            return e.status_name, e.http_status, None
        if r is None:
            return "RP_NO_MATCH", rp.status_http(rp.RP_NO_MATCH), None
        return rp.status_name(r.status), r.http_status, r

    def check_headers(self, t, rec, url):
        origin = t.public_origin(b"http", public_host(rec))
        used = [False] * len(rec["obs_headers"])
        k = 0
        for name, value in rec["be_headers"]:
            if name.lower() not in REPORTED:
                continue
            got, _ = t.rewrite_response_header(name, value, public_origin=origin,
                                               backend_url=url, request_target=rec["target"])
            want = None
            for j, (oname, ovalue) in enumerate(rec["obs_headers"]):
                if not used[j] and oname.lower() == name.lower():
                    used[j] = True
                    want = ovalue
                    break
            self.assertIsNotNone(want, "%s %r -> %r: Apache sent no such header"
                                 % (name, value, got))
            k += 1
            self.assertEqual(got.strip(b" \t"), want, "%s %r (origin %r)" % (name, value, origin))
        self.assertEqual(k, len(rec["obs_headers"]), "Apache sent more reported headers")

    def run_case(self, rec):
        if rec["config_error"] is not None:
            with self.assertRaises(rp.ConfigError) as cm:
                self.load(rec).close()
            self.assertEqual(cm.exception.status_name, "RP_E_CONFIG")
            self.assertIn(rec["config_error"].decode("utf-8"), cm.exception.message)
            return
        with self.load(rec) as t:
            name, http, r = self.outcome(t, rec)
            if not rec["proxied"]:
                self.assertNotEqual(name, "RP_OK", "mapped to %r" % (r and r.url))
                self.assertEqual(http, rec["status"], "%s = HTTP %d" % (name, http))
                return
            self.assertEqual(name, "RP_OK")
            self.assertEqual(r.url, rec["backend_url"])
            self.assertEqual(r.host, rec["backend_host"])
            self.check_headers(t, rec, r.url)

    def test_apache_cases(self):
        counts = collections.Counter()
        skipped = 0
        for rec in self.recs:
            if rec["skip"] is not None:
                skipped += 1
                continue
            counts[rec["group"]] += 1
            with self.subTest(case=rec["id"], target=rec["target"], host=rec["host"]):
                self.run_case(rec)
        total = sum(counts.values())
        sys.stderr.write("\n# conformance through the binding: %d cases run (%s), %d skipped\n"
                         % (total, ", ".join("%s %d" % kv for kv in sorted(counts.items())),
                            skipped))
        for g in ("forward", "encoding", "security", "config"):
            self.assertGreater(counts[g], 0, "no %s cases" % g)
        self.assertGreaterEqual(counts["forward"] + counts["encoding"] + counts["security"]
                                + counts["config"], 500)

    def test_deviations(self):
        """Deviations (apache-skips.txt) are checked against what revproxy does instead."""
        n = 0
        for rec in self.recs:
            if rec["skip"] is None or rec["skip"][0] != "deviation":
                continue
            n += 1
            expect = rec["skip"][2]
            with self.subTest(case=rec["id"], expect=expect):
                if expect == "config":
                    with self.assertRaises(rp.ConfigError) as cm:
                        self.load(rec).close()
                    self.assertEqual(cm.exception.status_name, "RP_E_CONFIG")
                    continue
                with self.load(rec) as t:
                    name, _, r = self.outcome(t, rec)
                    if expect.startswith("url="):
                        self.assertEqual(name, "RP_OK")
                        self.assertEqual(r.url, expect[4:].encode())
                    else:
                        self.assertEqual(name, expect)
        sys.stderr.write("\n# conformance through the binding: %d deviations checked\n" % n)
        self.assertGreater(n, 0)


if __name__ == "__main__":
    unittest.main(verbosity=int(os.environ.get("VERBOSE", "1")))
