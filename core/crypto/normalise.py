"""Normalisation of search terms: one name, many scripts and spellings, the same keys.

A name token yields four keys (see ``docs/crypto.md``):

``exact``
    the token in its own script, NFKC, case-folded; Arabic-script letter variants unified
    (Arabic and Persian yeh and kaf, the alif forms, teh marbuta and heh) and short-vowel
    marks removed.
``latin``
    the token transliterated to ASCII Latin letters: Cyrillic letter by letter, Arabic and
    Persian script consonant by consonant, Latin diacritics stripped ("Farīda" -> "farida").
``skeleton``
    the Latin key without vowels, so Arabic script, which omits short vowels, meets its Latin
    spellings: "فریده" -> "fryda" -> "frd" and "Farida" -> "frd".
``phonetic``
    a small phonetic code of the Latin key (the Homeward phonetic key, version 1, below): it
    folds transliteration variants such as kh/h, sh/sch, dzh/dj/j, y/j, v/w, ou/u, doubled
    letters, so "Khalid", "Halid" and "Chalid" or "Yusuf", "Jusuf" and "Youssouf" meet.

These functions are part of the stored index format: changing any output means re-indexing.
"""

from __future__ import annotations

import re
import unicodedata

VOWELS = frozenset("aeiou")

CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "є": "ye", "і": "i", "ї": "yi", "ґ": "g", "ў": "u", "ә": "a", "ғ": "gh",
    "қ": "q", "ң": "ng", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "ҳ": "h", "ӣ": "i",
    "ӯ": "u", "ҷ": "j", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "ђ": "dj", "џ": "dzh",
}  # fmt: skip

#: Arabic, Persian, Urdu and Pashto letters to Latin consonants (long vowels as a, w, y).
ARABIC = {
    "ا": "a", "آ": "a", "أ": "a", "إ": "i", "ٱ": "a", "ء": "", "ئ": "y", "ؤ": "w",
    "ب": "b", "پ": "p", "ت": "t", "ث": "s", "ج": "j", "چ": "ch", "ح": "h", "خ": "kh",
    "د": "d", "ذ": "z", "ر": "r", "ز": "z", "ژ": "zh", "س": "s", "ش": "sh", "ص": "s",
    "ض": "z", "ط": "t", "ظ": "z", "ع": "", "غ": "gh", "ف": "f", "ق": "q", "ک": "k",
    "ك": "k", "گ": "g", "ل": "l", "م": "m", "ن": "n", "و": "w", "ه": "h", "ة": "a",
    "ی": "y", "ي": "y", "ى": "a", "ۀ": "a", "ٹ": "t", "ڈ": "d", "ڑ": "r", "ں": "n",
    "ے": "e", "ھ": "", "ۃ": "a", "ټ": "t", "ډ": "d", "ړ": "r", "ږ": "zh", "ښ": "sh",
    "ګ": "g", "ڼ": "n", "ې": "e", "ۍ": "y", "ہ": "h",
}  # fmt: skip

#: Arabic-script variants that keyboards of different countries produce for the same letter.
#: Hamza on waw and yeh (ؤ, ئ) and on alif (أ, إ) go with the marks before this applies. Urdu's
#: heh goal and do-chashmi heh and its barree yeh meet the Persian heh and yeh (index v2:
#: ``homeward db reindex-search`` after upgrading from v1).
ARABIC_VARIANTS = str.maketrans(
    {"ي": "ی", "ى": "ی", "ك": "ک", "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ۀ": "ه",
     "ہ": "ه", "ۃ": "ه", "ھ": "ه", "ے": "ی"}
)  # fmt: skip

LATIN_SPECIAL = {
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ł": "l",
    "ı": "i", "ŋ": "ng", "ħ": "h",
}  # fmt: skip

APOSTROPHES = str.maketrans(dict.fromkeys("'’‘ʼʻ`´ʹ", ""))
TATWEEL = "\u0640"

PHONETIC_DIGRAPHS = (
    ("dzh", "j"), ("tch", "c"), ("sch", "s"), ("dj", "j"), ("zh", "j"), ("sh", "s"),
    ("ch", "c"), ("kh", "h"), ("gh", "g"), ("ph", "f"), ("th", "t"), ("dh", "d"),
    ("ck", "k"), ("ts", "c"), ("tz", "c"), ("ou", "u"), ("oo", "u"), ("ee", "i"), ("x", "ks"),
)  # fmt: skip
PHONETIC_LETTERS = str.maketrans("qwy", "kvj")
SKELETON_LETTERS = str.maketrans("vq", "wk")


def _is_arabic_letter(char: str) -> bool:
    return "\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f"


