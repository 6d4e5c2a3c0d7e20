#!/usr/bin/env python3
"""Generate the C table of Apache conformance cases.

Usage: gen_conformance.py INPUT.jsonl SKIPS.txt OUTPUT

INPUT.jsonl is tests/data/apache-cases.jsonl (a copy of the cases recorded
from Apache httpd, schema in ../shared/conformance/README.md).  SKIPS.txt is
tests/data/apache-skips.txt: one line per case that is not run,
"ID<TAB>KIND<TAB>reason", KIND being "n/a" (the case exercises the HTTP
server, not the mapping) or "deviation" (a deliberate difference listed in
docs/semantics.md).  Blank lines and lines starting with '#' are ignored.

OUTPUT is a C fragment meant to be #included by tests/test_conformance.c (it
defines a struct type and a static array, so it is not a translation unit of
its own).  Every case of every group is emitted; the test picks the groups
it runs.

Cases that give a whole raw request head ("request.raw") are run like the
others when the head is an ordinary one: request line exactly
"METHOD SP TARGET SP HTTP/x.y CRLF" with a token method, then well-formed
"name: value" CRLF header lines (no obs-fold, no bare CR or LF) and the empty
line.  TARGET and the Host header value are extracted.  Any other raw case
tests the HTTP server's request parser, not the mapping, and must be listed
in SKIPS.txt.

The generator fails (exit status 1, message on stderr) on anything
unexpected: a malformed case or skip line, a skip naming an unknown case, a
duplicate id, an unparseable raw case that is not skipped.

Standard library only; works with Python 3.7+.
"""

import json
import re
import sys

KINDS = ("n/a", "deviation")
GROUPS = ("forward", "encoding", "security", "config", "reverse", "cookie")

TCHAR = rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]"
REQUEST_LINE = re.compile(rb"\A(" + TCHAR + rb"+) ([^ \t\r\n]+) HTTP/[0-9]\.[0-9]\Z")
HEADER_LINE = re.compile(rb"\A(" + TCHAR + rb"+):[ \t]*(.*?)[ \t]*\Z", re.S)


class GenError(Exception):
    pass


def fail(msg):
    raise GenError(msg)


# --------------------------------------------------------------------- input

def load_cases(path):
    cases = []
    seen = set()
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            where = "%s:%d" % (path, lineno)
            try:
                case = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                fail("%s: not a JSON object: %s" % (where, e))
            if not isinstance(case, dict):
                fail("%s: not a JSON object" % where)
            for key in ("id", "group", "config", "request", "observed"):
                if key not in case:
                    fail("%s: missing %r" % (where, key))
            cid = case["id"]
            if not isinstance(cid, str) or not cid or not cid.isascii() \
                    or any(c in cid for c in "\t\r\n "):
                fail("%s: bad id %r" % (where, cid))
            if cid in seen:
                fail("%s: duplicate id %r" % (where, cid))
            seen.add(cid)
            if case["group"] not in GROUPS:
                fail("%s: %s: unknown group %r" % (where, cid, case["group"]))
            if not isinstance(case["config"], list) or \
                    not all(isinstance(x, str) for x in case["config"]):
                fail("%s: %s: config is not a list of strings" % (where, cid))
            case["_where"] = where
            cases.append(case)
    if not cases:
        fail("%s: no cases" % path)
    return cases


def load_skips(path, ids):
    skips = {}
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            where = "%s:%d" % (path, lineno)
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                fail("%s: not UTF-8" % where)
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split("\t")
            expect = None
            if len(parts) == 4 and parts[1].strip() == "deviation":
                expect = parts[2].strip()
                del parts[2]
                if not (expect == "config" or expect.startswith("url=")
                        or expect.startswith("RP_")):
                    fail("%s: deviation EXPECT must be config, url=URL or RP_STATUS, got %r"
                         % (where, expect))
            elif len(parts) == 3 and parts[1].strip() == "deviation":
                fail("%s: a deviation needs ID<TAB>deviation<TAB>EXPECT<TAB>reason" % where)
            if len(parts) != 3:
                fail("%s: expected ID<TAB>KIND<TAB>reason, got %r" % (where, line))
            cid, kind, reason = parts[0].strip(), parts[1].strip(), parts[2].strip()
            if cid not in ids:
                fail("%s: skip names a case that does not exist: %r" % (where, cid))
            if cid in skips:
                fail("%s: case %r is listed twice" % (where, cid))
            if kind not in KINDS:
                fail("%s: %s: KIND must be one of %s, got %r"
                     % (where, cid, ", ".join(KINDS), kind))
            if len(reason) < 10:
                fail("%s: %s: the reason must say why (got %r)" % (where, cid, reason))
            skips[cid] = (kind, reason, expect)
    return skips


