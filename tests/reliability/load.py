"""A bounded load generator: N threads with keep-alive ``http.client`` connections, for a
fixed number of seconds, against 127.0.0.1 only. Standard library only, so it measures the
server and not a load tool's quirks."""

from __future__ import annotations

import http.client
import random
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from reliability.harness import percentile

WORDS = (
    "budget",
    "kommun",
    "samverkan",
    "e-tjänster",
    "flyktingmottagning",
    "avfall",
    "skola",
    "näringsliv",
    "infrastruktur",
    "upphandling",
    "kollektivtrafik",
    "bredband",
    "turism",
    "kompetensförsörjning",
    "räddningstjänst",
    "folkhälsa",
    "digitalisering",
)
KOMMUNER = ("Umeå", "Skellefteå", "Sundsvall", "Helsingborg", "Vännäs", "Robertsfors")
REQUEST_TIMEOUT_S = 30


def query_mix(meeting_ids: list[str], *, seed: int, size: int = 400) -> list[str]:
    """Paths in the proportions of a real session: mostly searches, some with facets, paging,
    sorting and trends, the odd meeting page and JSON call."""
    rng = random.Random(seed)
    paths = []
    for _ in range(size):
        word = rng.choice(WORDS)
        roll = rng.random()
        if roll < 0.30:
            paths.append("/?" + urlencode({"q": word}))
        elif roll < 0.45:
            paths.append("/?" + urlencode({"q": word, "kommun": rng.choice(KOMMUNER)}))
        elif roll < 0.55:
            paths.append(
                "/?"
                + urlencode(
                    {
                        "q": f"{word} OR {rng.choice(WORDS)}",
                        "ar": rng.randint(2000, 2026),
                        "sort": "nyast",
                    }
                )
            )
        elif roll < 0.62:
            paths.append("/?" + urlencode({"q": word[:4] + "*", "sida": rng.randint(1, 3)}))
        elif roll < 0.77:
            paths.append("/api/search?" + urlencode({"q": word, "beslut": "ja"}))
        elif roll < 0.85:
            paths.append(
                "/api/trends?"
                + urlencode({"q": word, "per": rng.choice(("organisation", "kommun"))})
            )
        elif roll < 0.90:
            paths.append("/trender?" + urlencode({"q": word}))
        else:
            paths.append(f"/mote/{rng.choice(meeting_ids)}")
    return paths


@dataclass
class LoadResult:
    clients: int
    seconds: float
    requests: int = 0
    status: dict[int, int] = field(default_factory=dict)
    connection_errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)

    @property
    def server_errors(self) -> int:
        return sum(n for code, n in self.status.items() if code >= 500)

    def summary(self) -> dict[str, object]:
        lat = sorted(self.latencies_ms)
        return {
            "clients": self.clients,
            "seconds": round(self.seconds, 1),
            "requests": self.requests,
            "requests_per_s": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(percentile(lat, 50), 1),
            "p95_ms": round(percentile(lat, 95), 1),
            "p99_ms": round(percentile(lat, 99), 1),
            "max_ms": round(lat[-1], 1) if lat else 0.0,
            "status": {str(k): v for k, v in sorted(self.status.items())},
            "server_errors_5xx": self.server_errors,
            "connection_errors": self.connection_errors,
        }


def run_load(base_url: str, paths: list[str], *, clients: int, seconds: float) -> LoadResult:
    """Hammer ``base_url`` (which must be 127.0.0.1) for ``seconds``; stops by itself."""
    host, port = _loopback(base_url)
    result = LoadResult(clients, seconds)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_client, args=(host, port, paths, n, deadline, result, lock))
        for n in range(clients)
    ]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + REQUEST_TIMEOUT_S + 5)
    result.seconds = time.monotonic() - started
    return result


def warm_and_load(
    base_url: str, paths: list[str], *, clients: int, seconds: float, warmup: float = 3.0
) -> tuple[LoadResult, LoadResult]:
    """One client warms the server first (opening searchers, building facet caches, importing
    the chart library: what a health check after a deploy does), then the measured run with
    all clients. Both are returned: errors count in either."""
    return (
        run_load(base_url, paths, clients=1, seconds=warmup),
        run_load(base_url, paths, clients=clients, seconds=seconds),
    )


def _loopback(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"lasttestet körs bara mot 127.0.0.1, inte {parts.hostname}")
    return parts.hostname, parts.port or 80


def _client(
    host: str,
    port: int,
    paths: list[str],
    n: int,
    deadline: float,
    result: LoadResult,
    lock: threading.Lock,
) -> None:
    conn: http.client.HTTPConnection | None = None
    i = n * 7919  # each client walks the mix from its own offset
    while time.monotonic() < deadline:
        path = paths[i % len(paths)]
        i += 1
        conn = conn or http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT_S)
        t0 = time.perf_counter()
        try:
            conn.request("GET", path, headers={"Accept-Language": "sv"})
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as exc:
            with lock:
                result.connection_errors += 1
                result.error_samples.append(f"{path}: {exc!r}"[:200])
            conn.close()
            conn = None
            continue
        elapsed = (time.perf_counter() - t0) * 1000
        with lock:
            result.requests += 1
            result.status[response.status] = result.status.get(response.status, 0) + 1
            result.latencies_ms.append(elapsed)
            if response.status >= 500:
                result.error_samples.append(f"{path}: {response.status}")
        if response.will_close:
            conn.close()
            conn = None
    if conn is not None:
        conn.close()
