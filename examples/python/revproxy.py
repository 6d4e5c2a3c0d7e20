"""revproxy: a ctypes binding of librevproxy (standard library only).

Maps request-targets to backend URLs through Apache ProxyPass-style rules and
rewrites backend URLs in response headers back to public ones. This module is
a thin layer over the public C API (include/revproxy/revproxy.h); nothing is
compiled.

    import revproxy
    with revproxy.Table.from_rules("ProxyPass /app http://backend:8080/internal\\n",
                                   profile="strict") as t:
        r = t.map_request(b"/app/x?y=1", host=b"www.example.com")
        if r is None or r.excluded:
            ...                        # not proxied: answer 404 or serve locally
        else:
            r.url                      # b"http://backend:8080/internal/x?y=1"
            r.host                     # b"backend:8080" (the Host header to send)

Bytes in, bytes out. Every string argument may be bytes (passed as is) or str
(encoded with the table's ``encoding``, UTF-8 by default, errors
"surrogateescape"; pass ``encoding="latin-1"`` to Table.from_rules for values
that come from a WSGI environ, which decodes the wire bytes as latin-1). Results
are always bytes. Rules text given as str is always encoded as UTF-8.

Errors raise RevproxyError (or its subclass ConfigError for rule text that does
not load), carrying ``status`` (the rp_status number), ``status_name``
("RP_E_FORM"), ``message`` and ``http_status`` (what rp_status_http says a
server should answer, 400 for RP_E_FORM). RP_E_NOSPACE never escapes: every
call grows its buffer to the size the library reports and retries.

The library is found through, in order: the REVPROXY_LIB environment variable
(the path of librevproxy.so), ctypes.util.find_library("revproxy") (an
installed library), then the build trees next to this file (build/ and
builddir/ at the top of the source tree). Call load(path) to choose one
explicitly before first use.

Threads: a Table may be used from any number of threads at once (each call has
its own buffers). Do not close() it while another thread is using it.
"""

import ctypes
import ctypes.util
import os
import threading

__all__ = [
    "RevproxyError", "ConfigError", "Table", "MapResult", "Diagnostic",
    "load", "library_path", "version", "version_string",
    "status_name", "strerror", "status_http", "format_forwarded",
]

# --------------------------------------------------------------------------
# Constants (numbers are ABI; see revproxy.h)

RP_OK = 0
RP_NO_MATCH = 1
RP_E_NOSPACE = 2
RP_E_ARG = 3
RP_E_SYNTAX = 4
RP_E_TOO_LONG = 5
RP_E_FORBIDDEN = 6
RP_E_CONFIG = 7
RP_E_NOMEM = 8
RP_EXCLUDED = 9
RP_E_FORM = 10
RP_E_CTL = 11
RP_E_FRAGMENT = 12
RP_E_BACKSLASH = 13
RP_E_NON_ASCII = 14
RP_E_BAD_CHAR = 15
RP_E_BAD_PERCENT = 16
RP_E_BAD_UTF8 = 17
RP_E_ENCODED_SLASH = 18
RP_E_ENCODED_NUL = 19
RP_E_ABOVE_ROOT = 20
RP_E_DOT_PARAM = 21
RP_E_LIMIT = 22
RP_E_UNSAFE_OUTPUT = 23
RP_E_HEADER = 24
RP_E_USERINFO = 25
RP_E_UNSUPPORTED = 26
RP_E_INTERNAL = 27
RP_E_HOST = 28

RP_PROFILE_APACHE = 1
RP_PROFILE_STRICT = 2

RP_LIMIT_TARGET_LEN = 1
RP_LIMIT_SEGMENTS = 2
RP_LIMIT_HEADER_LEN = 3
RP_LIMIT_COOKIE_ATTRS = 4
RP_LIMIT_RULES = 5
RP_LIMIT_OUTPUT_LEN = 6
RP_TARGET_LEN_MAX = 16384

RP_OPT_ENCODED_SLASHES = 1
RP_OPT_MERGE_SLASHES = 2
RP_OPT_PRESERVE_HOST = 3
RP_OPT_DERIVE_REVERSE = 4

RP_SLASHES_REJECT = 0
RP_SLASHES_DECODE = 1
RP_SLASHES_KEEP = 2

RP_MAP_DEFAULT = 0