def hex_or_text(obj, field, cid):
    """Bytes of obj[field], from obj[field + '_hex'] when present."""
    hx = obj.get(field + "_hex")
    if hx is not None:
        try:
            return bytes.fromhex(hx)
        except ValueError:
            fail("%s: %s_hex is not hex" % (cid, field))
    val = obj.get(field)
    if val is None:
        return None
    if not isinstance(val, str):
        fail("%s: %s is not a string" % (cid, field))
    return val.encode("utf-8")


def parse_raw(head):
    """((target, host), None) for an ordinary raw request head, else (None, why)."""
    if not head.endswith(b"\r\n\r\n"):
        return None, "the head does not end with CRLF CRLF"
    lines = head[:-4].split(b"\r\n")
    m = REQUEST_LINE.match(lines[0])
    if not m:
        return None, "the request line is not METHOD SP TARGET SP HTTP/x.y"
    hosts = []
    for h in lines[1:]:
        if h == b"":
            return None, "data after the empty line that ends the head"
        if b"\r" in h or b"\n" in h or b"\0" in h:
            return None, "bare CR, LF or NUL in a header line"
        if h[:1] in (b" ", b"\t"):
            return None, "obs-fold continuation line"
        hm = HEADER_LINE.match(h)
        if not hm:
            return None, "malformed header line %r" % h
        if hm.group(1).lower() == b"host":
            hosts.append(hm.group(2))
    if len(hosts) > 1:
        return None, "more than one Host header"
    return (m.group(2), hosts[0] if hosts else None), None


def prepare(case, skips):
    cid = case["id"]
    req = case["request"]
    obs = case["observed"]
    rec = {"id": cid, "group": case["group"], "comment": case.get("comment") or "",
           "config": "\n".join(case["config"]).encode("utf-8"),
           "skip": skips.get(cid), "from_raw": False,
           "target": None, "host": None}

    if "raw" in req or "raw_hex" in req:
        head = bytes.fromhex(req["raw_hex"]) if "raw_hex" in req \
            else req["raw"].encode("utf-8")
        parsed, why = parse_raw(head)
        rec["from_raw"] = True
        if parsed is None:
            if rec["skip"] is None:
                fail("%s: raw request the mapping cannot run (%s); it tests the "
                     "HTTP server's request parser, so list it in the skips file"
                     % (cid, why))
        else:
            rec["target"], rec["host"] = parsed
    else:
        target = hex_or_text(req, "target", cid)
        if target is None:
            fail("%s: request has neither target nor raw" % cid)
        rec["target"] = target
        if "host" not in req:
            rec["host"] = b"public.example"   # the recorder's default
        elif req["host"] is None:
            rec["host"] = None
        elif isinstance(req["host"], str):
            rec["host"] = req["host"].encode("utf-8")
        else:
            fail("%s: host is not a string or null" % cid)

    def pairs(lst, what):
        out = []
        for h in lst or []:
            if not (isinstance(h, list) and len(h) == 2 and all(isinstance(x, str) for x in h)):
                fail("%s: %s: a header must be [name, value]" % (cid, what))
            out.append((h[0].encode("utf-8"), h[1].encode("utf-8")))
        return out
    rec["be_headers"] = pairs((case.get("backend_response") or {}).get("headers"),
                              "backend_response.headers")
    rec["obs_headers"] = pairs(obs.get("headers"), "observed.headers")

    if "config_error" in obs:
        if not isinstance(obs["config_error"], str) or not obs["config_error"]:
            fail("%s: empty config_error" % cid)
        rec["config_error"] = obs["config_error"].encode("utf-8")
        rec["proxied"] = False
        rec["backend_url"] = None
        rec["backend_host"] = None
        rec["status"] = 0
        return rec

    rec["config_error"] = None
    if not isinstance(obs.get("proxied"), bool):
        fail("%s: observed.proxied is not a boolean" % cid)
    rec["proxied"] = obs["proxied"]
    status = obs.get("status")
    if status is not None and not isinstance(status, int):
        fail("%s: observed.status is not an integer" % cid)
    rec["status"] = status or 0
    if rec["proxied"]:
        rec["backend_url"] = hex_or_text(obs, "backend_url", cid)
        if rec["backend_url"] is None:
            fail("%s: proxied without backend_url" % cid)
        bh = obs.get("backend_host")
        if not isinstance(bh, str):
            fail("%s: proxied without backend_host" % cid)
        rec["backend_host"] = bh.encode("utf-8")
    else:
        rec["backend_url"] = None
        rec["backend_host"] = None
        if not rec["status"] and rec["skip"] is None:
            fail("%s: not proxied and no status" % cid)
    return rec


