"""Household search as the desk types it, for the list page and the API alike.

Staff type a name, a street and number ("Bartsteeg 82 bus 3", "82 Bartsteeg"), a postcode, a
part of the reference or a phone number in any notation. Every word must match some field;
results come ranked: the exact reference first, then exact names or street + number, then
partial matches.
"""

import re
from dataclasses import dataclass
from datetime import date

import phonenumbers
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Concat, Replace

from core.tenancy import Acting, scoped
from households.models import Consent, Household, fold

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
# Words that introduce a box ("bus" in Dutch, "boîte" in French), folded.
BOX_WORDS = frozenset({"bus", "box", "bte", "boite", "bt", "b"})
# Characters people put between the digits of a phone number; removed on both sides.
PHONE_SEPARATORS = (" ", "+", "/", ".", "-", "(", ")")
_PHONE_LIKE = re.compile(r"^\+?[\d\s/().-]+$")
# A short number is a house number, not a part of a postcode or a reference: "Bartsteeg 8"
# must not find every household of postcode 8000.
SHORT_NUMBER = 3
RANK_REFERENCE, RANK_EXACT, RANK_PARTIAL = 0, 1, 2


# "Bartsteeg82": a street glued to its number (a letter may follow the number).
_GLUED = re.compile(r"^([a-z]{3,})(\d{1,4}[a-z]?)$")


@dataclass(frozen=True)
class Word:
    folded: str
    box: bool = False  # follows "bus", "box", or the slash of "82/3"

    @property
    def glued(self) -> tuple[str, str] | None:
        """(street, number) when the word may be a street glued to its number."""
        match = None if self.box else _GLUED.match(self.folded)
        return (match[1], match[2]) if match else None


def query_words(text: str) -> list[Word]:
    """The searchable words of a query, box values marked; punctuation-only words dropped."""
    raw: list[str] = []
    for part in re.split(r"[\s,;]+", text):
        # "82/3": house number 82, box 3.
        number, slash, box = part.partition("/")
        raw += [number, "/", box] if slash and number and box else [part]
    words: list[Word] = []
    box_next = False
    for i, part in enumerate(raw):
        folded = fold(part)
        after_number = bool(words) and any(c.isdigit() for c in words[-1].folded)
        if part == "/" or (folded in BOX_WORDS and after_number and i + 1 < len(raw)):
            box_next = True
            continue
        if (
            len(folded) == 1
            and folded.isalpha()
            and not box_next
            and words
            and words[-1].folded.isdigit()
            and not words[-1].box
        ):
            # "82 A": the letter belongs to the house number.
            words[-1] = Word(words[-1].folded + folded)
            continue
        if folded:
            words.append(Word(folded, box=box_next))
        box_next = False
    return words[:MAX_WORDS]


def phone_query(text: str) -> str | None:
    """The national number of a query that is a phone number ("0470/12 34 56",
    "+32470123456"), or None: stored numbers are compared on their digits."""
    if not _PHONE_LIKE.match(text) or sum(c.isdigit() for c in text) < 8:
        return None
    try:
        # Belgium as the default region: a national "0..." number reads the same in the NL.
        number = phonenumbers.parse(text, "BE")
    except phonenumbers.NumberParseException:
        return None
    return str(number.national_number) if number.national_number else None


def phone_digits() -> Replace:
    """The stored phone number without separators; migration 0003 indexes this expression
    on PostgreSQL, so keep the two the same."""
    expression: F | Replace = F("phone")
    for separator in PHONE_SEPARATORS:
        expression = Replace(expression, Value(separator), Value(""))
    if not isinstance(expression, Replace):
        raise TypeError("expression is not a Replace")
    return expression


def _number_matches(number: str) -> Q:
    # "82" finds 82, and 82A or "82 bus 3" typed into the number field, but not 820.
    found = Q(house_number__iexact=number)
    if number.isdigit():
        found |= Q(house_number__iregex=rf"^{number}([^0-9]|$)")
    return found


def _word_matches(word: Word) -> Q:
    if word.box:
        return Q(box__iexact=word.folded)
    number = _number_matches(word.folded)
    if word.folded.isdigit() and len(word.folded) <= SHORT_NUMBER:
        return number
    match = Q(search_text__contains=word.folded)
    glued = word.glued
    if glued is not None:
        street, house_number = glued
        match |= Q(search_text__contains=street) & _number_matches(house_number)
    return match | number if any(c.isdigit() for c in word.folded) else match


def _word_exact(word: Word) -> Q:
    # A whole field of search_text (its fields are folded and separated by spaces).
    if word.box:
        return Q(box__iexact=word.folded)
    return Q(padded_search_text__contains=f" {word.folded} ") | Q(house_number__iexact=word.folded)


def _street_and_number(words: list[Word]) -> Q | None:
    """ "Bartsteeg 82 (bus 3)" or "82 Bartsteeg": the street exactly and the number."""
    plain = [w for w in words if not w.box]
    boxes = [w for w in words if w.box]
    if len(plain) == 1 and plain[0].glued is not None:
        street_word, number_word = plain[0].glued
        plain = [Word(street_word), Word(number_word)]
    if len(plain) < 2:
        return None
    for number, street in ((plain[-1], plain[:-1]), (plain[0], plain[1:])):
        if number.folded[:1].isdigit() and not any(w.folded[:1].isdigit() for w in street):
            exact = Q(padded_search_text__contains=f" {''.join(w.folded for w in street)} ")
            exact &= Q(house_number__iexact=number.folded)
            for box in boxes:
                exact &= Q(box__iexact=box.folded)
            return exact
    return None


def household_search(*, acting: Acting, text: str) -> QuerySet[Household]:
    """The active households `acting` may see that match `text`, best matches first."""
    households = scoped(Household.objects.active(), acting)
    text = (text or "").strip()[:MAX_QUERY_LENGTH]
    if not text:
        return households
    # References are letters and digits; fold also keeps a NUL byte out of the query.
    reference = Q(reference=fold(text).upper())
    phone = phone_query(text)
    if phone:
        match = Q(phone_digits__contains=phone)
        exact = Q(phone_digits__endswith=phone)
    else:
        words = query_words(text)
        if not words:
            return households.none()
        match = Q()
        exact = Q()
        for word in words:
            match &= _word_matches(word)
            exact &= _word_exact(word)
        exact |= Q(padded_search_text__contains=f" {''.join(w.folded for w in words)} ")
        street_and_number = _street_and_number(words)
        if street_and_number is not None:
            exact |= street_and_number
    return (
        households.alias(
            phone_digits=phone_digits(),
            padded_search_text=Concat(Value(" "), F("search_text"), Value(" ")),
        )
        .filter(match | reference)
        # An alias, not an annotation: the page's COUNT(*) need not compute the rank.
        .alias(
            search_rank=Case(
                When(reference, then=Value(RANK_REFERENCE)),
                When(exact, then=Value(RANK_EXACT)),
                default=Value(RANK_PARTIAL),
                output_field=IntegerField(),
            )
        )
        .order_by("search_rank", "last_name", "first_name", "pk")
    )


def programme_consent(household: Household, today: date) -> Consent | None:
    """The household's standing consent to take part in a programme (given, not withdrawn by
    today), which enrolment shows and a rental contract needs; None when there is none."""
    return (
        Consent.objects.filter(household=household, purpose=Consent.Purpose.PROGRAMME)
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
        .filter(given_on__lte=today)
        .first()
    )