RP_FWD_X_FORWARDED_FOR = 1
RP_FWD_X_FORWARDED_HOST = 2
RP_FWD_X_FORWARDED_PROTO = 3
RP_FWD_X_FORWARDED_PREFIX = 4
RP_FWD_FORWARDED = 5

RP_SEVERITY_INFO = 0
RP_SEVERITY_WARNING = 1
RP_SEVERITY_ERROR = 2
RP_CHECK_ROUND_TRIP = 1 << 0

_PROFILES = {"apache": RP_PROFILE_APACHE, "strict": RP_PROFILE_STRICT}
_FWD_NAMES = {
    "x-forwarded-for": RP_FWD_X_FORWARDED_FOR,
    "x-forwarded-host": RP_FWD_X_FORWARDED_HOST,
    "x-forwarded-proto": RP_FWD_X_FORWARDED_PROTO,
    "x-forwarded-prefix": RP_FWD_X_FORWARDED_PREFIX,
    "forwarded": RP_FWD_FORWARDED,
}

# First buffer size tried by every call; RP_E_NOSPACE makes it grow.
DEFAULT_BUFFER_SIZE = 512

# --------------------------------------------------------------------------
# Struct layouts: field for field as in revproxy.h. rp_status is a C enum,
# 4 bytes on the GCC and Clang ABIs (docs/api.md section 11): c_int.

_rp_status = ctypes.c_int


class _Diag(ctypes.Structure):
    _fields_ = [
        ("code", _rp_status),
        ("line", ctypes.c_uint32),
        ("column", ctypes.c_uint32),
        ("offset", ctypes.c_size_t),
        ("message", ctypes.c_char * 200),
    ]


class _Match(ctypes.Structure):
    _fields_ = [
        ("rule_index", ctypes.c_uint32),
        ("rule_line", ctypes.c_uint32),
        ("path_len", ctypes.c_size_t),
        ("remainder_offset", ctypes.c_size_t),
        ("query_offset", ctypes.c_size_t),
        # not NUL-terminated: a void pointer, read with string_at(host, host_len)
        ("host", ctypes.c_void_p),
        ("host_len", ctypes.c_size_t),
    ]


class _ResponseCtx(ctypes.Structure):
    _fields_ = [
        ("public_origin", ctypes.c_char_p),
        ("public_origin_len", ctypes.c_size_t),
        ("backend_url", ctypes.c_char_p),
        ("backend_url_len", ctypes.c_size_t),
        ("request_target", ctypes.c_char_p),
        ("request_target_len", ctypes.c_size_t),
    ]


class _Finding(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_char_p),
        ("severity", ctypes.c_uint),
        ("line", ctypes.c_uint32),
        ("column", ctypes.c_uint32),
        ("other_line", ctypes.c_uint32),
        ("message", ctypes.c_char * 200),
    ]


class _Forwarded(ctypes.Structure):
    _fields_ = [
        ("client_addr", ctypes.c_char_p),
        ("client_addr_len", ctypes.c_size_t),
        ("client_port", ctypes.c_uint),
        ("host", ctypes.c_char_p),
        ("host_len", ctypes.c_size_t),
        ("proto", ctypes.c_char_p),
        ("proto_len", ctypes.c_size_t),
        ("prefix", ctypes.c_char_p),
        ("prefix_len", ctypes.c_size_t),
        ("by", ctypes.c_char_p),
        ("by_len", ctypes.c_size_t),
        ("prior", ctypes.c_char_p),
        ("prior_len", ctypes.c_size_t),
    ]


# --------------------------------------------------------------------------
# Loading

_lib = None
_lib_path = None
_lock = threading.Lock()

_P = ctypes.c_void_p           # opaque handles (rp_builder *, rp_table *)
_S = ctypes.c_size_t
_U = ctypes.c_uint
_CP = ctypes.c_char_p          # input (pointer, length) data; bytes or None
_OUT = ctypes.POINTER(ctypes.c_char)  # caller buffer, or None with size 0
_SZP = ctypes.POINTER(ctypes.c_size_t)

