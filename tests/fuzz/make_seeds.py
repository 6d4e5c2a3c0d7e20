#!/usr/bin/env python3
"""Write the seed corpora tests/fuzz/corpus/<target>/seed-* from the malicious
inputs of SECURITY.md section 1 (and a few ordinary ones).

Each seed starts with the header bytes its target reads (fuzz_common.h):
option byte '0' + bits (bit 0 strict, bit 1 no slash merging, bits 2-3 the
encoded-slash policy, bit 4 ProxyPreserveHost, bit 5 derive-reverse flipped),
table byte 'a' + index, variant byte '0' + value. Re-running this script
rewrites the seed-* files only; files found by fuzzing (other names) stay.

    python3 tests/fuzz/make_seeds.py
"""
import hashlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
NTABLES = 6

# Request targets: SECURITY.md 1.1-1.5, then ordinary ones.
TARGETS = [
    # CVE-2021-40438
    b"/?unix:" + b"A" * 5000 + b"|http://example.com/",
    b"/app/x?unix:AAAA|http://example.com/",
    # CVE-2021-41773 / 42013
    b"/cgi-bin/.%2e/.%2e/.%2e/.%2e/bin/sh",
    b"/icons/.%2e/%2e%2e/etc/passwd",
    b"/icons/.%2e/x",
    b"/icons/.%%32%65/.%%32%65/etc/passwd",
    b"/icons/%252e%252e/x",
    # CVE-2023-25690
    b"/here/x%20HTTP/1.1%0d%0aHost:%20b%0d%0a%0d%0aGET%20/admin",
    b"/here/a&b=c;d#e",
    # CVE-2024-38473 / 38474 / 38475
    b"/app/admin.php%3Fooo.php",
    b"/user/orange%2Fsecret.yml%3F",
    b"/html/usr/share/x.php%3F",
    b"/u/orange%3F/secret",
    # CVE-2024-39573
    b"/http://evil.example/x",
    # CVE-2011-3368 / 4317
    b"@10.0.0.1/admin",
    b":@10.0.0.1/",
    # CVE-2019-10098
    b"/%0a//evil.example/",
    b"/img/%0a//evil.example/",
    # CVE-2019-0220
    b"//admin/",
    b"///app//static//x",
    # CVE-2019-10092
    b"/app/<script>alert(1)</script>",
    # CVE-2016-4975 / nginx $uri CRLF
    b"/%0d%0aSet-Cookie:%20a=1",
    b"/app/\r\nX: y",
    # CVE-2021-44224 / absolute form / userinfo
    b"http://evil.example/app/x",
    b"http://public.example@evil.example/",
    b"https://www.example.com/app/x?y",
    # nginx CVE-2009-2629, CVE-2013-4547, alias off-by-slash
    b"/%2e%2e/",
    b"/../",
    b"//..",
    b"/a/b/../../../c",
    b"/1.gif\x20\x00.php",
    b"/test\x20/../admin/index.php",
    b"//scripts/one.php",
    b"/files../etc/passwd",
    b"/api../admin",
    b"/app../x",
    b"/proxy/http/169.254.169.254/latest/meta-data/",
    # Envoy
    b"/something%2F..%2Fadmin",
    b"/app1/admin#foo",
    b"/user/..;foo=bar/admin",
    b"/admin;x=y/action",
    b"/api/*/admin",
    b"/app/..%3B/x",
    b"/app/.;/x",
    # authority / asterisk form
    b"host:443",
    b"*",
    # Traefik, HAProxy
    b"/api%2e%2e/admin",
    b"/public/%2e%2e/admin",
    b"/#/../admin",
    b"/index.html#.png",
    b"/admin? HTTP/1.1 /static",
    # Tomcat
    b"/app/..;/manager/html",
    b"/app/..%5C..%5Cconf/x",
    b"/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
    b"/a\\..\\b",
    b"/a/%5c../b",
    # Go, Node
    b"/?a=1;admin=true",
    b"/app/\xc4\x8d\xc4\x8a",
    b"/a/../a/../" * 200,
    # 1.5 attack classes
    b"/%ed%a0%80",
    b"/%f4%90%80%80",
    b"/%252e%252e/admin",
    b"/a%00.php",
    b"/\xef\xbc\x85\xef\xbc\x92\xef\xbd\x85/",
    b"/%EF%BC%8F",
    b"/" + b"a/" * 300,
    b"/./" * 1000,
    b"/%41" * 1000,
    b"/" + b"a" * 40 + b"!",
    b"/" + b"a" * 30 + b"b",
    b"/" + b"x" * 9000,
    # PR 15207
    b"/reverse/nonesuch/file%25",
    # ordinary
    b"",
    b"/",
    b"/app",
    b"/app/users/42?tab=1",
    b"/app/static/logo.css",
    b"/app/api/items?x=%41",
    b"/img/cat.png",
    b"/img/../private/x",
    b"/u/alice/x?y=1",
    b"/dl/a/b",
    b"/x.php",
    b"/private",
    b"/app/admin/x",
    b"/app/admin/off/y",
    b"/loc/q?x=1",
    b"/v6/x",
    b"/raw/a%2Fb/../c?q",
    b"/enc/a%2Fb",
    b"/srv;a=b/x;c=d",
    b"/a",
    b"/c/x",
    b"/d/",
    b"/bare/x",
    b"/api/x%7e%2a",
]

