"""Point→grid in `make bench`: lookups per second on the demo district's grids (in-memory STRtree, and end
to end through `areas.lookup.locate`, which also checks the index is current and loads the grid and its
ancestors), and the same on 10,000 generated grids (a 100 x 100 jittered lattice)."""

import random
import time

from wangge.bench import rate


def bench_lookup(rows: list[tuple[str, str, str]], *, points: int) -> None:
    from wangge.areas.lookup import grid_index, locate
    from wangge.demo.city import BBOX
    from wangge.lib.geo import GridIndex, jittered_lattice

    rng = random.Random(1)
    min_lng, min_lat, max_lng, max_lat = BBOX
    sample = [(rng.uniform(min_lng, max_lng), rng.uniform(min_lat, max_lat)) for _ in range(points)]

    index = grid_index()
    started = time.perf_counter()
    hits = sum(index.locate(lng, lat) is not None for lng, lat in sample)
    elapsed = time.perf_counter() - started
    rows.append(
        (f"lookup, demo grids ({len(index)}), in memory", f"{points:,} points", rate(points, elapsed))
    )
    assert hits == points, "every point of the district lies in a grid"

    n_e2e = min(points, 5000)
    started = time.perf_counter()
    for lng, lat in sample[:n_e2e]:
        locate(lat, lng)
    elapsed = time.perf_counter() - started
    rows.append((f"lookup, demo grids ({len(index)}), end to end", f"{n_e2e:,} points", rate(n_e2e, elapsed)))

    big_bbox = (123.0, 41.5, 124.0, 42.2)
    started = time.perf_counter()
    cells = jittered_lattice(cols=100, rows=100, bbox=big_bbox, jitter=0.25, rng=random.Random(2))
    big = GridIndex.build(
        (f"G{r:03d}{c:03d}", cell) for r, row in enumerate(cells) for c, cell in enumerate(row)
    )
    build_seconds = time.perf_counter() - started
    rows.append((f"index build, generated grids ({len(big):,})", "", f"{build_seconds * 1000:.0f} ms"))
    big_sample = [
        (rng.uniform(big_bbox[0], big_bbox[2]), rng.uniform(big_bbox[1], big_bbox[3])) for _ in range(points)
    ]
    started = time.perf_counter()
    hits = sum(big.locate(lng, lat) is not None for lng, lat in big_sample)
    elapsed = time.perf_counter() - started
    rows.append(
        (f"lookup, generated grids ({len(big):,}), in memory", f"{points:,} points", rate(points, elapsed))
    )
    assert hits == points