_PROTOS = {
    "rp_strerror": (ctypes.c_char_p, [_rp_status]),
    "rp_status_name": (ctypes.c_char_p, [_rp_status]),
    "rp_status_http": (ctypes.c_int, [_rp_status]),
    "rp_version": (ctypes.c_uint32, []),
    "rp_version_string": (ctypes.c_char_p, []),
    "rp_builder_new": (_rp_status, [_U, _P, ctypes.POINTER(_P)]),
    "rp_builder_free": (None, [_P]),
    "rp_builder_set_limit": (_rp_status, [_P, _U, _S]),
    "rp_builder_set_option": (_rp_status, [_P, _U, _U]),
    "rp_builder_set_server_name": (_rp_status, [_P, _CP, _S]),
    "rp_builder_add_config": (_rp_status, [_P, _CP, _S, _CP, ctypes.POINTER(_Diag)]),
    "rp_builder_add_nginx_config": (_rp_status, [_P, _CP, _S, _CP, ctypes.POINTER(_Diag)]),
    "rp_builder_warning_count": (_S, [_P]),
    "rp_builder_warning": (_rp_status, [_P, _S, ctypes.POINTER(_Diag)]),
    "rp_builder_compile": (_rp_status, [_P, ctypes.POINTER(_P), ctypes.POINTER(_Diag)]),
    "rp_table_free": (None, [_P]),
    "rp_table_rule_count": (_S, [_P]),
    "rp_map_request": (_rp_status, [_P, _CP, _S, _CP, _S, _U, _OUT, _S, _SZP,
                                    ctypes.POINTER(_Match)]),
    "rp_public_origin": (_rp_status, [_P, _CP, _S, _CP, _S, _OUT, _S, _SZP]),
    "rp_rewrite_location": (_rp_status, [_P, _CP, _S, ctypes.POINTER(_ResponseCtx), _U,
                                         _OUT, _S, _SZP]),
    "rp_rewrite_set_cookie": (_rp_status, [_P, _CP, _S, ctypes.POINTER(_ResponseCtx), _U,
                                           _OUT, _S, _SZP]),
    "rp_rewrite_response_header": (_rp_status, [_P, _CP, _S, _CP, _S,
                                                ctypes.POINTER(_ResponseCtx), _U,
                                                _OUT, _S, _SZP]),
    "rp_map_destination": (_rp_status, [_P, _CP, _S, _CP, _S, _U, _OUT, _S, _SZP,
                                        ctypes.POINTER(_Match)]),
    "rp_format_forwarded": (_rp_status, [_U, ctypes.POINTER(_Forwarded), _OUT, _S, _SZP]),
    "rp_table_check": (_rp_status, [_P, _U, ctypes.POINTER(_Finding), _S, _SZP]),
}


def _candidates():
    env = os.environ.get("REVPROXY_LIB")
    if env:
        return [env]  # explicit: no fallback, a wrong path is an error
    out = []
    found = ctypes.util.find_library("revproxy")
    if found:
        out.append(found)
    here = os.path.dirname(os.path.abspath(__file__))
    top = os.path.dirname(os.path.dirname(here))
    for d in ("build", "builddir"):
        for name in ("librevproxy.so.0", "librevproxy.so", "librevproxy.dylib"):
            p = os.path.join(top, d, name)
            if os.path.exists(p):
                out.append(p)
    return out


def load(path=None):
    """Load librevproxy (from path, else the search described in the module
    doc) and declare its functions. Returns the ctypes library. Idempotent:
    once loaded, later calls without a path return the same library."""
    global _lib, _lib_path
    with _lock:
        if _lib is not None and path is None:
            return _lib
        tried = []
        for cand in ([path] if path else _candidates()):
            try:
                lib = ctypes.CDLL(cand)
            except OSError as e:
                tried.append("%s (%s)" % (cand, e))
                continue
            for name, (res, args) in _PROTOS.items():
                fn = getattr(lib, name)
                fn.restype = res
                fn.argtypes = args
            major = lib.rp_version() >> 16
            if major != 0:
                raise OSError("%s is revproxy %s; this binding is for ABI 0"
                              % (cand, lib.rp_version_string().decode()))
            _lib, _lib_path = lib, cand
            return lib
        raise OSError("librevproxy not found; set REVPROXY_LIB to the path of "
                      "librevproxy.so (tried: %s)" % ("; ".join(tried) or "nothing"))


def _L():
    return _lib if _lib is not None else load()


def library_path():
    """The path or name the library was loaded from."""
    _L()
    return _lib_path