LOCATIONS = [
    b"http://backend.internal:8080/internal/x",
    b"http://backend.internal:8080/internalx",
    b"http://backend.internal.evil.test/x",
    b"http://backend.internal:8080@evil.example/",
    b"http://b:8080/v1/x?q#f",
    b"http://b:8080/v1//evil.example",
    b"http://root.internal:8080//evil.example",
    b"http://root.internal:8080/\\evil.example",
    b"/v1//evil.example",
    b"/v1/\\evil.example",
    b"//b:8080/v1/x",
    b"../x",
    b"bar",
    b"/server-status",
    b"http://b:8080/v1/x\r\nSet-Cookie: a=1",
    b"http://b:8080/v1/%0d%0a",
    b"http://b:8080/v1/x\x00",
    b"http://[FD00:0::5]:8080/v1/x",
    b"http://[fd00::5%25eth0]:8080/v1/x",
    b"http://[fd00::5:8080/v1/x",
    b"HTTP://Backend.Internal:8080/internal/x",
    b"http://backend.internal:80/internal",
    b"https://secure.internal:443/s/x",
    b"http://secure.internal:443/s/x",
    b"http://backend.internal.:8080/internal/x",
    b"http://0x7f.1/",
    b"http://2130706433/",
    b"http://b\xd0\xb0ckend/",
    b"http://example.com#@evil/",
    b"http://example.com%2F127.0.0.1/",
    b"http://r//evil.example",
    b"http://r/\\evil",
    b"http://r/x/../../y",
    b"http://1.1.1.1 &@2.2.2.2# @3.3.3.3/",
    b"http://images.internal/static/a?b#c",
    b"http://other.internal/x",
    b"http://users.internal/p/x",
    b"http://admin.internal/x/y",
    b"http://loc.internal/l/z",
    b"http://bare.internal:8080",
    b"http://b/internal/x",
    b"http://b/c-internal/y",
    b"ws://ws.internal:81/socket",
    b"http://b:8080/v1/" + b"a" * 9000,
    b"",
    b"/",
    b"/internal/x",
    b"?x",
    b"#f",
]

COOKIES = [
    b"fakedomain=local;domain=local",
    b"a=1; Path=/app/; Path=/",
    b"a=1; Domain=backend.internal.very.long.name; Domain=x",
    b"sid=1; Domain=backend.internal; Path=/internal; HttpOnly",
    b"sid=1; domain=.B.Internal; path=/v1/x",
    b"sid=1; Domain=backend.internal.evil.test",
    b"sid=1; Path=/v1x",
    b"a=1; Path=/v1; Path=/",
    b"domain=backend.internal; Path=/internal",
    b"path=/internal",
    b"a=1 ; Path = /v1",
    b"__Host-s=1; Path=/v1; Secure",
    b"__secure-s=1; Domain=backend.internal",
    b"s=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/v1",
    b"a=b\r\nX: y",
    b"a=b\x00; Path=/internal",
    b"a=1" + b";x" * 70,
    b"a=1; Domain=b.c.internal; Path=/s/x",
    b"a=1; Domain=secure.internal; Path=/",
    b"a=1; Domain=.api.internal; Path=/v1/",
    b"a=1; Domain=admin.internal; Path=/x/y",
    b"a=1; Domain=root.internal; Path=/c-internal/q",
    b"a=1;\tPath\t=\t/internal/ ;",
    b"a=1; Path=/internal" + b"/x" * 4000,
    b"",
    b";",
    b"=",
    b"a",
]

