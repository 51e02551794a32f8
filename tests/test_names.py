"""Place names resolve by id, name or alias, whatever the case, accents or apostrophes."""

from __future__ import annotations

import pytest

from corridor.errors import UnknownPlaceError
from corridor.names import PlaceIndex, normalize
from corridor.routing import Router


@pytest.mark.parametrize("spelling", ["Xian", "Xi'an", "XI’AN", "xi an", "cn-xian", "西安"])
def test_spellings_of_xian(mini_router: Router, spelling: str) -> None:
    assert mini_router.resolve(spelling) == "CN-XIAN"


def test_diacritics_fold() -> None:
    assert normalize("Constanța") == normalize("CONSTANTA") == "constanta"
    assert normalize("Iğdır") == "igdir"
    assert normalize("Małaszewicze") == "malaszewicze"


def test_unknown_names_the_nearest(mini_router: Router) -> None:
    with pytest.raises(UnknownPlaceError) as info:
        mini_router.resolve("Constanza")
    assert info.value.suggestions and info.value.suggestions[0].startswith("Constanța")
    assert "Did you mean" in str(info.value)


def test_search(mini_router: Router) -> None:
    index = PlaceIndex(mini_router.network.places)
    assert index.search("ak") == ["AZ-NAKHCHIVAN", "KZ-AKTAU"]
    assert len(index.search("")) == len(mini_router.network.places)