def version():
    """(major, minor, patch) of the loaded library."""
    v = _L().rp_version()
    return (v >> 16, (v >> 8) & 0xFF, v & 0xFF)


def version_string():
    return _L().rp_version_string().decode("ascii")


def status_name(status):
    """"RP_E_FORM" for 10; "RP_UNKNOWN" for numbers the library does not know."""
    return _L().rp_status_name(status).decode("ascii", "replace")


def strerror(status):
    return _L().rp_strerror(status).decode("utf-8", "replace")


def status_http(status):
    """The HTTP status a server should answer with (0 for RP_OK)."""
    return _L().rp_status_http(status)


# --------------------------------------------------------------------------
# Errors and results


class RevproxyError(Exception):
    """A call returned an error status.

    Attributes: status (int), status_name ("RP_E_FORM"), message (the
    diagnostic for rule text, else rp_strerror), http_status (rp_status_http:
    the answer a server should give when this came from map_request)."""

    def __init__(self, status_name, message, http_status, status=None):
        Exception.__init__(self, "%s: %s" % (status_name, message))
        self.status_name = status_name
        self.message = message
        self.http_status = http_status
        self.status = status


class ConfigError(RevproxyError):
    """Rule text (or a rule argument) was refused while building a table.
    line, column (1-based, 0 if not applicable) and offset locate it in the
    text; source is the name given to from_rules."""

    def __init__(self, status_name, message, http_status, status=None,
                 line=0, column=0, offset=0, source=None):
        RevproxyError.__init__(self, status_name, message, http_status, status)
        self.line = line
        self.column = column
        self.offset = offset
        self.source = source
        if line:
            self.args = ("%s:%d:%d: %s: %s" % (source or "rules", line, column,
                                                status_name, message),)


def _error(st, message=None):
    return RevproxyError(status_name(st), message or strerror(st), status_http(st), st)


class Diagnostic(object):
    """A warning (or error) about rule text: code, code_name, line, column,
    offset, message."""

    __slots__ = ("code", "code_name", "line", "column", "offset", "message")

    def __init__(self, d):
        self.code = d.code
        self.code_name = status_name(d.code)
        self.line = d.line
        self.column = d.column
        self.offset = d.offset
        self.message = _diag_message(d)

    def __repr__(self):
        return "Diagnostic(%s, line=%d, column=%d, %r)" % (
            self.code_name, self.line, self.column, self.message)


def _diag_message(d):
    raw = bytes(d.message)  # c_char array -> up to the first NUL
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace")


_SEVERITIES = {RP_SEVERITY_INFO: "info", RP_SEVERITY_WARNING: "warning",
               RP_SEVERITY_ERROR: "error"}


class Finding(object):
    """One result of Table.check()."""
    __slots__ = ("code", "severity", "line", "column", "other_line", "message")

    def __init__(self, f):
        self.code = f.code.decode("ascii")
        self.severity = _SEVERITIES.get(f.severity, str(f.severity))
        self.line = f.line
        self.column = f.column
        self.other_line = f.other_line
        self.message = f.message.decode("utf-8", "replace")

    def __repr__(self):
        return "Finding(%s:%d:%d %s [%s] %s)" % ("", self.line, self.column, self.severity,
                                                self.code, self.message)


class MapResult(object):
    """What map_request / map_destination found.

    excluded: True when an exclusion rule (ProxyPass PATH !) matched: do not
      proxy (Apache answers 404); url and host are then None.
    url: the backend URL (bytes). host: the Host header to send (bytes), or
      None when unknown. rule_index, rule_line, path_len, remainder_offset,
      query_offset: as in rp_match (docs/api.md section 8.3); the offsets are
      0 when excluded.
    status: RP_OK or RP_EXCLUDED; http_status: 0 (proxy it) or 404.
    """

    __slots__ = ("status", "url", "host", "rule_index", "rule_line", "path_len",
                 "remainder_offset", "query_offset")

    def __init__(self, status, url, host, m):
        self.status = status
        self.url = url
        self.host = host
        self.rule_index = m.rule_index
        self.rule_line = m.rule_line
        self.path_len = m.path_len
        excluded = status == RP_EXCLUDED
        self.remainder_offset = 0 if excluded else m.remainder_offset
        self.query_offset = 0 if excluded else m.query_offset

    @property
    def excluded(self):
        return self.status == RP_EXCLUDED

    @property
    def http_status(self):
        return status_http(self.status)

    def __repr__(self):
        if self.excluded:
            return "MapResult(excluded, rule_index=%d)" % self.rule_index
        return "MapResult(url=%r, host=%r, rule_index=%d)" % (self.url, self.host,
                                                             self.rule_index)