HEADERS = [
    (0, b"http://b:8080/v1/x"),
    (1, b"http://backend.internal:8080/internal/y"),
    (2, b"/v1/z"),
    (3, b"http://backend.internal:8080/internal/"),
    (4, b"sid=1; Domain=backend.internal; Path=/internal"),
    (5, b"a=1; Path=/v1/x"),
    (6, b"0; url=http://b:8080/v1/x"),
    (6, b"5;URL='http://backend.internal:8080/internal/'"),
    (6, b"  3 ;  url = \"/v1/x\" rest"),
    (6, b"0; url=http://b:8080/v1//evil.example"),
    (7, b"<http://b:8080/v1/x>; rel=next, <http://b:8080/v1/y>; anchor=\"http://b:8080/v1/\""),
    (7, b"<http://backend.internal:8080/internal/a>;rel=\"prev\",<../b>;anchor=<x>"),
    (7, b"<http://b:8080/v1/x" + b">, <" * 200),
    (8, b"http://b:8080/v1/x"),
    (9, b"http://b:8080/v1/x"),
    (10, b"http://b:8080/v1/x"),
    (11, b"http://b:8080/v1/x"),
    (0, b"http://b:8080/v1/x\r\nX: y"),
    (8, b"a\x00b"),
    (12, b"location:http://b:8080/v1/x"),
    (12, b"X-Custom:http://b:8080/v1/x"),
    (12, b"Set-Cookie:a=1; Domain=backend.internal"),
    (12, b"Li\x00nk:<http://b:8080/v1/x>"),
]

CONFIGS = [
    open(os.path.join(HERE, "..", "..", "examples", "apache.conf"), "rb").read(),
    b"ProxyPass / http://r/\n",
    b"ProxyPass /app http://backend.internal:8080/internal\n"
    b"ProxyPass /app/static !\n"
    b"ProxyPassReverse /app http://backend.internal:8080/internal\n"
    b"ProxyPassReverseCookieDomain backend.internal www.example.com\n"
    b"ProxyPassReverseCookiePath /internal /app\n",
    b"ProxyPassMatch ^/img/(.*)$ http://images.internal/static/$1\n"
    b"ProxyPassMatch ^/u/([^/]+)/(.*)$ http://users.internal/p/$2?user=$1\n"
    b"ProxyPassMatch ^/private(/|$) !\n",
    b"<Location /api>\n  ProxyPass http://api.internal:9090/v1\n"
    b"  ProxyPassReverse http://api.internal:9090/v1\n"
    b"  ProxyPassReverseCookiePath /v1 /api\n</Location>\n"
    b"<LocationMatch ^/loc/(.*)$>\n  ProxyPassMatch http://loc.internal/l/$1\n</LocationMatch>\n",
    b"AllowEncodedSlashes NoDecode\nMergeSlashes Off\nProxyPreserveHost On\n"
    b"ServerName https://www.example.com:8443\n"
    b"ProxyPass /raw http://raw.internal/r nocanon\n"
    b"ProxyPass /enc http://enc.internal/e mapping=encoded\n"
    b"ProxyPass /srv http://srv.internal/s mapping=servlet timeout=5 retry=0\n",
    b"# comment\n\nProxyPass \"/with space\" \"http://b/x y\"\n"
    b"ProxyPass /cont \\\n  http://b/cont\n",
    b"ProxyPass /v6 http://[fd00::5]:8080/v1\nProxyPassReverse /v6 http://[FD00:0::5]:8080/v1\n"
    b"ProxyPassReverse https://www.example.com/api http://b:8080/v1\n",
    b"<VirtualHost *:80>\nServerName a\nProxyPass / http://a/\n</VirtualHost>\n"
    b"<IfModule mod_proxy.c>\nProxyPass /m http://m/\n</IfModule>\nProxyRequests Off\n",
    # malicious configurations
    b"ProxyPass / unix:/var/run/a.sock|http://x/\n",
    b"ProxyPassMatch ^/(.*)$ $1://b/\n",
    b"ProxyPassMatch (.*) http://internal$1\n",
    b"ProxyPassMatch ^/html/(.*)$ /$1.html\n",
    b"ProxyPassMatch ^/proxy/(.*)/(.*)$ $1://$2\n",
    b"ProxyPassMatch ^/(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)$ http://b/$9$10$12\n",
    b"ProxyPassMatch ^/(a+)+$ http://redos.internal/\n",
    b"ProxyPassMatch ^/here/(.*) http://b:8080/elsewhere?$1\n",
    b"ProxyPass /api http://b/v1/\r\nProxyPass /x http://b/%0d%0a\n",
    b"ProxyPass /app http://b/v1/%2e%2e/admin\n",
    b"ProxyPass /a http://user@b/\n",
    b"ProxyPassReverseCookieDomain b.internal com\n"
    b"ProxyPassReverseCookieDomain a.b.internal example.com\n"
    b"ProxyPassReverseCookiePath /x /a;b\n",
    b"ServerName www.example.com\r\nX: y\n",
    b"<Location /a>\n<Location /b>\nProxyPass http://b/\n</Location>\n",
    b"<Location /a>\nProxyPass /p http://b/\n</Location>\n",
    b"ProxyPass\n",
    b"ProxyPass /a\n",
    b"ProxyPass /a relative/url\n",
    b"ProxyPass /a http://b/" + b"x" * 17000 + b"\n",
    b"ProxyPass " + b"/a" * 300 + b" http://b/\n",
    b"ProxyPass /x http://b/\n" * 300,
    b"\x00\xff\"\\",
    b"",
]


