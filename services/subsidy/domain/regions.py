"""China's six-digit administrative division codes: which region covers which, and how specific each is."""

from __future__ import annotations

import re

_CODE = re.compile(r"[0-9]{6}")

# specificity(): larger is narrower.
ALL_REGIONS = 0
PROVINCE = 1  # 650000 Xinjiang
PREFECTURE = 2  # 654000 Ili Kazakh Autonomous Prefecture
COUNTY = 3  # 654021 Yining County


def validate_region(code: str) -> str:
    """Return the code unchanged when it is a six-digit division code, else raise ValueError."""
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise ValueError(f"region code {code!r} must be six digits, e.g. 654021")
    if code.startswith("00"):
        raise ValueError(f"region code {code!r} names no province")
    return code


def specificity(region: str | None) -> int:
    """How narrow a region is: 0 all (None), 1 province, 2 prefecture, 3 county."""
    if region is None:
        return ALL_REGIONS
    validate_region(region)
    if region.endswith("0000"):
        return PROVINCE
    if region.endswith("00"):
        return PREFECTURE
    return COUNTY


def regions_covering(claim_region: str) -> tuple[str, ...]:
    """The regions that cover a region, besides all regions (None): its province, its prefecture and itself
    (so a database can ask `region_code IS NULL OR region_code IN (...)`, which is exactly `covers`)."""
    validate_region(claim_region)
    return tuple(dict.fromkeys((claim_region[:2] + "0000", claim_region[:4] + "00", claim_region)))


def covers(scheme_region: str | None, claim_region: str) -> bool:
    """Whether a scheme's (or budget's) region takes in the claim's region; None covers every region."""
    validate_region(claim_region)
    level = specificity(scheme_region)
    if scheme_region is None:
        return True
    if level == PROVINCE:
        return claim_region[:2] == scheme_region[:2]
    if level == PREFECTURE:
        return claim_region[:4] == scheme_region[:4]
    return claim_region == scheme_region