# --------------------------------------------------------------------------
# Helpers


def _b(value, encoding):
    """bytes for a str/bytes/bytearray/memoryview argument; None stays None."""
    if value is None or isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode(encoding, "surrogateescape")
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise TypeError("expected bytes or str, got %s" % type(value).__name__)


def _len(b):
    return 0 if b is None else len(b)


def _call_growing(fn, size, *args_before, after=()):
    """Call fn(*args_before, out, out_size, &out_len, *after) with a buffer of
    `size` bytes, growing it to out_len + 1 on RP_E_NOSPACE. Returns
    (status, buffer, out_len). The buffer is returned so that pointers into it
    (rp_match.host) stay valid while the caller copies them."""
    n = ctypes.c_size_t(0)
    for _ in range(4):
        buf = ctypes.create_string_buffer(size)
        st = fn(*(args_before + (buf, size, ctypes.byref(n)) + after))
        if st != RP_E_NOSPACE:
            return st, buf, n.value
        if n.value + 1 <= size:  # the library must ask for more than it had
            raise _error(RP_E_INTERNAL, "RP_E_NOSPACE without a larger size")
        size = n.value + 1
    raise _error(RP_E_INTERNAL, "the needed size kept growing")


def _fwd_which(which):
    if isinstance(which, str):
        try:
            return _FWD_NAMES[which.lower()]
        except KeyError:
            raise ValueError("unknown forwarding header %r" % which)
    return int(which)


def format_forwarded(which, client_addr=None, client_port=0, host=None, proto=None,
                     prefix=None, by=None, prior=None, encoding="utf-8",
                     buffer_size=None):
    """One forwarding header value (bytes), rp_format_forwarded.

    which: RP_FWD_* or a header name ("X-Forwarded-For", "X-Forwarded-Host",
    "X-Forwarded-Proto", "X-Forwarded-Prefix", "Forwarded")."""
    lib = _L()
    w = _fwd_which(which)
    vals = [_b(v, encoding) for v in (client_addr, host, proto, prefix, by, prior)]
    f = _Forwarded(vals[0], _len(vals[0]), int(client_port), vals[1], _len(vals[1]),
                   vals[2], _len(vals[2]), vals[3], _len(vals[3]), vals[4], _len(vals[4]),
                   vals[5], _len(vals[5]))
    st, buf, n = _call_growing(lib.rp_format_forwarded, buffer_size or DEFAULT_BUFFER_SIZE,
                               w, ctypes.byref(f))
    if st != RP_OK:
        raise _error(st)
    return buf.raw[:n]


# --------------------------------------------------------------------------
# Table