def _strip_marks(text: str) -> str:
    """Remove combining marks (Latin diacritics, Arabic short vowels) and the tatweel."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) and c != TATWEEL)
    return unicodedata.normalize("NFC", kept)


def _ascii_digits(text: str) -> str:
    """Arabic-Indic and other decimal digits as ASCII digits."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def name_tokens(text: str) -> list[str]:
    """Split a name into case-folded tokens; apostrophes join (Uzbek "O'zbek" is one token).

    Letters, digits and combining marks (diacritics, Arabic vowel signs) make up tokens;
    everything else separates them.
    """
    folded = unicodedata.normalize("NFKC", text).casefold().translate(APOSTROPHES)
    tokens: list[str] = []
    current: list[str] = []
    for char in folded:
        if char.isalnum() or unicodedata.category(char).startswith("M"):
            current.append(char)
        elif char != TATWEEL and current:
            tokens.append("".join(current))
            current = []
    if current:
        tokens.append("".join(current))
    return [t for t in tokens if any(c.isalnum() for c in t)]


def exact_key(token: str) -> str:
    """The token in its own script with Arabic variants unified and short vowels removed."""
    if any(_is_arabic_letter(c) for c in token):
        return _strip_marks(token).translate(ARABIC_VARIANTS)
    return unicodedata.normalize("NFC", token)


def _transliterate_arabic(token: str) -> str:
    letters = _strip_marks(token)
    out: list[str] = []
    for index, char in enumerate(letters):
        final = index == len(letters) - 1
        if final and char in "هةہ":
            out.append("a")  # a word-final heh is mostly the vowel -a/-eh: Farida, Farideh
        elif final and char in "یي" and index > 0:
            out.append("i")  # a word-final yeh is the vowel -i: Ali
        else:
            out.append(ARABIC.get(char, char))
    return "".join(out)


def latin_key(token: str) -> str:
    """ASCII Latin transliteration of one case-folded token (Cyrillic, Arabic script, Latin)."""
    if any(_is_arabic_letter(c) for c in token):
        token = _transliterate_arabic(token)
    token = "".join(CYRILLIC.get(c, LATIN_SPECIAL.get(c, c)) for c in token)
    return _ascii_digits(_strip_marks(token)).casefold()


def _collapse(text: str) -> str:
    return re.sub(r"(.)\1+", r"\1", text)


def _drop_final_vowel_h(text: str) -> str:
    if len(text) > 2 and text.endswith("h") and text[-2] in VOWELS:
        return text[:-1]
    return text


def skeleton_key(latin: str) -> str:
    """The consonant skeleton of a Latin key: no vowels, no medial y/w, no final -eh/-ah h.

    Arabic script writes long vowels as alif, waw and yeh and omits short ones, so the only
    spelling-independent part of a name is its consonants.
    """
    text = _drop_final_vowel_h(latin).translate(SKELETON_LETTERS)
    if not text:
        return latin
    first = "" if text[0] in VOWELS else text[0]
    rest = "".join(c for c in text[1:] if c not in VOWELS and c not in "yw")
    return _collapse(first + rest) or latin


def phonetic_key(latin: str) -> str:
    """Homeward phonetic key v1 of a Latin key.

    1. drop a word-final h after a vowel (-eh, -ah);
    2. fold digraphs in order: dzh/dj/zh -> j, tch/ch -> c, sch/sh -> s, kh -> h, gh -> g,
       ph -> f, th -> t, dh -> d, ck -> k, ts/tz -> c, ou/oo -> u, ee -> i, x -> ks;
    3. fold letters: q -> k, w -> v, y -> j;
    4. keep a leading vowel as "a", drop every other vowel;
    5. collapse runs of the same letter; a final d becomes t (devoicing).
    """
    text = _drop_final_vowel_h(latin)
    for digraph, replacement in PHONETIC_DIGRAPHS:
        text = text.replace(digraph, replacement)
    text = text.translate(PHONETIC_LETTERS)
    if not text:
        return latin
    head = "a" if text[0] in VOWELS else text[0]
    code = _collapse(head + "".join(c for c in text[1:] if c not in VOWELS))
    if len(code) > 1 and code.endswith("d"):
        code = code[:-1] + "t"
    return code


def name_keys(token: str) -> dict[str, str]:
    """The four keys of one name token: exact, latin, skeleton, phonetic.

    A token with no Latin rendering (a lone ain) keeps its exact key in every kind.
    """
    exact = exact_key(token)
    latin = latin_key(token) or exact
    return {
        "exact": exact,
        "latin": latin,
        "skeleton": skeleton_key(latin),
        "phonetic": phonetic_key(latin),
    }


#: Cyrillic capitals that look like Latin ones: typed on a Cyrillic keyboard, "АВ 123" on a
#: passport is the Latin "AB 123", so identifiers map look-alikes before transliterating.
HOMOGLYPHS = str.maketrans("АВЕКМНОРСТУХІЈЅ", "ABEKMHOPCTYXIJS")


def identifier_key(text: str) -> str:
    """A document or case number: Latin letters, ASCII digits, upper case, no separators."""
    folded = unicodedata.normalize("NFKC", text).upper().translate(HOMOGLYPHS).casefold()
    latin = "".join(CYRILLIC.get(c, c) for c in folded)
    return re.sub(r"[^0-9a-z]", "", _ascii_digits(_strip_marks(latin))).upper()