# -------------------------------------------------------------------- output

HEXDIGITS = b"0123456789abcdefABCDEF"
CHUNK = 72  # source bytes of data per literal line


def c_str(data, indent="      "):
    """A C string literal expression for the bytes data (NULL for None).

    Printable ASCII goes as is, except '"', '\\' and '?' (trigraphs, which
    -std=c11 enables) which are escaped; every other byte is \\xNN.  A hex
    escape is never followed by a hex digit inside the same literal: the
    literal is closed and a new one opened ("\\x01" "a").  Long values are
    split over several lines (adjacent literals concatenate).
    """
    if data is None:
        return "NULL"
    pieces = []
    cur = []
    width = 0
    after_hex = False
    for b in data:
        ch = bytes((b,))
        if after_hex and ch in HEXDIGITS:
            pieces.append("".join(cur))
            cur = []
            width = 0
        after_hex = False
        if ch == b'"':
            tok = '\\"'
        elif ch == b"\\":
            tok = "\\\\"
        elif ch == b"?":
            tok = "\\?"
        elif 0x20 <= b < 0x7F:
            tok = ch.decode("ascii")
        else:
            tok = "\\x%02x" % b
            after_hex = True
        cur.append(tok)
        width += 1
        if width >= CHUNK:
            pieces.append("".join(cur))
            cur = []
            width = 0
            # a fresh literal starts next: no hex-digit hazard across it
            after_hex = False
    if cur or not pieces:
        pieces.append("".join(cur))
    lits = ['"%s"' % p for p in pieces]
    out = []
    line = ""
    for lit in lits:
        # pieces that were split only for the hex hazard stay on one line
        if line and len(line) + 1 + len(lit) > 100:
            out.append(line)
            line = lit
        else:
            line = (line + " " + lit) if line else lit
    out.append(line)
    return ("\n" + indent).join(out)


def c_len(data):
    return "0u" if data is None else "%du" % len(data)


def c_bool(v):
    return "true" if v else "false"


