"""Type-ahead over the whole occupation list. Prints one JSON line.

Builds each language's index from the shipped list (as a process does from the database), then
times every prefix (2 letters up to the whole label) of 300 labels per language, typed in lower
case without diacritics as a phone user might. The baseline, measured in the same run, is a
plain scan of the preferred labels with `str.startswith`, which finds far less.
Target: p95 < 15 ms per query.
Run: .venv/bin/python -m bench.occupations
"""

from __future__ import annotations

import json
import random
import statistics
import time

from portal.occupations.listfile import DEFAULT_LIST, read_rows
from portal.occupations.search import OccupationIndex, fold

SAMPLES = 300


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def main() -> None:
    rows = list(read_rows(DEFAULT_LIST))
    random.seed(7)
    result: dict[str, object] = {"bench": "occupation_search", "occupations": len(rows) // 3}
    for language in ("sv", "da"):
        started = time.perf_counter()
        index = OccupationIndex()
        preferred = []
        for row in rows:
            if row.language == language:
                others = [("alternative", a) for a in row.alternatives]
                others += [("hidden", h) for h in row.hidden]
                index.add(row.uri, row.preferred, others, row.group_label)
                preferred.append(row.preferred)
        index.freeze()
        build_ms = (time.perf_counter() - started) * 1000
        queries = []
        for label in random.sample(preferred, SAMPLES):
            plain = fold(label)
            queries += [plain[:n] for n in range(2, len(plain) + 1)]
        times, baseline = [], []
        for query in queries:
            started = time.perf_counter()
            index.search(query)
            times.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            [label for label in preferred if fold(label).startswith(query)][:10]
            baseline.append((time.perf_counter() - started) * 1000)
        result[language] = {
            "queries": len(queries),
            "index_build_ms": round(build_ms, 1),
            "p50_ms": round(statistics.median(times), 3),
            "p95_ms": round(percentile(times, 95), 3),
            "p99_ms": round(percentile(times, 99), 3),
            "max_ms": round(max(times), 3),
            "baseline_scan_p95_ms": round(percentile(baseline, 95), 3),
        }
    result["target_p95_ms"] = 15
    print(json.dumps(result))


if __name__ == "__main__":
    main()
