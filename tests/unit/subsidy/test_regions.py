import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.subsidy.domain.regions import covers, regions_covering, specificity


@pytest.mark.parametrize(
    ("scheme_region", "claim_region", "expected"),
    [
        (None, "654021", True),
        ("650000", "654021", True),
        ("650000", "650102", True),
        ("650000", "620102", False),
        ("654000", "654021", True),
        ("654000", "654000", True),
        ("654000", "654002", True),
        ("654000", "654221", False),  # Tacheng, not Ili
        ("654021", "654021", True),
        ("654021", "654023", False),
        ("654021", "654000", False),  # a county does not cover its prefecture
        ("650000", "650000", True),
    ],
)
def test_a_region_covers_the_regions_inside_it(
    scheme_region: str | None, claim_region: str, expected: bool
) -> None:
    assert covers(scheme_region, claim_region) is expected


codes = st.builds(
    lambda province, prefecture, county: f"{province:02d}{prefecture:02d}{county:02d}",
    st.sampled_from([62, 65]),
    st.sampled_from([0, 1, 40, 42]),
    st.sampled_from([0, 2, 21]),
)


@given(region=st.none() | codes, claim_region=codes)
def test_the_regions_covering_a_region_are_exactly_those_that_cover_it(
    region: str | None, claim_region: str
) -> None:
    # what a list filtered in the database (`IS NULL OR IN regions_covering`) answers is what `covers` says
    assert covers(region, claim_region) is (region is None or region in regions_covering(claim_region))


def test_the_narrower_the_region_the_more_specific_it_is() -> None:
    assert specificity(None) < specificity("650000") < specificity("654000") < specificity("654021")


@pytest.mark.parametrize("bad", ["65400", "6540000", "65400a", "", "６５４０００", "000000", " 654000"])
def test_a_code_that_is_not_six_digits_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="region code"):
        covers("654000", bad)
    with pytest.raises(ValueError, match="region code"):
        specificity(bad)
