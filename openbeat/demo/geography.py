"""The demo force's invented geography: a county outline, towns, neighbourhoods, postcodes and stations.

Everything is generated from a fixed seed, so every machine gets the same demo. Place names are invented;
postcodes use the "DM" area, which does not exist in the real UK.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point, Polygon

SEED = 20261122
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the inward code never uses C, I, K, M, O or V


@dataclass(frozen=True)
class Town:
    name: str
    code: str  # neighbourhood code prefix, as data.police.uk codes look (letters of the town)
    lon: float
    lat: float
    division: str
    wards: tuple[str, ...]  # neighbourhood names in this town; one Voronoi cell each
    district: int  # postcode district DM<n> of its first neighbourhood


DIVISIONS = ["West", "Central", "East"]

TOWNS = [
    Town(
        "Ashbridge",
        "AB",
        -2.78,
        53.93,
        "West",
        (
            "Ashbridge Town Centre",
            "Ashbridge Quayside",
            "Kettleby & Marsh Lane",
            "Ashbridge North",
            "Scotforth Rise",
            "Bowerham",
            "Galgate & Ellel",
        ),
        1,
    ),
    Town(
        "Saltcote",
        "SC",
        -2.86,
        53.78,
        "West",
        ("Saltcote Promenade", "Saltcote Old Town", "Breckholme", "Layton Fields", "Anchorsholme", "Marton Moss"),
        4,
    ),
    Town("Fellside", "FS", -2.66, 54.01, "West", ("Fellside Villages", "Hollins & Crag Moor", "Carnforth Road"), 7),
    Town(
        "Wyreham", "WY", -2.88, 53.88, "West", ("Wyreham", "Thornby Sands", "Poulton Green", "Preesall & Knott End"), 10
    ),
    Town(
        "Marlow Cross",
        "MC",
        -2.56,
        53.78,
        "Central",
        (
            "Marlow Cross Centre",
            "St Aidan's",
            "Deepdale Park",
            "Fulwood Heights",
            "Ribbleside",
            "Ingleby & Cottam",
            "Larkfield",
            "Brookside",
            "Ashton Bank",
        ),
        13,
    ),
    Town(
        "Holme Vale",
        "HV",
        -2.62,
        53.68,
        "Central",
        ("Holme Vale", "Lower Penwick", "Coppull Green", "Leyfield", "Farington Moss", "Astley Village"),
        16,
    ),
    Town("Brackley Moor", "BM", -2.45, 53.90, "Central", ("Brackley Moor & Chipping Fold",), 19),
    Town(
        "Kestrel Bridge",
        "KB",
        -2.36,
        53.75,
        "East",
        (
            "Kestrel Bridge Central",
            "Mill Hill",
            "Audley & Queens Park",
            "Whitebirk",
            "Shadsworth",
            "Livesey Fold",
            "Ewood Vale",
        ),
        22,
    ),
    Town("Oswin", "OS", -2.24, 53.79, "East", ("Oswin Town", "Rosegrove", "Harle Syke", "Gannow", "Brunshaw"), 25),
    Town("Pendleford", "PF", -2.27, 53.88, "East", ("Pendleford", "Barrowby & Higham", "Brierfield Mill"), 28),
    Town("Rossby", "RB", -2.27, 53.69, "East", ("Rossby Valley", "Haslam & Helmshore", "Whitworth Edge"), 31),
    Town("Clitherdale", "CD", -2.40, 53.96, "East", ("Clitherdale & Ribble Fells",), 34),
]

# The county's outline, drawn by hand inland in northern England (lon, lat).
OUTLINE = Polygon(
    [
        (-2.96, 53.64),
        (-2.80, 53.62),
        (-2.58, 53.61),
        (-2.40, 53.63),
        (-2.22, 53.62),
        (-2.12, 53.67),
        (-2.10, 53.78),
        (-2.13, 53.90),
        (-2.20, 54.01),
        (-2.36, 54.06),
        (-2.55, 54.07),
        (-2.72, 54.06),
        (-2.84, 54.00),
        (-2.93, 53.92),
        (-2.97, 53.82),
        (-2.98, 53.72),
    ]
)


@dataclass
class DemoNeighbourhood:
    code: str
    name: str
    division: str
    town: Town
    shape: Polygon
    population: int | None
    district: int
    sector: int  # with the district, unique to this neighbourhood: its postcodes never collide with another's


def neighbourhoods(rng: random.Random) -> list[DemoNeighbourhood]:
    """One Voronoi cell per neighbourhood seed, clipped to the outline: dense towns get small cells."""
    seeds: list[tuple[Town, str, Point]] = []
    for town in TOWNS:
        spread = 0.004 * len(town.wards) ** 0.5 if len(town.wards) > 1 else 0.0
        for i, name in enumerate(town.wards):
            angle = 2 * np.pi * i / max(len(town.wards), 1) + rng.uniform(-0.3, 0.3)
            radius = spread * (0.6 + 0.8 * rng.random()) if i else 0.0
            seeds.append(
                (town, name, Point(town.lon + radius * 1.6 * np.cos(angle), town.lat + radius * np.sin(angle)))
            )
    # Rural seeds on a jittered grid take the countryside between towns, each joining its nearest town.
    town_points = [p for _, _, p in seeds]
    rural_count: dict[str, int] = {}
    for lon in np.arange(OUTLINE.bounds[0] + 0.05, OUTLINE.bounds[2], 0.12):
        for lat in np.arange(OUTLINE.bounds[1] + 0.03, OUTLINE.bounds[3], 0.075):
            point = Point(lon + rng.uniform(-0.03, 0.03), lat + rng.uniform(-0.02, 0.02))
            scaled = [((q.x - point.x) / 1.6) ** 2 + (q.y - point.y) ** 2 for q in town_points]
            if not OUTLINE.buffer(-0.01).contains(point) or min(scaled) < 0.035**2:
                continue
            town = min(TOWNS, key=lambda t: ((t.lon - point.x) / 1.6) ** 2 + (t.lat - point.y) ** 2)
            rural = rural_count[town.code] = rural_count.get(town.code, 0) + 1
            seeds.append((town, f"{town.name} {RURAL_NAMES[(rural - 1) % len(RURAL_NAMES)]}", point))
    cells = shapely.voronoi_polygons(MultiPoint([p for _, _, p in seeds]), extend_to=OUTLINE.buffer(0.5))
    by_seed = {}
    for cell in cells.geoms:
        for index, (_, _, point) in enumerate(seeds):
            if cell.contains(point):
                by_seed[index] = cell.intersection(OUTLINE)
                break
    result = []
    counters: dict[str, int] = {}
    for index, (town, name, _) in enumerate(seeds):
        counters[town.code] = counters.get(town.code, 0) + 1
        number = counters[town.code]
        shape = shapely.set_precision(by_seed[index], 1e-6)
        if shape.geom_type == "MultiPolygon":
            shape = max(shape.geoms, key=lambda g: g.area)
        area_km2 = shape.area * 111 * 68  # rough degrees to km² at this latitude
        urban = len(town.wards) > 1 and name in town.wards
        population = int(rng.uniform(6_000, 14_000) if urban else rng.uniform(2_500, 7_000) + area_km2 * 3)
        result.append(
            DemoNeighbourhood(
                code=f"{town.code}{number:02d}",
                name=name,
                division=town.division,
                town=town,
                shape=shape,
                # A few have no population figure on purpose: insights must say "no data", not zero.
                population=None if name in {"Thornby Sands", "Harle Syke", "Hollins & Crag Moor"} else population,
                district=town.district + (number - 1) // 9,
                sector=(number - 1) % 9 + 1,
            )
        )
    result = _fill_gaps(result)
    for item in result:
        item.shape = wobble(item.shape)
    return result


def wobble(shape: Polygon) -> Polygon:
    """Bend straight Voronoi edges into believable boundaries.

    The same smooth displacement of the plane is applied to every boundary, so a shared edge moves the same
    way on both sides: no gaps or overlaps appear. Its slope stays well below 1, so nothing folds over.
    """
    dense = shapely.segmentize(shape, 0.003)

    def warp(coords: np.ndarray) -> np.ndarray:
        x, y = coords[:, 0], coords[:, 1]
        dx = 0.0025 * np.sin(y * 140 + 1.3) + 0.0012 * np.sin((x + y) * 310)
        dy = 0.0018 * np.sin(x * 110 + 0.4) + 0.0010 * np.cos((x - y) * 270)
        return np.column_stack([x + dx, y + dy])

    return shapely.set_precision(shapely.transform(dense, warp), 1e-6)


def _fill_gaps(items: list[DemoNeighbourhood]) -> list[DemoNeighbourhood]:
    """Give slivers of the outline that no cell kept (from taking the largest part) to a neighbour."""
    covered = shapely.union_all([n.shape for n in items])
    gaps = OUTLINE.difference(covered)
    for gap in getattr(gaps, "geoms", [gaps]):
        if gap.is_empty or gap.area < 1e-9:
            continue
        neighbour = max(items, key=lambda n: n.shape.intersection(gap.buffer(1e-5)).area)
        merged = shapely.set_precision(neighbour.shape.union(gap), 1e-6)
        if merged.geom_type == "Polygon":
            neighbour.shape = merged
    return items


def random_point_in(shape: Polygon, rng: random.Random, *, near: Point | None = None, spread: float = 0.0) -> Point:
    """A random point strictly inside `shape` (optionally clustered near a point, as houses are)."""
    min_x, min_y, max_x, max_y = shape.bounds
    inner = shape.buffer(-0.0005) if shape.buffer(-0.0005).area > 0 else shape
    for _ in range(1000):
        if near is not None and spread and rng.random() < 0.7:
            p = Point(rng.gauss(near.x, spread), rng.gauss(near.y, spread))
        else:
            p = Point(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
        if inner.contains(p):
            return p
    return shape.representative_point()


def postcode(district: int, sector: int, unit: int) -> str:
    """A format-valid postcode in the fictional DM area, distinct for each (district, sector, unit)."""
    letters = INWARD_LETTERS[unit // 20 % 20] + INWARD_LETTERS[unit % 20]
    return f"DM{district} {sector % 10}{letters}"


RURAL_NAMES = ["Moors", "Fells", "Outlying Villages", "Dales", "Fold & Farms", "Edge", "Mosses", "Uplands"]

STREETS = [
    "High Street",
    "Church Lane",
    "Station Road",
    "Market Place",
    "Mill Lane",
    "Victoria Road",
    "Bridge Street",
    "Queen Street",
    "Moor Lane",
    "Park Road",
]
