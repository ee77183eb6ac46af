"""Which two written names may be one person's (the import's "NIK registered to another name")."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lindung.workers.names import may_be_same_person, words

ONE_PERSON = [
    ("Siti Aminah", "SITI  AMINAH"),                 # case, spacing
    ("Ma'ruf Amin", "Maruf Amin"),                   # apostrophe
    ("Dédé Sunarya", "Dede Sunarya"),                # accents
    ("H. Ahmad Sobari", "Ahmad Sobari"),             # a title before the name
    ("Hj. Siti Khodijah", "Siti Chodijah"),          # title, and the old "ch"
    ("Siti Aminah, S.Pd.", "Siti Aminah"),           # a degree after a comma
    ("Ahmad bin Abdullah", "Ahmad Abdullah"),        # bin
    ("Soekarno", "Sukarno"),                         # old spelling oe
    ("Djoko Santoso", "Joko Santoso"),               # old spelling dj
    ("Tjahjo Kumolo", "Cahyo Kumolo"),               # tj, and one letter (j for y)
    ("Muhammad Yusuf", "Muhamad Yusuf"),             # a doubled letter
    ("Agus", "Agus Salim"),                          # one name part of the other
    ("M. Yusuf", "Muhammad Yusuf"),                  # an initial
    ("Yusuf Muhammad", "Muhammad Yusuf"),            # another order
    ("Nur Hidayat", "Nurhidayat"),                   # written together
    ("Budi Santoso", "Budi Santosa"),                # a typo
    ("Suherman", "Suhermam"),                        # a typo in one name
    ("Muhammad Rizki", "Muhamad Rizky"),             # doubled letters, and a typo
    ("Sri Rochimah", "Sri Rohimah"),
]

OTHER_PEOPLE = [
    ("Siti Aminah", "Siti Rahmah"),
    ("Dewi Lestari", "Dewi Sartika"),
    ("Ahmad Sutisna", "Ujang"),
    ("Suparman", "Supriyadi"),
    ("Budi", "Joko"),
    ("M.", "Muhammad Yusuf"),                        # an initial alone is not a name
    ("M. Yusuf", "Ahmad Yusuf"),                     # the initial stands for no word of the other
    ("Agus Agus", "Agus Salim"),                     # a word is used once
    ("Ai Rohimah", "Sri Rohimah"),                   # twin sisters: a family name is not a given name
    ("Dedi Kurnia", "Dodi Kurnia"),                  # one letter of four is another name
    ("Nur Hidayah", "Nurhidayat Saleh"),
]


@pytest.mark.parametrize(("a", "b"), ONE_PERSON)
def test_ways_of_writing_one_name_may_be_one_person(a: str, b: str) -> None:
    assert may_be_same_person(a, b)
    assert may_be_same_person(b, a)


@pytest.mark.parametrize(("a", "b"), OTHER_PEOPLE)
def test_clearly_different_names_are_other_people(a: str, b: str) -> None:
    assert not may_be_same_person(a, b)
    assert not may_be_same_person(b, a)


def test_words_drop_titles_degrees_and_bin_and_modernise_the_spelling() -> None:
    assert words("Drs. H. Raden Djoko Soesilo bin Tjokro, S.H., M.M.") == ("joko", "susilo", "cokro")
    assert words("Haji") == ("haji",)  # a title alone is the name
    assert words("") == ()


def test_a_name_without_letters_matches_nothing() -> None:
    assert not may_be_same_person("123", "123")
    assert not may_be_same_person("", "")


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_any_name_may_be_its_own_person_when_it_has_letters(name: str) -> None:
    # No input breaks the comparison, and it is symmetric with itself.
    assert may_be_same_person(name, name) == bool(words(name))
