#!/usr/bin/env python3
"""Writes bban-cases.tsv: domestic bank account numbers (BBANs) for the five countries
whose BBANs Macie reports under <COUNTRY>_BANK_ACCOUNT_NUMBER, and one-edit near misses.

Columns: type name, the value as written, the same account as an IBAN (`-` for a near
miss), `valid` or `miss`, and what the near miss breaks. `tests/bank_accounts.rs`
places each value after each of the type's keywords, alone and under a column name.

Every value is made and judged by implementations independent of ferret's:
schwifty (IBAN and BBAN library: national check digits of France's RIB, Italy's CIN
and Spain's CCC, and the IBAN registry's BBAN structures) and python-stdnum (IBAN
mod 97, Spain's CCC once more). A valid BBAN is one schwifty computes or accepts and
whose IBAN both libraries accept; a near miss is one edit of a valid BBAN (a digit
changed, two adjacent digits swapped, a character dropped, a letter where digits are
due) that schwifty rejects: by its national check digits where the country has them,
or, for Germany and the UK (no national check ferret or Macie can apply), because the
IBAN made from it breaks the registry's structure.

These tools only make the fixture; the tests read the TSV. Run with a venv holding
schwifty and python-stdnum (versions below):

    python3 -m venv /tmp/bban && /tmp/bban/bin/pip install schwifty==2026.10.1 python-stdnum==2.2
    /tmp/bban/bin/python identifiers/testdata/make-bban-cases.py
"""

import random
from pathlib import Path

from schwifty import IBAN
from schwifty.bban import BBAN
from schwifty.exceptions import SchwiftyException
from stdnum import iban as stdnum_iban
from stdnum.es import ccc as stdnum_ccc

OUT = Path(__file__).with_name("bban-cases.tsv")
rng = random.Random(1413)

# Type name, country code, and the national fields' lengths (how the country's
# statements print a BBAN: France "30006 00001 12345678901 89", Italy
# "X 05428 11101 000000123456", Spain "2100 0418 45 0200051332", Germany
# "37040044 0532013000", the UK "NWBK 601613 31926819").
COUNTRIES = [
    ("FRANCE_BANK_ACCOUNT_NUMBER", "FR", (5, 5, 11, 2), True),
    ("GERMANY_BANK_ACCOUNT_NUMBER", "DE", (8, 10), False),
    ("ITALY_BANK_ACCOUNT_NUMBER", "IT", (1, 5, 5, 12), True),
    ("SPAIN_BANK_ACCOUNT_NUMBER", "ES", (4, 4, 2, 10), True),
    ("UK_BANK_ACCOUNT_NUMBER", "GB", (4, 6, 8), False),
]
VALID_PER_COUNTRY = 8
DIGITS = "0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def as_iban(country, bban):
    return country + stdnum_iban.calc_check_digits(country + "00" + bban) + bban


def iban_is_valid(country, bban):
    """Both libraries accept the IBAN of `bban`: schwifty with the registry's
    structure and the national check digits, stdnum with mod 97 (and Spain's CCC)."""
    number = as_iban(country, bban)
    try:
        IBAN(number, validate_bban=True)
    except SchwiftyException:
        return False
    return stdnum_iban.is_valid(number)


def national_checksum_holds(country, bban):
    try:
        return BBAN(country, bban).validate_national_checksum()
    except SchwiftyException:
        return False


def random_bban(country):
    """A BBAN with a random bank, branch and account, mostly digits as banks issue
    them; schwifty fills in the national check digits."""
    if country == "FR":
        account = "".join(rng.choice(DIGITS) for _ in range(11))
        if rng.random() < 0.3:  # Some French accounts hold a letter.
            at = rng.randrange(11)
            account = account[:at] + rng.choice(LETTERS) + account[at + 1:]
        values = {"bank_code": digits(5), "branch_code": digits(5), "account_code": account}
    elif country == "IT":
        values = {"bank_code": digits(5), "branch_code": digits(5), "account_code": digits(12)}
    elif country == "ES":
        values = {"bank_code": digits(4), "branch_code": digits(4), "account_code": digits(10)}
    elif country == "DE":
        values = {"bank_code": digits(8), "account_code": digits(10)}
    else:
        bank = "".join(rng.choice(LETTERS) for _ in range(4))
        values = {"bank_code": bank, "branch_code": digits(6), "account_code": digits(8)}
    bban = str(BBAN.from_components(country, **values))
    assert iban_is_valid(country, bban), (country, bban)
    if country in ("FR", "IT", "ES"):
        assert national_checksum_holds(country, bban), (country, bban)
    if country == "ES":
        assert stdnum_ccc.is_valid(bban), bban
    return bban


def digits(n):
    return "".join(rng.choice(DIGITS) for _ in range(n))


def layouts(bban, fields):
    """The ways the value is written: whole, in groups of four as an IBAN is printed
    (space or hyphen), and in the national fields."""
    fours = [bban[i:i + 4] for i in range(0, len(bban), 4)]
    parts, at = [], 0
    for length in fields:
        parts.append(bban[at:at + length])
        at += length
    return [bban, " ".join(fours), "-".join(fours), " ".join(parts)]


def near_misses(country, bban, checked):
    """One-edit near misses of `bban`, each with what it breaks."""
    misses = []
    positions = [i for i, c in enumerate(bban) if c.isdigit()]
    if checked:
        # A digit changed and two adjacent digits swapped: the national check catches
        # them (schwifty agrees), so the structure is intact and only the check fails.
        for _ in range(50):
            at = rng.choice(positions)
            changed = bban[:at] + str((int(bban[at]) + rng.randrange(1, 10)) % 10) + bban[at + 1:]
            if not national_checksum_holds(country, changed):
                misses.append((changed, "a digit changed"))
                break
        for _ in range(50):
            at = rng.choice(positions[:-1])
            if at + 1 in positions and bban[at] != bban[at + 1]:
                swapped = bban[:at] + bban[at + 1] + bban[at] + bban[at + 2:]
                if not national_checksum_holds(country, swapped):
                    misses.append((swapped, "two digits swapped"))
                    break
    # A character dropped, and a letter where the registry says digits: the structure
    # breaks (schwifty rejects the IBAN made of it).
    at = rng.choice(positions)
    misses.append((bban[:at] + bban[at + 1:], "a character dropped"))
    # The first five digits are the bank code (the UK: the sort code), digits only in
    # every one of these countries.
    at = rng.choice(positions[:5])
    misses.append((bban[:at] + rng.choice(LETTERS) + bban[at + 1:], "a letter for a digit"))
    for value, what in misses:
        assert not iban_is_valid(country, value), (country, value, what)
    return misses


rows = []
for type_name, country, fields, checked in COUNTRIES:
    for index in range(VALID_PER_COUNTRY):
        bban = random_bban(country)
        shown = layouts(bban, fields)[index % 4]
        number = as_iban(country, bban)
        printed = " ".join(number[i:i + 4] for i in range(0, len(number), 4))
        rows.append((type_name, shown, printed if index % 2 else number, "valid", "-"))
        if index < 3:
            for value, what in near_misses(country, bban, checked):
                rows.append((type_name, layouts(value, fields)[index % 2], "-", "miss", what))

with OUT.open("w", encoding="utf-8") as out:
    out.write("# type\tvalue\tiban\tverdict\tnear miss (made by make-bban-cases.py)\n")
    for row in rows:
        out.write("\t".join(row) + "\n")
print(f"{len(rows)} cases -> {OUT}")
