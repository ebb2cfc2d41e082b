"""Valid numbers and one-edit near misses for ferret's validators, judged by
python-stdnum (an implementation independent of ferret's).

Run by identifiers/tests/validators_stdnum.rs with the project's .venv Python;
prints one case per line: `<validator name>\t<value>\t<1 if valid else 0>`.
Each validator's cases come from its own fixed seed, so every run prints
the same cases.

Where ferret's rule deliberately differs from stdnum's, the oracle below says
so next to the validator (e.g. ferret also rejects CPFs of one repeated digit,
and accepts the ITIN groups 50-65 the IRS added in 2011).
"""

import os
import random
import string
import sys

import stdnum
from stdnum import ean, iban, luhn
from stdnum.ar import cuit
from stdnum.at import vnr
from stdnum.au import tfn
from stdnum.be import nn
from stdnum.bg import egn
from stdnum.br import cnpj, cpf
from stdnum.ca import bc_phn, sin
from stdnum.ch import ssn as ahv
from stdnum.cl import rut
from stdnum.co import nit
from stdnum.cz import rc
from stdnum.de import idnr
from stdnum.dk import cpr
from stdnum.ee import ik
from stdnum.es import ccc, dni, nie, nif as es_nif
from stdnum.fi import hetu
from stdnum.fr import nif as fr_nif, nir, siren, siret
from stdnum.gb import nhs, utr
from stdnum.gr import amka
from stdnum.hr import oib
from stdnum.ie import pps
from stdnum.in_ import aadhaar, pan
from stdnum.it import codicefiscale
from stdnum.jp import in_ as my_number
from stdnum.kr import rrn
from stdnum.lt import asmens
from stdnum.mx import curp, rfc
from stdnum.nl import bsn
from stdnum.no import fodselsnummer
from stdnum.pl import nip, pesel, regon
from stdnum.pt import nif as pt_nif
from stdnum.ro import cnp
from stdnum.se import personnummer
from stdnum.si import emso
from stdnum.tr import tckimlik
from stdnum.us import itin, rtn, ssn

EXPECTED_STDNUM = "2.2"
if stdnum.__version__ != EXPECTED_STDNUM:
    sys.exit(f"python-stdnum {EXPECTED_STDNUM} expected, found {stdnum.__version__}: run scripts/setup-test-env")

R = random.Random()
# Another seed explores other cases: FERRET_VALIDATOR_SEED=x cargo test --test validators_stdnum
SEED = os.environ.get("FERRET_VALIDATOR_SEED", "ferret")
DIGITS = string.digits
UPPER = string.ascii_uppercase
ALNUM = DIGITS + UPPER

# How many valid numbers per validator; each gets three near misses.
VALID_PER_VALIDATOR = 40


def d(n, alphabet=DIGITS):
    return "".join(R.choice(alphabet) for _ in range(n))


def date(min_year=1930, max_year=2020):
    """A random real date as (yyyy, mm, dd)."""
    year = R.randint(min_year, max_year)
    month = R.randint(1, 12)
    days = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
            31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return year, month, R.randint(1, days)


def complete(template, oracle, alphabet=ALNUM):
    """`template` with each `?` replaced so that the oracle accepts it, or None."""
    holes = template.count("?")
    if holes == 0:
        return template if oracle(template) else None
    if holes == 1:
        for c in alphabet:
            candidate = template.replace("?", c)
            if oracle(candidate):
                return candidate
        return None
    for a in alphabet:
        for b in alphabet:
            candidate = template.replace("?", a, 1).replace("?", b, 1)
            if oracle(candidate):
                return candidate
    return None


def not_all_same(v):
    return len(set(v)) > 1


ITALY_MONTHS = "ABCDEHLMPRST"
CURP_STATES = ("AS BC BS CC CH CL CM CS DF DG GR GT HG JC MC MN MS NE NL NT OC PL QR QT "
               "SL SP SR TC TL TS VZ YN ZS").split()
