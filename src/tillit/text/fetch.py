"""A careful HTTP fetcher for importing documents from lists of URLs.

:func:`fetch` uses only the standard library (:mod:`urllib.request`) and is strict about what
it accepts:

* ``http`` and ``https`` only (``file:``, ``ftp:``, ``data:`` and the rest are refused, also as
  a redirect target);
* at most :data:`MAX_REDIRECTS` redirects, followed one by one so a loop ends with a clear
  error;
* ``timeout`` seconds for connecting and for each read, and also for the whole download, so a
  server that drips one byte a second cannot hold the import;
* ``max_bytes``: refused at once when ``Content-Length`` says more, and counted while
  streaming (after gzip decompression, so a gzip bomb stops at the limit too);
* ``Content-Encoding: gzip`` is asked for and decoded (``deflate`` too, if a server sends it);
* optionally (``allow_private=False``, what a shared server should use) hosts that resolve to
  loopback, private or link-local addresses are refused.

Every failure is a :class:`FetchError` with a stable :attr:`FetchError.reason`: ``bad_scheme``,
``bad_url``, ``blocked``, ``dns``, ``connection``, ``tls``, ``timeout``, ``too_large``,
``http_status``, ``redirects``, ``decoding``.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass
from email.message import Message
from typing import Any

from tillit import __version__
from tillit.errors import ErrorCode, TillitError

__all__ = ["MAX_REDIRECTS", "FetchError", "Fetched", "fetch"]

#: Most redirects followed before giving up.
MAX_REDIRECTS = 5
_CHUNK = 1 << 16
_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})


class FetchError(TillitError):
    """A URL that could not be fetched, with a stable :attr:`reason` (see module docs)."""

    def __init__(self, message: str, reason: str, url: str, hint: str = "", status: int = 0):
        code = (
            ErrorCode.INVALID_INPUT
            if reason in ("bad_scheme", "bad_url")
            else ErrorCode.EXTERNAL_TOOL
        )
        detail: dict[str, Any] = {"reason": reason, "url": url}
        if status:
            detail["status"] = status
        super().__init__(message, code, hint, [detail])
        self.reason = reason
        self.url = url
        self.status = status


@dataclass(frozen=True)
class Fetched:
    """A fetched resource: the URL asked for, where it ended, and the decoded body."""

    url: str
    final_url: str
    status: int
    content_type: str
    data: bytes


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Hand 3xx responses back to :func:`fetch`, which follows them itself."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_NoRedirects())


def fetch(
    url: str,
    *,
    timeout: float = 20.0,
    max_bytes: int = 50 * 2**20,
    user_agent: str = f"tillit/{__version__}",
    allow_private: bool = True,
) -> Fetched:
    """Download ``url`` (http or https) within the time and size limits.

    Parameters
    ----------
    url : str
        An ``http://`` or ``https://`` URL.
    timeout : float, default 20
        Seconds for connecting, for each read and for the whole download.
    max_bytes : int, default 50 MiB
        Largest body accepted (after decompression).
    user_agent : str
        The ``User-Agent`` header.
    allow_private : bool, default True
        False refuses hosts resolving to loopback, private, link-local or reserved addresses
        (use it where users give URLs to a shared server).

    Returns
    -------
    Fetched

    Raises
    ------
    FetchError
        With ``reason`` as listed in the module docstring.
    """
    deadline = time.monotonic() + timeout
    current = url
    opener = _opener()
    for _hop in range(MAX_REDIRECTS + 1):
        _check_url(current, url, allow_private)
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            current,
            headers={
                "User-Agent": user_agent,
                "Accept-Encoding": "gzip",
                "Accept": "*/*",
            },
        )
        try:
            response = opener.open(request, timeout=_remaining(deadline, current, url, timeout))
        except urllib.error.HTTPError as exc:
            if exc.code in _REDIRECT_CODES:
                location = exc.headers.get("Location")
                exc.close()
                if not location:
                    raise FetchError(
                        f"{current}: HTTP {exc.code} redirect without a Location header",
                        "redirects",
                        url,
                        status=exc.code,
                    ) from exc
                current = urllib.parse.urljoin(current, location)
                continue
            exc.close()
            raise FetchError(
                f"{current}: HTTP {exc.code} {exc.reason}",
                "http_status",
                url,
                "Check the address; the server refused or does not have the document.",
                status=exc.code,
            ) from exc
        except Exception as exc:
            raise _network_error(exc, current, url, timeout) from exc
        with response:
            status = int(response.status)
            headers = response.headers
            length = headers.get("Content-Length")
            if length and length.strip().isdigit() and int(length) > max_bytes:
                raise _too_large(
                    current, url, max_bytes, f"the declared size of {int(length):,} bytes"
                )
            data = _read_body(response, headers, current, url, max_bytes, deadline, timeout)
            return Fetched(
                url=url,
                final_url=current,
                status=status,
                content_type=headers.get_content_type() if headers.get("Content-Type") else "",
                data=data,
            )
    raise FetchError(
        f"{url}: more than {MAX_REDIRECTS} redirects (last: {current})",
        "redirects",
        url,
        "The server redirects in a loop; open the address in a browser to see where it goes.",
    )


def _check_url(current: str, original: str, allow_private: bool) -> None:
    try:
        parts = urllib.parse.urlsplit(current)
    except ValueError as exc:
        raise FetchError(f"{current}: not a valid URL ({exc})", "bad_url", original) from exc
    if parts.scheme.lower() not in ("http", "https"):
        where = "" if current == original else f" (redirected from {original})"
        raise FetchError(
            f"{current}: the scheme {parts.scheme or '(none)'!r} is not allowed{where}",
            "bad_scheme",
            original,
            "Only http:// and https:// addresses can be fetched; import local files as files.",
        )
    if not parts.hostname:
        raise FetchError(f"{current}: the URL has no host", "bad_url", original)
    if not allow_private:
        for address in _addresses(parts.hostname, parts.port, current, original):
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if not ip.is_global:
                raise FetchError(
                    f"{current}: the host resolves to the non-public address {ip}",
                    "blocked",
                    original,
                    "Only public addresses can be fetched from this server.",
                )


def _addresses(host: str, port: int | None, current: str, original: str) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise _dns_error(host, current, original, exc) from exc
    return [str(info[4][0]) for info in infos]


def _dns_error(host: str, current: str, original: str, exc: BaseException) -> FetchError:
    return FetchError(
        f"{current}: the host name {host!r} cannot be resolved ({exc})",
        "dns",
        original,
        "Check the spelling of the address and the network connection.",
    )


def _remaining(deadline: float, current: str, original: str, timeout: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(
            f"{current}: no complete answer within {timeout:g} s",
            "timeout",
            original,
            "Try again later, or raise the timeout.",
        )
    return left


def _network_error(exc: BaseException, current: str, original: str, timeout: float) -> FetchError:
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, socket.gaierror):
        host = urllib.parse.urlsplit(current).hostname or current
        return _dns_error(host, current, original, reason)
    if isinstance(reason, TimeoutError | socket.timeout):
        return FetchError(
            f"{current}: no answer within {timeout:g} s",
            "timeout",
            original,
            "Try again later, or raise the timeout.",
        )
    if isinstance(reason, ssl.SSLError | ssl.CertificateError):
        return FetchError(
            f"{current}: the secure connection failed ({reason})",
            "tls",
            original,
            "The server's certificate is not trusted by this machine.",
        )
    return FetchError(
        f"{current}: cannot connect ({reason})",
        "connection",
        original,
        "Check the address and the network connection.",
    )


def _too_large(current: str, original: str, max_bytes: int, what: str) -> FetchError:
    return FetchError(
        f"{current}: {what} is over the limit of {max_bytes:,} bytes",
        "too_large",
        original,
        "Download the document some other way, or raise the size limit.",
    )


def _read_body(
    response: Any,
    headers: Message,
    current: str,
    original: str,
    max_bytes: int,
    deadline: float,
    timeout: float,
) -> bytes:
    encoding = (headers.get("Content-Encoding") or "identity").strip().lower()
    decoder: Any = None
    if encoding in ("gzip", "x-gzip"):
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decoder = zlib.decompressobj(zlib.MAX_WBITS | 32)  # zlib or gzip framing
    elif encoding not in ("identity", ""):
        raise FetchError(
            f"{current}: unsupported Content-Encoding {encoding!r}",
            "decoding",
            original,
        )
    chunks: list[bytes] = []
    size = 0
    try:
        while True:
            _remaining(deadline, current, original, timeout)
            raw = response.read1(_CHUNK)  # what has arrived, so the deadline is checked
            if not raw:
                break
            piece = raw if decoder is None else decoder.decompress(raw, max_bytes + 1 - size)
            while True:
                size += len(piece)
                if size > max_bytes:
                    raise _too_large(current, original, max_bytes, "the body")
                chunks.append(piece)
                if decoder is None or not decoder.unconsumed_tail:
                    break
                piece = decoder.decompress(decoder.unconsumed_tail, max_bytes + 1 - size)
        if decoder is not None:
            tail = decoder.flush()
            size += len(tail)
            if size > max_bytes:
                raise _too_large(current, original, max_bytes, "the body")
            chunks.append(tail)
    except FetchError:
        raise
    except zlib.error as exc:
        raise FetchError(
            f"{current}: the {encoding} body cannot be decoded ({exc})", "decoding", original
        ) from exc
    except Exception as exc:
        raise _network_error(exc, current, original, timeout) from exc
    return b"".join(chunks)