class Table(object):
    """A compiled, immutable rule table (rp_table). Build one with
    Table.from_rules(); close() it (or use it as a context manager) to free it
    early, else it is freed when garbage-collected."""

    def __init__(self, _handle, encoding="utf-8", warnings=(), buffer_size=None):
        # Not for direct use: see from_rules().
        self._lib = _L()  # keeps the library loaded while the table lives
        self._h = _handle
        self.encoding = encoding
        self.warnings = list(warnings)
        self.buffer_size = buffer_size or DEFAULT_BUFFER_SIZE

    @classmethod
    def from_rules(cls, text, profile="apache", source="rules", options=None,
                   limits=None, server_name=None, encoding="utf-8", buffer_size=None,
                   format="apache"):
        """Compile Apache directives (docs/rules.md) into a table.

        format: "apache", or "nginx" for an nginx configuration
        (docs/nginx.md; needs profile "apache").

        text: str (encoded as UTF-8) or bytes. profile: "apache" or "strict"
        (or RP_PROFILE_*). source: the name diagnostics refer to.
        limits, options: {RP_LIMIT_*: n}, {RP_OPT_*: value}, applied before
        the text (so directives in the text, e.g. AllowEncodedSlashes,
        override options). server_name: as the ServerName directive, applied
        before the text. encoding: for str arguments of later calls.
        buffer_size: first output buffer size of each call (grown as needed).
        Raises ConfigError (RP_E_CONFIG, RP_E_UNSUPPORTED, ...) with the line
        and column, or RevproxyError for a bad argument.
        Warnings (skipped directives) are in table.warnings."""
        lib = _L()
        if isinstance(profile, str):
            try:
                prof = _PROFILES[profile.lower()]
            except KeyError:
                raise ValueError("profile must be 'apache' or 'strict', got %r" % profile)
        else:
            prof = int(profile)
        if format not in ("apache", "nginx"):
            raise ValueError("format must be 'apache' or 'nginx', got %r" % (format,))
        data = text.encode("utf-8") if isinstance(text, str) else _b(text, "utf-8")
        src = source.encode("utf-8", "replace") if isinstance(source, str) else source
        src = None if src is None else src.replace(b"\0", b"?")

        b = ctypes.c_void_p()
        st = lib.rp_builder_new(prof, None, ctypes.byref(b))
        if st != RP_OK:
            raise _error(st, "rp_builder_new(profile=%r): %s" % (profile, strerror(st)))
        t = ctypes.c_void_p()
        try:
            for which, value in (limits or {}).items():
                st = lib.rp_builder_set_limit(b, int(which), int(value))
                if st != RP_OK:
                    raise _error(st, "limit %r = %r: %s" % (which, value, strerror(st)))
            for opt, value in (options or {}).items():
                st = lib.rp_builder_set_option(b, int(opt), int(value))
                if st != RP_OK:
                    raise _error(st, "option %r = %r: %s" % (opt, value, strerror(st)))
            if server_name is not None:
                sn = _b(server_name, "utf-8")
                st = lib.rp_builder_set_server_name(b, sn, len(sn))
                if st != RP_OK:
                    raise _error(st, "server name %r: %s" % (sn, strerror(st)))
            d = _Diag()
            load = (lib.rp_builder_add_nginx_config if format == "nginx"
                    else lib.rp_builder_add_config)
            st = load(b, data, len(data), src, ctypes.byref(d))
            if st == RP_OK:
                d = _Diag()
                st = lib.rp_builder_compile(b, ctypes.byref(t), ctypes.byref(d))
            if st != RP_OK:
                msg = _diag_message(d) or strerror(st)
                raise ConfigError(status_name(st), msg, status_http(st), st,
                                  d.line, d.column, d.offset, source)
            warnings = []
            for i in range(lib.rp_builder_warning_count(b)):
                w = _Diag()
                if lib.rp_builder_warning(b, i, ctypes.byref(w)) == RP_OK:
                    warnings.append(Diagnostic(w))
        except BaseException:
            lib.rp_table_free(t)  # NULL ok
            raise
        finally:
            lib.rp_builder_free(b)
        return cls(t, encoding, warnings, buffer_size)

    @classmethod
    def from_file(cls, path, **kw):
        """from_rules() on the bytes of a file; source defaults to its path."""
        with open(path, "rb") as f:
            data = f.read()
        kw.setdefault("source", os.fspath(path))
        return cls.from_rules(data, **kw)

    # -- lifetime

    def close(self):
        """Free the table now. The caller guarantees no call is in flight."""
        h, self._h = getattr(self, "_h", None), None
        if h:
            self._lib.rp_table_free(h)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    def _handle(self):
        if not self._h:
            raise ValueError("the table is closed")
        return self._h

    @property
    def closed(self):
        return not self._h

    @property
    def rule_count(self):
        """Number of forward rules (ProxyPass, ProxyPassMatch, exclusions)."""
        return self._lib.rp_table_rule_count(self._handle())

    def _enc(self, v):
        return _b(v, self.encoding)

    # -- forward direction

    def _map(self, fn, a, alen, b_, blen):
        h = self._handle()
        m = _Match()
        st, buf, n = _call_growing(fn, self.buffer_size, h, a, alen, b_, blen, RP_MAP_DEFAULT,
                                   after=(ctypes.byref(m),))
        if st == RP_OK:
            host = ctypes.string_at(m.host, m.host_len) if m.host else None
            return MapResult(st, buf.raw[:n], host, m)
        if st == RP_EXCLUDED:
            return MapResult(st, None, None, m)
        if st == RP_NO_MATCH:
            return None
        raise _error(st)

    def map_request(self, target, host=None):
        """Map a request-target, as received, to the backend URL.

        host: the request's Host header value, or None when there was none.
        Returns a MapResult (check .excluded), or None when no rule applies
        (RP_NO_MATCH: not proxied; a server answers 404). Raises
        RevproxyError for a request to refuse: e.http_status is the answer
        (400, 404, 414, 500) and e.status_name the reason."""
        t = self._enc(target)
        if t is None:
            raise TypeError("target must not be None")
        hb = self._enc(host)
        return self._map(self._lib.rp_map_request, t, len(t), hb, _len(hb))

    def map_destination(self, value, public_origin):
        """Map a WebDAV Destination request header to the backend URL, like
        map_request (RP_E_FORBIDDEN for a Destination on another origin)."""
        v = self._enc(value)
        o = self._enc(public_origin)
        return self._map(self._lib.rp_map_destination, v, _len(v), o, _len(o))

    # -- reverse direction

    def public_origin(self, scheme=None, host=None):
        """"scheme://host[:port]" as Apache builds it for a request
        (rp_public_origin): bytes. host None: the table's ServerName."""
        s = self._enc(scheme)
        hb = self._enc(host)
        st, buf, n = _call_growing(self._lib.rp_public_origin, 256, self._handle(),
                                   s, _len(s), hb, _len(hb))
        if st != RP_OK:
            raise _error(st)
        return buf.raw[:n]

    def _ctx(self, public_origin, backend_url, request_target):
        o = self._enc(public_origin)
        u = self._enc(backend_url)
        r = self._enc(request_target)
        # the Structure keeps references to the bytes it points into
        return _ResponseCtx(o, _len(o), u, _len(u), r, _len(r))

    def _rewrite(self, fn, *args):
        st, buf, n = _call_growing(fn, self.buffer_size, self._handle(), *args)
        if st == RP_OK or st == RP_NO_MATCH:
            return buf.raw[:n], st == RP_OK
        raise _error(st)

    def rewrite_location(self, value, public_origin=None, backend_url=None,
                         request_target=None):
        """Location / Content-Location / URI value -> (value to send, changed).

        public_origin: "scheme://host[:port]" the client used (see
        public_origin()); backend_url: what map_request returned;
        request_target: the client's request-target (selects <Location>
        rules). Raises RevproxyError (RP_E_HEADER for CR/LF/NUL, ...)."""
        v = self._enc(value)
        ctx = self._ctx(public_origin, backend_url, request_target)
        return self._rewrite(self._lib.rp_rewrite_location, v, len(v), ctypes.byref(ctx), 0)

    def rewrite_set_cookie(self, value, public_origin=None, backend_url=None,
                           request_target=None):
        """One Set-Cookie value -> (value to send, changed)."""
        v = self._enc(value)
        ctx = self._ctx(public_origin, backend_url, request_target)
        return self._rewrite(self._lib.rp_rewrite_set_cookie, v, len(v), ctypes.byref(ctx), 0)

    def rewrite_response_header(self, name, value, public_origin=None, backend_url=None,
                                request_target=None):
        """Any response header by name -> (value to send, changed). Names the
        library does not rewrite come back unchanged with changed False."""
        nm = self._enc(name)
        v = self._enc(value)
        ctx = self._ctx(public_origin, backend_url, request_target)
        return self._rewrite(self._lib.rp_rewrite_response_header, nm, len(nm), v, len(v),
                             ctypes.byref(ctx), 0)

    def check(self, round_trip=False):
        """rp_table_check: a list of Finding (code, severity "info" | "warning"
        | "error", line, column, other_line, message), in the library's order
        (settings, forward, reverse, cookie rules). docs/rules.md section 10
        lists the codes."""
        flags = RP_CHECK_ROUND_TRIP if round_trip else 0
        n = ctypes.c_size_t(0)
        cap = 16
        while True:
            buf = (_Finding * cap)()
            st = self._lib.rp_table_check(self._handle(), flags, buf, cap, ctypes.byref(n))
            if st == RP_E_NOSPACE and n.value > cap:
                cap = n.value
                continue
            if st != RP_OK:
                raise _error(st)
            return [Finding(buf[i]) for i in range(n.value)]

    def format_forwarded(self, which, **kw):
        """format_forwarded() with this table's encoding (the table is not used)."""
        kw.setdefault("encoding", self.encoding)
        return format_forwarded(which, **kw)