# RENAPO and SAT replace "inconvenient words" in the first letters, so codes
# starting with them are never issued. ferret does not keep that list (such a
# code is still a well-formed identifier), so stdnum's is emptied here.
curp._name_blacklist = set()
rfc._name_blacklist = set()


def italy_template():
    year, month, day = date()
    day += R.choice([0, 40])
    return d(6, UPPER) + f"{year % 100:02d}" + ITALY_MONTHS[month - 1] + f"{day:02d}" + d(1, UPPER) + d(3) + "?"


def italy_oracle(v):
    # ferret also rejects days 72-99, which stdnum reads modulo 40.
    if len(v) == 16 and v[9:11].isdigit() and int(v[9:11]) >= 72:
        return False
    return len(v) == 16 and codicefiscale.is_valid(v)


def steuer_id_template():
    digits = list(DIGITS)
    R.shuffle(digits)
    body = digits[:9]
    if body[0] == "0":
        body[0], body[1] = body[1], body[0]
    repeated = R.choice(body)
    position = R.randint(1, 9)
    body.insert(position, repeated)
    return "".join(body[:10]) + "?"


def steuer_id_oracle(v):
    # ferret also applies the 2016 rule: no digit three times in a row.
    if any(v[i] == v[i + 1] == v[i + 2] for i in range(8)):
        return False
    return idnr.is_valid(v)


def curp_template():
    year, month, day = date(1930, 2020)
    names = d(4, UPPER)
    homoclave = d(1) if year < 2000 else d(1, UPPER)
    return (names + f"{year % 100:02d}{month:02d}{day:02d}" + R.choice("HM") + R.choice(CURP_STATES)
            + d(3, UPPER) + homoclave + "?")


def rfc_template():
    year, month, day = date(2000, 2099)
    letters = d(R.choice([3, 4]), UPPER)
    return letters + f"{year % 100:02d}{month:02d}{day:02d}" + R.choice("123456789ABCDEFGHJKLMNPQRSTUV") + R.choice("123456789ABCDEFGHJK") + "?"


def rfc_oracle(v):
    # ferret requires the homoclave (12 or 13 characters) and its check digit.
    return len(v) in (12, 13) and rfc.is_valid(v, validate_check_digits=True)


