"""Which neighbourhood a point is in: an in-process spatial index over the boundaries.

Boundaries are few (hundreds) and change rarely, so each process keeps them as prepared shapely geometries
and answers without touching the database. `Force.boundaries_version` tells processes when to rebuild: it
is read at most once a second, and the process that changed a boundary rebuilds at once (`invalidate()`).

A point on a shared edge, or in an overlap between two boundaries, belongs to the neighbourhood with the
lowest pk, so every path (one point or a million) gives the same single answer.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape

from openbeat.areas.models import Neighbourhood
from openbeat.core.models import Force

# Below this many points an STRtree query beats the sweep over every boundary's bbox.
_TREE_MAX_POINTS = 2_000
VERSION_CHECK_SECONDS = 1.0


@dataclass(frozen=True)
class BoundaryIndex:
    """Boundaries as prepared geometries, ordered by neighbourhood pk (the tie-break on shared edges)."""

    pks: np.ndarray  # int64, ascending
    geoms: np.ndarray  # shapely geometries, prepared, parallel to pks
    bounds: np.ndarray  # (n, 4): min_lon, min_lat, max_lon, max_lat
    version: Any = None
    tree: shapely.STRtree = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tree", shapely.STRtree(self.geoms))

    @classmethod
    def from_boundaries(cls, items: list[tuple[int, dict[str, Any]]], version: Any = None) -> BoundaryIndex:
        """Build from (pk, GeoJSON) pairs."""
        items = sorted(items)
        geoms = []
        for _pk, geojson in items:
            geom = shape(geojson)
            if not geom.is_valid:
                geom = shapely.make_valid(geom)
            geoms.append(geom)
        geom_array = np.array(geoms, dtype=object) if geoms else np.empty(0, dtype=object)
        shapely.prepare(geom_array)
        return cls(
            pks=np.array([pk for pk, _ in items], dtype=np.int64),
            geoms=geom_array,
            bounds=shapely.bounds(geom_array).reshape(-1, 4),
            version=version,
        )

    @classmethod
    def from_database(cls, version: Any = None) -> BoundaryIndex:
        rows = Neighbourhood.objects.filter(boundary__isnull=False).values_list("pk", "boundary")
        return cls.from_boundaries([(pk, boundary) for pk, boundary in rows if boundary], version=version)

    def __len__(self) -> int:
        return len(self.pks)

    @property
    def total_bounds(self) -> tuple[float, float, float, float] | None:
        if not len(self):
            return None
        b = self.bounds
        return (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max()))

    def locate_many(self, lons: Any, lats: Any) -> np.ndarray:
        """The neighbourhood pk for each point (0 where none), as an int64 array."""
        lons = np.ascontiguousarray(lons, dtype=np.float64).ravel()
        lats = np.ascontiguousarray(lats, dtype=np.float64).ravel()
        if lons.shape != lats.shape:
            raise ValueError("lons and lats must have the same length")
        if not len(self) or not len(lons):
            return np.zeros(len(lons), dtype=np.int64)
        if len(lons) <= _TREE_MAX_POINTS:
            return self._locate_tree(lons, lats)
        return self._locate_sweep(lons, lats)

    def _locate_tree(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        point_idx, geom_idx = self.tree.query(shapely.points(lons, lats), predicate="intersects")
        # Lowest index (= lowest pk) wins: sort hits by point then index and keep each point's first.
        order = np.lexsort((geom_idx, point_idx))
        point_idx, geom_idx = point_idx[order], geom_idx[order]
        first = np.ones(len(point_idx), dtype=bool)
        first[1:] = point_idx[1:] != point_idx[:-1]
        result = np.zeros(len(lons), dtype=np.int64)
        result[point_idx[first]] = self.pks[geom_idx[first]]
        return result

    def _locate_sweep(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        # Sorting by longitude turns each boundary's bbox test into two binary searches plus a latitude mask
        # over a thin slice, and the exact test runs only on points inside the bbox: 2-3x a bare STRtree query.
        order = np.argsort(lons, kind="stable")
        xs, ys = lons[order], lats[order]
        starts = np.searchsorted(xs, self.bounds[:, 0], side="left")
        ends = np.searchsorted(xs, self.bounds[:, 2], side="right")
        found = np.zeros(len(xs), dtype=np.int64)
        for i in range(len(self.pks)):
            lo, hi = starts[i], ends[i]
            if lo >= hi:
                continue
            slice_ys = ys[lo:hi]
            candidates = np.flatnonzero((slice_ys >= self.bounds[i, 1]) & (slice_ys <= self.bounds[i, 3])) + lo
            # Boundaries are visited in pk order, so a point already claimed stays with the lower pk.
            candidates = candidates[found[candidates] == 0]
            if not len(candidates):
                continue
            inside = shapely.intersects_xy(self.geoms[i], xs[candidates], ys[candidates])
            found[candidates[inside]] = self.pks[i]
        result = np.empty_like(found)
        result[order] = found
        return result


class _Cache:
    """The process's index, rebuilt when the boundaries version moves. Safe to share between threads.

    `fresh` is (index, checked_at) as one value, so a caller without the lock never pairs a new check time
    with an old index; invalidate() drops it, so nobody is handed the old index while the new one builds.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.index: BoundaryIndex | None = None
        self.fresh: tuple[BoundaryIndex, float] | None = None
        self.stale = True

    def _fresh(self) -> BoundaryIndex | None:
        fresh = self.fresh
        if fresh is not None and _now() - fresh[1] < VERSION_CHECK_SECONDS:
            return fresh[0]
        return None

    def get(self) -> BoundaryIndex:
        index = self._fresh()
        if index is not None:
            return index
        with self.lock:
            index = self._fresh()
            if index is not None:
                return index
            version = _boundaries_version()
            index = self.index
            if index is None or self.stale or version != index.version:
                # Clear the flag first: an invalidate() that lands while building forces another rebuild.
                self.stale = False
                try:
                    index = BoundaryIndex.from_database(version=version)
                except BaseException:
                    self.stale = True
                    raise
                self.index = index
            if not self.stale:
                self.fresh = (index, _now())
            return index

    def invalidate(self) -> None:
        self.stale = True
        self.fresh = None


_cache = _Cache()


def _now() -> float:
    return time.monotonic()


def _boundaries_version() -> tuple[int, int] | None:
    # The first force by pk is Force.current(); when it has no row yet, only this process's writes count.
    row = Force.objects.order_by("pk").values_list("pk", "boundaries_version").first()
    return (row[0], row[1]) if row else None


def boundary_index() -> BoundaryIndex:
    """This process's current index (rebuilt first if the boundaries changed)."""
    return _cache.get()


def invalidate() -> None:
    """Rebuild this process's index before its next use (other processes follow the version)."""
    _cache.invalidate()


def locate_many(lons: Any, lats: Any) -> np.ndarray:
    """Neighbourhood pks (int64, 0 where none) for arrays of longitudes and latitudes (WGS84)."""
    return boundary_index().locate_many(lons, lats)


def locate_pk(lat: float, lon: float) -> int | None:
    pk = int(boundary_index().locate_many(np.array([lon]), np.array([lat]))[0])
    return pk or None


def locate(lat: float, lon: float) -> Neighbourhood | None:
    """The neighbourhood containing this point (WGS84), or None when it is outside every boundary."""
    pk = locate_pk(lat, lon)
    if pk is None:
        return None
    return Neighbourhood.objects.select_related("division").filter(pk=pk).first()
