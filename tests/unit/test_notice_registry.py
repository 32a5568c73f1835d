"""Every notice and card kind renders through the registries into texts both languages have."""

from __future__ import annotations

from complaints.model import CardKind, NoticeKind
from presentation.cards import CARDS, NOTICES
from presentation.deadlines import SUMMARIES
from presentation.texts import LANGUAGES, catalogue_keys


def _keys_of_registries() -> set[str]:
    keys = {view.key for view in NOTICES.values()}
    for card in CARDS.values():
        keys.add(card.title)
        keys.update(key for buttons in card.buttons.values() for key, _ in buttons)
    return keys


def test_every_kind_has_a_view() -> None:
    # a notice is about one report (NOTICES) or, like the escalation list, about many (SUMMARIES)
    assert set(NOTICES) | set(SUMMARIES) == set(NoticeKind) - {NoticeKind.REFRESH_CARDS}
    assert not set(NOTICES) & set(SUMMARIES)
    assert set(CARDS) == set(CardKind)
    assert {view.card for view in NOTICES.values()} - {None} == set(CardKind)


def test_every_registry_text_is_in_indonesian_and_english() -> None:
    keys = _keys_of_registries()
    for language in LANGUAGES:
        assert keys <= catalogue_keys(language), (language, keys - catalogue_keys(language))
