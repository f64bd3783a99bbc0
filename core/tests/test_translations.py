"""Dutch, French and English are complete: every catalogue entry is translated, none fuzzy.

`make translations` extracts new strings into every catalogue; this test fails until each of
them has its translation, so a new string cannot ship untranslated.
"""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

LANGUAGES = [code for code, _name in settings.LANGUAGES]
CATALOGUES = sorted(
    path
    for root in [settings.BASE_DIR / "locale", *Path(settings.BASE_DIR).glob("*/locale")]
    for path in root.glob("*/LC_MESSAGES/django.po")
)


def test_every_language_has_a_catalogue() -> None:
    main = settings.BASE_DIR / "locale"
    assert {p.parent.parent.name for p in CATALOGUES if p.is_relative_to(main)} == set(LANGUAGES)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_catalogue_is_complete(path: Path) -> None:
    with path.open("rb") as f:
        catalogue = read_po(f)
    missing = [
        message.id
        for message in catalogue
        if message.id
        and (
            message.fuzzy
            or not (all(message.string) if isinstance(message.string, tuple) else message.string)
        )
    ]
    assert not missing, f"{len(missing)} untranslated or fuzzy in {path}: {missing[:10]}"