def pesel_template():
    year, month, day = date(1850, 2250)
    offset = {18: 80, 19: 0, 20: 20, 21: 40, 22: 60}[year // 100]
    return f"{year % 100:02d}{month + offset:02d}{day:02d}" + d(4) + "?"


def personnummer_template():
    year, month, day = date(1930, 2020)
    head = f"{year:04d}" if R.random() < 0.5 else f"{year % 100:02d}"
    day += R.choice([0, 0, 60])
    return head + f"{month:02d}{day:02d}" + d(3) + "?"


def personnummer_oracle(v):
    # ferret also accepts coordination numbers (samordningsnummer: day + 60),
    # which stdnum's personnummer does not; they are otherwise built alike.
    # With 12 digits ferret requires the century 18, 19 or 20.
    if len(v) not in (10, 12) or not v.isdigit() or (len(v) == 12 and v[:2] not in ("18", "19", "20")):
        return False
    if personnummer.is_valid(v):
        return True
    day = len(v) - 6
    if not 61 <= int(v[day:day + 2]) <= 91:
        return False
    real_day = v[:day] + f"{int(v[day:day + 2]) - 60:02d}" + v[day + 2:]
    # The Luhn check digit covers the day as written, so judge the date on
    # the real day and the check digit on the number as written.
    return personnummer.is_valid(real_day[:-1] + luhn.calc_check_digit(real_day[-10:-1])) and luhn.is_valid(v[-10:])


def hetu_template():
    year, month, day = date(1900, 2029)
    sign = R.choice("-YXWVU") if year < 2000 else R.choice("ABCDEF")
    return f"{day:02d}{month:02d}{year % 100:02d}" + sign + f"{R.randint(2, 899):03d}" + "?"


def fodselsnummer_template():
    year, month, day = date(1940, 2024)
    if year < 2000:
        individual = R.randint(0, 499)
    else:
        individual = R.randint(500, 999)
    day += R.choice([0, 40])
    return f"{day:02d}{month:02d}{year % 100:02d}{individual:03d}??"


def czech_template():
    year, month, day = date(1954, 2053)
    month += R.choice([0, 50])
    return f"{year % 100:02d}{month:02d}{day:02d}" + d(3) + "?"


def cnp_template():
    year, month, day = date(1900, 2020)
    sex = R.choice("12") if year < 2000 else R.choice("56")
    county = R.choice([f"{n:02d}" for n in list(range(1, 49)) + [51, 52]])
    return sex + f"{year % 100:02d}{month:02d}{day:02d}" + county + d(3) + "?"


def egn_template():
    year, month, day = date(1900, 2020)
    month += 40 if year >= 2000 else 0
    return f"{year % 100:02d}{month:02d}{day:02d}" + d(3) + "?"


def nir_template():
    year, month, day = date()
    department = R.choice(["2A", "2B"] + [f"{n:02d}" for n in range(1, 96) if n != 20])
    return R.choice("12") + f"{year % 100:02d}{month:02d}" + department + d(6) + "??"


def nir_oracle(v):
    # ferret also checks the sex digit and the month (1-12, pseudo-months 20-42, 50-99).
    if len(v) != 15 or v[0] not in "123478" or not v[3:5].isdigit():
        return False
    month = int(v[3:5])
    return (1 <= month <= 12 or 20 <= month <= 42 or month >= 50) and nir.is_valid(v)


def iban_template():
    country, structure = R.choice(IBAN_STRUCTURES)
    bban = ""
    for count, kind in structure:
        alphabet = {"n": DIGITS, "a": UPPER, "c": ALNUM}[kind]
        bban += d(count, alphabet)
    return country + "??" + bban


def iban_oracle(v):
    # ferret also rejects the check digits 00, 01 and 99, which MOD 97-10 never produces.
    return v[2:4].isdigit() and 2 <= int(v[2:4]) <= 98 and iban.is_valid(v, check_country=False)


def _iban_structures():
    import re
    structures = []
    for line in open(iban.__file__.replace("iban.py", "iban.dat"), encoding="utf-8"):
        if line.startswith("#") or "bban=" not in line:
            continue
        country = line.split()[0]
        bban = re.search(r'bban="([^"]*)"', line).group(1)
        structures.append((country, [(int(n), k) for n, k in re.findall(r"(\d+)!([nac])", bban)]))
    return structures


IBAN_STRUCTURES = _iban_structures()

def cpr_template():
    year, month, day = date(1858, 2025)
    if year < 1900:
        serial = R.choice("5678")
    elif year < 1937:
        serial = R.choice("0123")
    elif year < 2000:
        serial = R.choice("012349")
    else:
        serial = R.choice("456789")
    # A date check only: some draws get an impossible month or day.
    month = R.choice([month, month, month, 0, 13])
    day = R.choice([day, day, day, 0, 32])
    return f"{day:02d}{month:02d}{year % 100:02d}" + serial + d(3)


def cpr_oracle(v):
    # ferret checks the date of birth only; stdnum also rejects dates after
    # today, which ferret cannot know to be wrong in an old document.
    try:
        cpr.get_birth_date(v)
    except Exception:
        return False
    return len(v) == 10 and v.isdigit()


def rrn_template():
    year, month, day = date(1900, 2025)
    sex = R.choice("1256") if year < 2000 else R.choice("3478")
    # A date check only: some draws get an impossible month or day.
    month = R.choice([month, month, month, 0, 13])
    day = R.choice([day, day, day, 0, 32])
    return f"{year % 100:02d}{month:02d}{day:02d}" + sex + d(6)


def rrn_oracle(v):
    # ferret checks the date of birth only: numbers issued since October
    # 2020 carry no check digit. stdnum's date logic judges it.
    try:
        rrn.get_birth_date(v)
    except Exception:
        return False
    return len(v) == 13 and v.isdigit()


def baltic_template():
    year, month, day = date(1850, 2020)
    sex = {18: "12", 19: "34", 20: "56"}[year // 100]
    return R.choice(sex) + f"{year % 100:02d}{month:02d}{day:02d}" + d(3) + "?"


def belgium_template():
    year, month, day = date(1930, 2025)
    return f"{year % 100:02d}{month:02d}{day:02d}" + d(3) + "??"


def belgium_oracle(v):
    # stdnum accepts the key of a birth in the 2000s only up to the current
    # year; ferret accepts either century's key whatever the year. ferret also
    # rejects days above 31, which stdnum reads as an unknown day.
    if len(v) != 11 or not v.isdigit() or int(v[4:6]) > 31:
        return False
    return nn.is_valid(v) or (int(v[2:4]) <= 12 and 97 - int("2" + v[:9]) % 97 == int(v[9:]))


def emso_template():
    year, month, day = date(1900, 2020)
    return f"{day:02d}{month:02d}{year % 1000:03d}" + d(5) + "?"


def amka_template():
    year, month, day = date(1930, 2020)
    return f"{day:02d}{month:02d}{year % 100:02d}" + d(4) + "?"


# name: (template maker, oracle, alphabet of the `?` holes)
VALIDATORS = {
    "luhn": (lambda: d(R.randint(2, 19)) + "?", lambda v: len(v) >= 2 and luhn.is_valid(v), DIGITS),
    "brazil_cpf": (lambda: d(9) + "??", lambda v: not_all_same(v) and cpf.is_valid(v), DIGITS),
    "brazil_cnpj": (lambda: d(12, R.choice([DIGITS, DIGITS + UPPER])) + "??",
                    lambda v: not_all_same(v) and cnpj.is_valid(v), DIGITS),
    "france_siren": (lambda: d(8) + "?", siren.is_valid, DIGITS),
    "france_siret": (lambda: complete(d(8) + "?", siren.is_valid, DIGITS) + d(4) + "?", siret.is_valid, DIGITS),
    "france_nir": (nir_template, nir_oracle, DIGITS),
    "france_tax_id": (lambda: (lambda body: body + fr_nif.calc_check_digits(body))(R.choice("0123") + d(9)),
                      fr_nif.is_valid, None),
    "iban": (iban_template, iban_oracle, DIGITS),
    "usa_ssn": (lambda: R.choice([d(3), d(3), "000", "666", "9" + d(2)]) + R.choice([d(2), d(2), "00"])
                + R.choice([d(4), d(4), "0000"]), ssn.is_valid, None),
    "spain_dni": (lambda: d(8) + "?", dni.is_valid, UPPER),
    "spain_nie": (lambda: R.choice("XYZ") + d(7) + "?", nie.is_valid, UPPER),
    "spain_nif": (lambda: R.choice([d(8), R.choice("XYZKLM") + d(7), R.choice("ABCDEFGHJNPQRSUVW") + d(7)]) + "?",
                  es_nif.is_valid, ALNUM),
    "italy_codice_fiscale": (italy_template, italy_oracle, UPPER),
    "germany_steuer_id": (steuer_id_template, steuer_id_oracle, DIGITS),
    "uk_nhs": (lambda: d(9) + "?", nhs.is_valid, DIGITS),
    "uk_utr": (lambda: "?" + d(9), utr.is_valid, DIGITS),
    "canada_sin": (lambda: R.choice("1234567") + d(7) + "?", sin.is_valid, DIGITS),
    "canada_bc_phn": (lambda: "9" + d(8) + "?", bc_phn.is_valid, DIGITS),
    "canada_ontario_health_number": (lambda: d(9) + "?" + R.choice(["", d(1, UPPER), d(2, UPPER)]),
                                     # No stdnum module: stdnum's Luhn and the version-code layout.
                                     lambda v: (len(v) <= 12 and v[:10].isdigit() and luhn.is_valid(v[:10])
                                                and (v[10:] == "" or v[10:].isalpha())),
                                     DIGITS),
    "gs1_gtin": (lambda: d(R.choice([7, 11, 12, 13])) + "?", ean.is_valid, DIGITS),
    "australia_tfn": (lambda: d(8) + "?", lambda v: len(v) == 9 and tfn.is_valid(v), DIGITS),
    "india_aadhaar": (lambda: R.choice("23456789") + d(10) + "?", aadhaar.is_valid, DIGITS),
    "india_pan": (lambda: d(3, UPPER) + d(1, R.choice(["ABCFGHLJPTK", UPPER])) + d(1, UPPER)
                  + R.choice([d(4), d(4), "0000"]) + d(1, UPPER), pan.is_valid, None),
    "mexico_curp": (curp_template, curp.is_valid, DIGITS),
    "mexico_rfc": (rfc_template, rfc_oracle, DIGITS + "A"),
    "argentina_cuit": (lambda: R.choice(["20", "23", "24", "27", "30", "33", "34"]) + d(8) + "?", cuit.is_valid, DIGITS),
    "chile_rut": (lambda: d(R.choice([7, 8])) + "?", lambda v: len(v) in (8, 9) and rut.is_valid(v), DIGITS + "K"),
    "colombia_nit": (lambda: d(R.randint(7, 15)) + "?", nit.is_valid, DIGITS),
    "usa_itin": (lambda: R.choice("99998") + d(2) + f"{R.randint(0, 99):02d}" + d(4),
                 # ferret also accepts the groups 50-65 the IRS added in 2011.
                 lambda v: itin.is_valid(v) or (len(v) == 9 and v.isdigit() and v[0] == "9" and 50 <= int(v[3:5]) <= 65),
                 None),
    # The SSN part by stdnum, the beneficiary code by the CMS layout.
    "usa_hicn": (lambda: R.choice([d(3), "666", "000"]) + d(2) + d(4) + d(1, UPPER) + R.choice(["", d(1), d(1, UPPER)]),
                 lambda v: len(v) in (10, 11) and ssn.is_valid(v[:9]) and v[9].isupper() and (v[10:] == "" or v[10:].isalnum()),
                 None),
    "usa_aba_routing": (lambda: R.choice(["0", "1", "2", "3", "6", "7"]) + d(7) + "?",
                        # ferret also checks the Federal Reserve routing symbol.
                        lambda v: rtn.is_valid(v) and (int(v[:2]) <= 12 or 21 <= int(v[:2]) <= 32 or 61 <= int(v[:2]) <= 72 or v[:2] == "80"),
                        DIGITS),
    "netherlands_bsn": (lambda: d(8) + "?", bsn.is_valid, DIGITS),
    "poland_pesel": (pesel_template, pesel.is_valid, DIGITS),
    "poland_nip": (lambda: d(9) + "?", nip.is_valid, DIGITS),
    "poland_regon": (lambda: R.choice([d(8) + "?", complete(d(8) + "?", regon.is_valid, DIGITS) + d(4) + "?"]),
                     lambda v: v is not None and regon.is_valid(v), DIGITS),
    "portugal_nif": (lambda: R.choice("123456789") + d(7) + "?", pt_nif.is_valid, DIGITS),
    "sweden_personnummer": (personnummer_template, personnummer_oracle, DIGITS),
    "finland_hetu": (hetu_template, hetu.is_valid, "0123456789ABCDEFHJKLMNPRSTUVWXY"),
    "norway_fodselsnummer": (fodselsnummer_template, fodselsnummer.is_valid, DIGITS),
    "czech_birth_number": (czech_template, lambda v: len(v) == 10 and rc.is_valid(v), DIGITS),
    "croatia_oib": (lambda: d(10) + "?", oib.is_valid, DIGITS),
    "romania_cnp": (cnp_template, cnp.is_valid, DIGITS),
    "bulgaria_egn": (egn_template, egn.is_valid, DIGITS),
    "switzerland_ahv": (lambda: "756" + d(9) + "?", ahv.is_valid, DIGITS),
    "austria_svnr": (lambda: R.choice("123456789") + d(2) + "?" + d(6), vnr.is_valid, DIGITS),
    "turkey_tckn": (lambda: R.choice("123456789") + d(8) + "??", tckimlik.is_valid, DIGITS),
    "denmark_cpr": (cpr_template, cpr_oracle, None),
    "korea_rrn": (rrn_template, rrn_oracle, None),
    "spain_ccc": (lambda: d(8) + "??" + d(10), ccc.is_valid, DIGITS),
    # The CIN is the codice fiscale's check character over the other 22.
    "italy_bban": (lambda: "?" + d(10) + d(12, R.choice([DIGITS, ALNUM])),
                   lambda v: len(v) == 23 and v[1:11].isdigit() and v[0] == codicefiscale.calc_check_digit(v[1:]),
                   UPPER),
    "belgium_national_number": (belgium_template, belgium_oracle, DIGITS),
    "estonia_isikukood": (baltic_template, lambda v: v[0] in "123456" and ik.is_valid(v), DIGITS),
    "lithuania_asmens_kodas": (baltic_template, lambda v: v[0] in "123456" and asmens.is_valid(v), DIGITS),
    "slovenia_emso": (emso_template, emso.is_valid, DIGITS),
    "greece_amka": (amka_template, amka.is_valid, DIGITS),
    "japan_my_number": (lambda: d(11) + "?", my_number.is_valid, DIGITS),
    "ireland_pps": (lambda: d(7) + "?" + R.choice(["", "A", "B", "H", "W", "T", "X"]), pps.is_valid, UPPER),
}


def same_class_alphabet(c):
    if c.isdigit():
        return DIGITS
    if c.isalpha():
        return UPPER
    return None


def near_misses(value):
    """Three one-edit variants: two substitutions and one transposition."""
    out = []
    positions = [i for i, c in enumerate(value) if same_class_alphabet(c)]
    for _ in range(2):
        i = R.choice(positions)
        alphabet = same_class_alphabet(value[i]).replace(value[i], "")
        out.append(value[:i] + R.choice(alphabet) + value[i + 1:])
    for _ in range(10):
        i = R.randrange(len(value) - 1)
        # Separators (a HETU's "-") are ignored by ferret: moving one is no edit.
        movable = same_class_alphabet(value[i]) and same_class_alphabet(value[i + 1])
        if movable and value[i] != value[i + 1]:
            out.append(value[:i] + value[i + 1] + value[i] + value[i + 2:])
            break
    return out


def main():
    for name, (make, oracle, alphabet) in VALIDATORS.items():
        # One seed per validator, so that adding one leaves the others' cases as they were.
        R.seed(f"{SEED}-{name}")
        valid = 0
        attempts = 0
        while valid < VALID_PER_VALIDATOR:
            attempts += 1
            if attempts > 100 * VALID_PER_VALIDATOR:
                sys.exit(f"{name}: cannot generate valid numbers")
            template = make()
            if alphabet:
                value = complete(template, oracle, alphabet)
            elif oracle(template):
                value = template
            else:
                # A number without check characters: its random draws that
                # break the structure are near misses too.
                value = None
                print(f"{name}\t{template}\t0")
            if value is None:
                continue
            valid += 1
            print(f"{name}\t{value}\t1")
            for miss in near_misses(value):
                print(f"{name}\t{miss}\t{int(bool(oracle(miss)))}")


main()
