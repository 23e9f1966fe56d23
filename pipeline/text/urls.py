"""Canonical article URLs, so that one article fetched through different links looks the same.

Only rewrites that cannot change which page a server returns: scheme and host lower-cased,
default port, fragment and tracking parameters dropped, an empty path made "/". Other query
parameters keep their order (some sites use ``?id=`` to pick the article). The standard
library is enough here; courlan's strict mode drops every query parameter, which is too much.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_", "__hs", "_hs")
_TRACKING_NAMES = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "ocid",
        "cmpid",
        "ncid",
        "_ga",
        "_gl",
        "mkt_tok",
        "spm",
        "ref_src",
        "ref_url",
        "smid",
    }
)


def canonical_url(url: str) -> str | None:
    """Return the canonical form of an absolute http(s) URL, or None if it is not one."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # e.g. "http://[::1" or a port that is not a number
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    # Filter the raw "name=value" pairs rather than re-encode them: re-encoding changes bytes.
    query = "&".join(p for p in parts.query.split("&") if p and not _is_tracking(p.split("=")[0]))
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def domain_of(url: str) -> str | None:
    """Host name of ``url`` without a leading "www.", or None."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.rstrip(".").removeprefix("www.")


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name in _TRACKING_NAMES or name.startswith(_TRACKING_PREFIXES)
