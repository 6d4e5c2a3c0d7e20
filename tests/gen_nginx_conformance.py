#!/usr/bin/env python3
"""Turn the nginx 1.22.1 recordings (tests/data/nginx-cases.jsonl, a copy of
../shared/conformance/nginx/cases.jsonl) into a C table for test_nginx.c.

usage: gen_nginx_conformance.py CASES.jsonl SKIPS.txt OUT.inc

Each case becomes: the nginx text (its config lines inside a server block),
the request-target bytes, the Host, what rp_map_request must give, and the
response headers to rewrite with what the client got. SKIPS.txt lists, one per
line, "ID reason": cases where revproxy knowingly differs (docs/nginx.md);
the test checks that each of them really does differ, so the list stays true.
Cases that test nginx's HTTP server rather than the mapping (a raw request
head, another method, no Host, 5xx answers) are marked n/a here.
"""
import json
import sys

REWRITTEN = {"location", "refresh", "set-cookie", "content-location", "link"}


def cstr(b):
    out = []
    for c in b:
        if c in (0x22, 0x5C, 0x3F):
            out.append("\\%03o" % c)
        elif 0x20 <= c < 0x7F:
            out.append(chr(c))
        else:
            out.append("\\%03o" % c)
    return '"' + "".join(out) + '"'


def public_origin(host):
    h = host.lower()
    if h.startswith("["):
        h = h[: h.index("]") + 1]
    elif ":" in h:
        h = h.split(":", 1)[0]
    if h.endswith("."):
        h = h[:-1]
    return "http://" + h


def main():
    cases_path, skips_path, out_path = sys.argv[1:4]
    skips = {}
    for line in open(skips_path, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        cid, _, why = line.partition(" ")
        skips[cid] = why.strip()
    rows, hdrs = [], []
    seen = set()
    for line in open(cases_path, encoding="utf-8"):
        c = json.loads(line)
        cid = c["id"]
        seen.add(cid)
        req = c["request"]
        obs = c["observed"]
        conf = "server {\n    listen 80;\n    server_name canonical.example;\n"
        conf += "".join("    " + x + "\n" for x in c["config"]) + "}\n"
        na = ""
        if c["group"] == "config":
            kind = "K_CONFIG_ERR" if obs.get("config_error") else "K_CONFIG_OK"
        else:
            kind = None
        if "raw" in req or req.get("method") or req.get("version") or req.get("headers"):
            na = "the request is not a plain GET with a Host"
        elif req.get("host") is None:
            na = "no Host header"
        target = bytes.fromhex(req["target_hex"]) if "target_hex" in req else (
            req.get("target", "").encode())
        host = (req.get("host") or "").encode()
        url = b""
        if kind is None:
            st = obs.get("status")
            if obs.get("config_error"):
                kind = "K_CONFIG_ERR"
            elif obs.get("proxied"):
                kind = "K_URL"
                url = (bytes.fromhex(obs["backend_url_hex"]) if "backend_url_hex" in obs
                       else obs["backend_url"].encode())
            elif st == 301 and any(("rewrite " in x or "return " in x) for x in c["config"]):
                kind = "K_NOT_PROXIED"
                na = na or "nginx's own redirect (rewrite/return)"
            elif st == 301:
                kind = "K_EXCLUDED"  # nginx's own 301 to the location with '/'
            elif st in (403, 404):
                kind = "K_NOT_PROXIED"
            elif st == 400:
                kind = "K_ERROR"
            else:
                kind = "K_URL"
                na = na or "nginx answered %s itself" % st
        h0 = len(hdrs)
        if kind == "K_URL" and not na and obs.get("proxied"):
            sent = [h for h in c["backend_response"]["headers"] if h[0].lower() in REWRITTEN]
            got = [h for h in obs["headers"] if h[0].lower() in REWRITTEN]
            seen_loc = False
            pairs = []
            for h in sent:
                if h[0].lower() == "location":
                    if seen_loc:
                        continue  # nginx rewrites the first Location only
                    seen_loc = True
                pairs.append(h)
            if len(pairs) == len(got) and all(
                    a[0].lower() == b[0].lower() for a, b in zip(pairs, got)):
                for a, b in zip(pairs, got):
                    bv = bytes.fromhex(b[2]) if len(b) > 2 else b[1].encode()
                    hdrs.append((a[0].encode(), a[1].encode(), bv))
        skip = skips.get(cid)
        rows.append("    {%s, %s, %s, %d, %s, %s, %s, %d, %d, %s, %s},\n" % (
            cstr(cid.encode()), cstr(conf.encode()), cstr(target), len(target), cstr(host),
            kind, cstr(url), h0, len(hdrs) - h0,
            cstr(public_origin(req.get("host") or "127.0.0.1").encode()),
            cstr((na and ("n/a: " + na) or (skip and ("skip: " + skip)) or "").encode())))
    unknown = sorted(set(skips) - seen)
    if unknown:
        sys.exit("skips name unknown cases: " + ", ".join(unknown))
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("/* generated by gen_nginx_conformance.py; do not edit */\n")
        f.write("static const ngx_hdr k_ngx_hdrs[] = {\n")
        for n, v, w in hdrs:
            f.write("    {%s, %s, %d, %s, %d},\n" % (cstr(n), cstr(v), len(v), cstr(w), len(w)))
        if not hdrs:
            f.write("    {\"\", \"\", 0, \"\", 0},\n")
        f.write("};\n")
        f.write("static const ngx_case k_ngx_cases[] = {\n")
        f.writelines(rows)
        f.write("};\n")


if __name__ == "__main__":
    main()