def name(data):
    return hashlib.sha1(data).hexdigest()[:12]


def write(target, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name(data)), "wb") as f:
        f.write(data)


def opt(bits):
    return bytes([ord("0") + bits])


def tab(i):
    return bytes([ord("a") + i % NTABLES])


def var(v):
    return bytes([ord("0") + v])


def main():
    for target in ("map", "canon", "location", "cookie", "header", "config"):
        d = os.path.join(HERE, "corpus", target)
        if os.path.isdir(d):
            for f in os.listdir(d):
                if f.startswith("seed-"):
                    os.unlink(os.path.join(d, f))
    for i, t in enumerate(TARGETS):
        # Apache and strict, one table chosen by position and the nested table
        for bits in (0, 1):
            write("map", opt(bits) + tab(i) + var(i % 4) + t)
            write("map", opt(bits | (32 if i % 3 == 0 else 0)) + tab(1) + var(1) + t)
        write("map", opt(1 | 2 | 8) + tab(0) + var(0) + t)  # strict, no merge, KEEP
        write("canon", opt(1) + t)
        write("canon", opt(1 | 8) + t)
        write("canon", opt(1 | 2 | 4) + t)
    for i, v in enumerate(LOCATIONS):
        for bits in (0, 1):
            write("location", opt(bits) + tab(i) + var(i % 27) + v)
            write("location", opt(bits) + tab(1) + var(1) + v)
        write("location", opt(1 | 2) + tab(4) + var(0) + v)
    for i, v in enumerate(COOKIES):
        for bits in (0, 1):
            write("cookie", opt(bits) + tab(i) + var(i % 27) + v)
            write("cookie", opt(bits) + tab(1) + var(0) + v)
            write("cookie", opt(bits) + tab(3) + var(9) + v)
    for i, (n, v) in enumerate(HEADERS):
        for bits in (0, 1):
            write("header", opt(bits) + tab(i) + var(i % 27) + var(n) + v)
            write("header", opt(bits) + tab(1) + var(1) + var(n) + v)
    for i, c in enumerate(CONFIGS):
        write("config", opt(i % 4) + c)
        write("config", opt(1 - i % 2) + c)
    return 0


if __name__ == "__main__":
    sys.exit(main())