def emit(cases, skips, out_path, in_path, skips_path):
    lines = []
    w = lines.append
    w("/* Generated by tests/gen_conformance.py from %s and %s. Do not edit. */"
      % (in_path.replace("*/", "*_/"), skips_path.replace("*/", "*_/")))
    w("#include <stdbool.h>")
    w("#include <stddef.h>")
    w("")
    w("#if defined(__GNUC__)")
    w("/* A few targets and URLs are longer than the 4095 bytes -pedantic")
    w("   warns about; every compiler we support takes them. */")
    w("#pragma GCC diagnostic ignored \"-Woverlength-strings\"")
    w("#endif")
    w("")
    w("struct rp_conf_hdr {")
    w("    const char *name;")
    w("    size_t      name_len;")
    w("    const char *value;")
    w("    size_t      value_len;")
    w("};")
    w("")
    for i, r in enumerate(cases):
        for kind in ("be", "obs"):
            lst = r[kind + "_headers"]
            if not lst:
                continue
            w("static const struct rp_conf_hdr rp_hdr_%d_%s[] = {" % (i, kind))
            for name, value in lst:
                w("  { %s, %s, %s, %s }," % (c_str(name), c_len(name), c_str(value), c_len(value)))
            w("};")
    w("")
    w("struct rp_conf_case {")
    w("    const char *id;")
    w("    const char *group;            /* forward encoding security config reverse cookie */")
    w("    const char *comment;          /* what the case probes */")
    w("    const char *config;           /* config lines joined with \"\\n\" */")
    w("    size_t      config_len;")
    w("    const char *target;           /* request-target bytes; NULL only for a skipped raw case */")
    w("    size_t      target_len;")
    w("    const char *host;             /* Host header value; NULL = no Host header */")
    w("    size_t      host_len;")
    w("    bool        from_raw;         /* extracted from a raw request head */")
    w("    bool        config_error;     /* Apache refused the configuration */")
    w("    const char *config_error_msg; /* Apache's message (NULL unless config_error) */")
    w("    bool        proxied;          /* Apache forwarded the request */")
    w("    const char *backend_url;      /* NULL unless proxied */")
    w("    size_t      backend_url_len;")
    w("    const char *backend_host;     /* Host header Apache sent; NULL unless proxied */")
    w("    size_t      backend_host_len;")
    w("    int         status;           /* HTTP status the client got; 0 when none */")
    w("    const char *skip_kind;        /* \"n/a\" or \"deviation\"; NULL = run */")
    w("    const char *skip_reason;      /* NULL = run */")
    w("    const char *dev_expect;       /* deviation: config, url=URL or RP_STATUS */")
    w("    const struct rp_conf_hdr *be_headers;  /* what the backend answered */")
    w("    size_t      n_be_headers;")
    w("    const struct rp_conf_hdr *obs_headers; /* what the client got (reverse-mapped) */")
    w("    size_t      n_obs_headers;")
    w("};")
    w("")
    w("static const struct rp_conf_case rp_conf_cases[] = {")
    for i, r in enumerate(cases):
        kind, reason, expect = r["skip"] if r["skip"] else (None, None, None)
        w("  { /* %s */" % r["id"])
        w("    %s, %s," % (c_str(r["id"].encode()), c_str(r["group"].encode())))
        w("    %s," % c_str(r["comment"].encode("utf-8")))
        w("    %s, %s," % (c_str(r["config"]), c_len(r["config"])))
        w("    %s, %s," % (c_str(r["target"]), c_len(r["target"])))
        w("    %s, %s," % (c_str(r["host"]), c_len(r["host"])))
        w("    %s," % c_bool(r["from_raw"]))
        w("    %s, %s," % (c_bool(r["config_error"] is not None), c_str(r["config_error"])))
        w("    %s," % c_bool(r["proxied"]))
        w("    %s, %s," % (c_str(r["backend_url"]), c_len(r["backend_url"])))
        w("    %s, %s," % (c_str(r["backend_host"]), c_len(r["backend_host"])))
        w("    %d," % r["status"])
        w("    %s, %s" % (c_str(kind.encode() if kind else None),
                          c_str(reason.encode("utf-8") if reason else None)))
        w("    , %s" % c_str(expect.encode("utf-8") if expect else None))
        for kind in ("be", "obs"):
            n = len(r[kind + "_headers"])
            w("    , %s, %d" % (("rp_hdr_%d_%s" % (i, kind)) if n else "NULL", n))
        w("  },")
    w("};")
    w("")
    w("#define RP_CONF_CASE_COUNT (sizeof rp_conf_cases / sizeof rp_conf_cases[0])")
    w("#define RP_CONF_SKIP_COUNT %du" % len(skips))
    w("")
    text = "\n".join(lines)
    with open(out_path, "w", encoding="ascii", newline="\n") as f:
        f.write(text)


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: %s INPUT.jsonl SKIPS.txt OUTPUT\n" % argv[0])
        return 2
    in_path, skips_path, out_path = argv[1], argv[2], argv[3]
    try:
        cases = load_cases(in_path)
        skips = load_skips(skips_path, {c["id"] for c in cases})
        recs, errors = [], []
        for c in cases:
            try:
                recs.append(prepare(c, skips))
            except GenError as e:
                errors.append(str(e))
        if errors:
            fail("%d case(s) cannot be generated:\n  %s"
                 % (len(errors), "\n  ".join(errors)))
        emit(recs, skips, out_path, in_path.rsplit("/", 1)[-1],
             skips_path.rsplit("/", 1)[-1])
    except GenError as e:
        sys.stderr.write("gen_conformance.py: error: %s\n" % e)
        return 1
    except OSError as e:
        sys.stderr.write("gen_conformance.py: error: %s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
