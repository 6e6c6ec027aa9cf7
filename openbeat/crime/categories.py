"""data.police.uk's crime categories: the slug its API uses (`crime-categories`, a crime's `category`) and the
name its street-level CSVs write in "Crime type".

The CSVs name a category as the API does, except two older names still found in archives before May 2013.
"""

from __future__ import annotations

# (slug, name), in the order data.police.uk lists them. "all-crime" is an API filter, not a category of a crime.
CATEGORIES: list[tuple[str, str]] = [
    ("anti-social-behaviour", "Anti-social behaviour"),
    ("bicycle-theft", "Bicycle theft"),
    ("burglary", "Burglary"),
    ("criminal-damage-arson", "Criminal damage and arson"),
    ("drugs", "Drugs"),
    ("other-theft", "Other theft"),
    ("possession-of-weapons", "Possession of weapons"),
    ("public-order", "Public order"),
    ("robbery", "Robbery"),
    ("shoplifting", "Shoplifting"),
    ("theft-from-the-person", "Theft from the person"),
    ("vehicle-crime", "Vehicle crime"),
    ("violent-crime", "Violence and sexual offences"),
    ("other-crime", "Other crime"),
    # Retired in May 2013 (split into public order and possession of weapons); kept for older archives.
    ("public-disorder-weapons", "Public disorder and weapons"),
]

ANTI_SOCIAL_BEHAVIOUR = "anti-social-behaviour"

# "Crime type" as written in the CSV (compared case-insensitively) -> slug.
CSV_NAMES: dict[str, str] = {name.casefold(): slug for slug, name in CATEGORIES}
CSV_NAMES["violent crime"] = "violent-crime"  # the name before May 2013


def category_for(crime_type: str) -> str | None:
    """The slug for a CSV's "Crime type", or None when data.police.uk has no such category."""
    return CSV_NAMES.get(" ".join(crime_type.split()).casefold())
