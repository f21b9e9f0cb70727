"""Who published an article: from its address (through redirects and feed proxies) or its title.

The host → name table is data (publishers.toml beside this module); hosts missing
from it get a readable name made from the domain.
"""

from __future__ import annotations

import html
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

UNKNOWN_SOURCE = "Unknown source"
TABLE = Path(__file__).with_name("publishers.toml")
# Second-level labels under which a country's domains are registered ("bbc.co.uk", "abc.net.au").
_SECOND_LEVEL = {"co", "com", "net", "org", "gov", "ac", "edu", "ne", "or"}
# " - CNN", " – Reuters", " | The Guardian" at the end of a headline.
_TITLE_SUFFIX = re.compile(r"\s+[-–—|]\s+([^-–—|]{2,60})$")


@dataclass(frozen=True)
class PublisherTable:
    hosts: dict[str, str]  # host → publisher name
    redirects: dict[str, str]  # redirector host → query parameter holding the destination

    @property
    def names(self) -> dict[str, str]:
        """Every known publisher name, by its lower-case form."""
        return {name.lower(): name for name in self.hosts.values()}


@cache
def load_publishers(path: Path = TABLE) -> PublisherTable:
    with path.open("rb") as file:
        data = tomllib.load(file)
    hosts = {str(k).lower(): str(v) for k, v in data.get("hosts", {}).items()}
    redirects = {str(k).lower(): str(v) for k, v in data.get("redirects", {}).items()}
    return PublisherTable(hosts, redirects)


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.lower().rstrip(".")


def _suffixes(host: str) -> list[str]:
    """'in.reuters.com' → ['in.reuters.com', 'reuters.com'] (never a bare top-level domain)."""
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


# FeedsPortal links (feeds.wired.com/c/…/l/0L0Swired0N0C…/story01.htm) carry the real address, encoded.
_FEEDSPORTAL = re.compile(r"/l/(0[LM][0-9A-Za-z]+)/[^/]*$")
_FEEDSPORTAL_CODES = {
    "A": "0", "B": ".", "C": "/", "D": "?", "E": "-", "F": "=", "G": "&", "H": ",", "I": "_", "J": "%", "K": "+",
    "L": "http://", "M": "https://", "N": ".com", "O": ".co.uk", "P": ";", "Q": "|", "R": ":", "S": "www.",
    "T": "#", "U": "$", "V": "~", "W": "!", "X": "(", "Y": ")", "Z": "Z",
}  # fmt: skip


def feedsportal_address(url: str) -> str | None:
    """The address a FeedsPortal redirect link encodes, or None when it is not one."""
    match = _FEEDSPORTAL.search(url)
    if not match:
        return None
    encoded = match.group(1)
    decoded = re.sub(r"0([A-Z])", lambda m: _FEEDSPORTAL_CODES[m.group(1)], encoded)
    return decoded if decoded.startswith(("http://", "https://")) and "0" not in decoded[:8] else None


def real_address(url: str, table: PublisherTable | None = None) -> str:
    """The publisher's own address behind a redirector link (Google News' url=…), entities decoded."""
    table = table or load_publishers()
    url = html.unescape(url.strip())
    for _ in range(3):  # a redirect to a redirect, at most
        host = _host(url)
        parameter = next((table.redirects[s] for s in _suffixes(host) if s in table.redirects), None)
        if parameter is None:
            break
        try:
            values = parse_qs(urlsplit(url).query).get(parameter)
        except ValueError:
            break
        if not values or not values[0].lower().startswith(("http://", "https://")):
            break
        url = values[0]
    return feedsportal_address(url) or url


def domain_name(host: str) -> str:
    """A readable fallback name from a host: 'www.seattlepi.com' → 'Seattlepi'."""
    labels = [label for label in host.split(".") if label and label != "www"]
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL:
        labels = labels[:-2]
    elif len(labels) >= 2:
        labels = labels[:-1]
    if not labels:
        return ""
    word = labels[-1]
    return word.upper() if len(word) <= 3 else word.replace("-", " ").title()


def publisher_from_url(url: str | None, table: PublisherTable | None = None) -> str | None:
    """The publisher of an address: the table's name for its host (or a parent domain), else a domain name."""
    if not url:
        return None
    table = table or load_publishers()
    host = _host(real_address(url, table))
    if not host or "." not in host:
        return None
    for suffix in _suffixes(host):
        if suffix in table.hosts:
            return table.hosts[suffix]
    return domain_name(host) or None


def split_title_publisher(
    title: str, known: str | None = None, table: PublisherTable | None = None
) -> tuple[str, str | None]:
    """Strip a trailing ' - Publisher' from a headline when it names a publisher we know.

    Returns the headline without it and the publisher's name (None when nothing was stripped).
    """
    match = _TITLE_SUFFIX.search(title)
    if not match:
        return title, None
    tail = match.group(1).strip()
    names = (table or load_publishers()).names
    candidates = {tail.lower(), re.sub(r"^the\s+", "", tail.lower())}
    if known:
        names = {**names, known.lower(): known}
    for candidate in candidates:
        if candidate in names:
            return title[: match.start()].rstrip(), names[candidate]
    for name_lower, name in names.items():
        if re.sub(r"^the\s+", "", name_lower) in candidates:
            return title[: match.start()].rstrip(), name
    return title, None
