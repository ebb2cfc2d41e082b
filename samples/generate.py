#!/usr/bin/env python3
"""(Re)generate ferret's synthetic sample data.

Usage:
    python3 samples/generate.py              # (re)write the sample files next to this script
    python3 samples/generate.py --expected   # print the expected-occurrence tables (see README.md)

Every value is generated from a fixed seed: names come from small made-up
lists, e-mail addresses use the reserved example.* domains, GUIDs, SIRET-NIC
and CPF numbers come from the seeded RNG. Nothing here is real people's data.
Only the Python 3 standard library is used; running the script twice gives
byte-identical files.
"""

import argparse
import csv
import random
import re
import unicodedata
import uuid
from pathlib import Path

SEED = 20200403
HERE = Path(__file__).resolve().parent

FR_CSV = "compagnie_fran\u00e7aise.csv"  # "compagnie_française.csv", NFC (ç = U+00E7)
BR_CSV = "empresa_brasileira.csv"
REPORT = "relatorio_prototipos.txt"

# Data rows (0-based index among the 20 data rows; CSV row = index + 2).
FR_IGNORE_WORD_INDEX = 7  # -> CSV row 9: SIRET-NIC is the ignore word 000000000-00000
BR_WRONG_CPF_INDEX = 12  # -> CSV row 14: CPF with a wrong second check digit
BR_PUBLIC_NAMES = {  # index -> public product name that must NOT match \bP\-[A-Z]{2}\d{4}\b
    3: "STEP-AB123456",  # "P" preceded by a word character: no \b before it
    7: "P-XY123",  # only 3 digits
    10: "Modelo X200",
    15: "P-ABC1234",  # 3 letters
    18: "P-QR12345",  # 5 digits: no \b after the 4th
}
N_ROWS = 20

# --------------------------------------------------------------------------
# Made-up name lists
# --------------------------------------------------------------------------
FR_FIRST = ["Camille", "Hélène", "Julien", "Mathilde", "Théo", "Léa", "Noémie",
            "Baptiste", "Amélie", "Grégoire"]
FR_LAST = ["Dufresnel", "Marchetier", "Lavoisard", "Bérangeot", "Courtillon",
           "Fauvergne", "Rocheval", "Tessandier"]
FR_COMPANIES = [
    "Ferronnerie Dupont SARL",
    "Dupont, Fils et Cie",  # comma -> quoted CSV field
    "Boulangerie Marchetier SAS",
    "Ateliers Rocheval, Frères & Associés",  # comma -> quoted CSV field
    "Transports Lavoisard SA",
    "Menuiserie Courtillon EURL",
    "Vignobles Fauvergne",
    "Éditions Tessandier",
    "Cabinet Bérangeot Conseil",
    "Imprimerie du Lac Bleu",
]
FR_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet",
             "août", "septembre", "octobre", "novembre", "décembre"]

BR_FIRST = ["João", "Ana", "Luíza", "Thiago", "Mariana", "Gonçalo", "Beatriz",
            "Caio", "Letícia", "Rafael"]
BR_LAST = ["Aranhedo", "Quintelha", "Barbosim", "Mourãoval", "Tavarinho",
           "Sampaiel", "Conceidão", "Ribeirada"]
BR_CITIES = ["São Paulo", "Campinas", "Belo Horizonte", "Curitiba",
             "Porto Alegre", "Recife", "Florianópolis", "Ribeirão Preto"]


# --------------------------------------------------------------------------
# Check-digit helpers
# --------------------------------------------------------------------------
def luhn_ok(digits: str) -> bool:
    """Luhn: from the right, double every second digit (subtract 9 if > 9); sum % 10 == 0."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_check_digit(payload: str) -> str:
    """The single digit that, appended to payload, makes it pass Luhn."""
    return next(c for c in "0123456789" if luhn_ok(payload + c))


def siret_digits(siret_nic: str) -> str:
    return re.sub(r"\D", "", siret_nic)


def siret_ok(siret_nic: str) -> bool:
    """Valid SIRET: 14 digits passing Luhn, whose first 9 (the SIREN) also pass Luhn."""
    d = siret_digits(siret_nic)
    return len(d) == 14 and luhn_ok(d) and luhn_ok(d[:9])


def cpf_check_digits(nine: str) -> str:
    """Brazilian CPF: DV1 over 9 digits with weights 10..2, DV2 over 10 digits with
    weights 11..2; each DV = (sum * 10) % 11, with 10 -> 0."""
    digits = [int(c) for c in nine]
    for first_weight in (10, 11):
        s = sum(d * w for d, w in zip(digits, range(first_weight, 1, -1)))
        r = s * 10 % 11
        digits.append(0 if r == 10 else r)
    return f"{digits[9]}{digits[10]}"


def cpf_ok(cpf: str) -> bool:
    d = re.sub(r"\D", "", cpf)
    return len(d) == 11 and len(set(d)) > 1 and cpf_check_digits(d[:9]) == d[9:]


def format_cpf(d: str) -> str:
    return f"{d[0:3]}.{d[3:6]}.{d[6:9]}-{d[9:11]}"


# --------------------------------------------------------------------------
# Value generators (all driven by the one seeded RNG)
# --------------------------------------------------------------------------
def new_guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def ascii_slug(s: str) -> str:
    """'Hélène' -> 'helene' (for e-mail local parts)."""
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()


def person(rng, firsts, lasts, domains):
    first, last = rng.choice(firsts), rng.choice(lasts)
    email = f"{ascii_slug(first)}.{ascii_slug(last)}@{rng.choice(domains)}"
    return f"{first} {last}", email


def new_siret(rng: random.Random, spaced: bool) -> str:
    """SIRET-NIC 'ddd ddd ddd-ddddd' (spaced) or 'ddddddddd-ddddd', valid SIREN and SIRET."""
    siren8 = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(7))
    siren = siren8 + luhn_check_digit(siren8)
    nic4 = f"{rng.randint(1, 999):04d}"
    siret = siren + nic4 + luhn_check_digit(siren + nic4)
    sep = " " if spaced else ""
    return f"{siren[0:3]}{sep}{siren[3:6]}{sep}{siren[6:9]}-{siret[9:14]}"


def new_cpf(rng: random.Random) -> str:
    while True:
        nine = "".join(str(rng.randint(0, 9)) for _ in range(9))
        if len(set(nine)) > 1:
            return format_cpf(nine + cpf_check_digits(nine))


def wrong_cpf(cpf: str) -> str:
    """Same CPF with its last check digit bumped by one, so validation fails."""
    return cpf[:-1] + str((int(cpf[-1]) + 1) % 10)


def new_prototype(rng: random.Random) -> str:
    letters = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(2))
    return f"P-{letters}{rng.randint(0, 9999):04d}"


def french_date(rng: random.Random) -> str:
    """Mostly 'd avril 2020', sometimes another month/year, e.g. '3 mars 2019'."""
    if rng.random() < 0.7:
        month, year = "avril", 2020
    else:
        while True:
            month, year = rng.choice(FR_MONTHS), rng.randint(2018, 2021)
            if (month, year) != ("avril", 2020):
                break
    day = rng.randint(1, 28)
    return f"{'1er' if day == 1 else day} {month} {year}"


# --------------------------------------------------------------------------
# File builders
# --------------------------------------------------------------------------
def write_csv(path: Path, header, rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")  # minimal quoting, LF line endings
        w.writerow(header)
        w.writerows(rows)


def build_french_csv(rng: random.Random):
    companies = FR_COMPANIES[:]
    rng.shuffle(companies)
    rows = []
    for i in range(N_ROWS):
        name, email = person(rng, FR_FIRST, FR_LAST, ["example.fr", "example.com"])
        if i == FR_IGNORE_WORD_INDEX:
            siret = "000000000-00000"  # Macie training example, listed as an ignore word
        else:
            siret = new_siret(rng, spaced=(i % 3 != 0))
            assert siret_ok(siret), siret
        rows.append([new_guid(rng), name, email, companies[i % len(companies)],
                     french_date(rng), siret])
    header = ["guid", "nom", "email", "entreprise", "date_emission", "siret_nic"]

    assert sum(r[5] == "000000000-00000" for r in rows) == 1
    assert sum("," in r[3] for r in rows) >= 2, "need quoted company names"
    assert any(" " in r[5] for r in rows) and any(" " not in r[5] for r in rows)
    assert sum("avril 2020" in r[4] for r in rows) > N_ROWS // 2
    return header, rows


def build_brazilian_csv(rng: random.Random):
    rows = []
    for i in range(N_ROWS):
        name, email = person(rng, BR_FIRST, BR_LAST, ["example.com.br", "example.com"])
        cpf = new_cpf(rng)
        assert cpf_ok(cpf), cpf
        if i == BR_WRONG_CPF_INDEX:
            cpf = wrong_cpf(cpf)
            assert not cpf_ok(cpf), cpf
        proto = BR_PUBLIC_NAMES.get(i) or new_prototype(rng)
        rows.append([new_guid(rng), name, email, cpf, proto, rng.choice(BR_CITIES)])
    header = ["guid", "nome", "email", "cpf", "prototipo", "cidade"]
    assert sum(not cpf_ok(r[3]) for r in rows) == 1
    return header, rows


def build_report(rng: random.Random) -> str:
    company_fr = "Ferronnerie Dupont SARL"
    company_br = "Metalúrgica Horizonte Ltda."
    siret_near = new_siret(rng, spaced=True)  # 17 characters
    siret_far = new_siret(rng, spaced=False)
    assert siret_ok(siret_near) and siret_ok(siret_far)
    p1, p2, p3 = (new_prototype(rng) for _ in range(3))
    cpf1, cpf2 = new_cpf(rng), new_cpf(rng)
    assert cpf_ok(cpf1) and cpf_ok(cpf2)
    name_fr, email_fr = person(rng, FR_FIRST, FR_LAST, ["example.fr"])
    name_br1, _ = person(rng, BR_FIRST, BR_LAST, ["example.com.br"])
    name_br2, _ = person(rng, BR_FIRST, BR_LAST, ["example.com.br"])

    lines = [
        "RAPPORT CONFIDENTIEL / RELATÓRIO CONFIDENCIAL / CONFIDENTIAL REPORT",
        f"Projet « Héron » : acquisition de {company_fr} par {company_br}",
        "Données fictives générées par samples/generate.py (aucune personne réelle).",
        "",
        "== Résumé (français) ==",
        "La société cible fabrique des structures métalliques légères pour l'industrie.",
        f"Elle a été immatriculée le 3 avril 2020 : {siret_near}",
        "au registre du commerce et des sociétés de Lyon.",
        "Le capital social est détenu à 100 % par la famille fondatrice.",
        "Un numéro provisoire figurait dans le brouillon (SIRET : 000000000-00000) et a été corrigé.",
        "Les frais d'audit ont été réglés par carte bancaire 4111 1111 1111 1111 (numéro de test).",
        f"Contact côté vendeur : {name_fr}, {email_fr}",
        "",
        "== Resumo (português) ==",
        f"A aquisição inclui três protótipos em desenvolvimento: {p1}, {p2} e {p3}.",
        "O produto público já lançado chama-se STEP-AB123456; o kit de demonstração é o P-XY123.",
        f"Responsável técnico: {name_br1}, CPF {cpf1}, lotado em São Paulo.",
        f"Pela área financeira, {name_br2} (CPF {cpf2}) aprovou a operação.",
        "As negociações começaram em março e a conclusão está prevista para o segundo semestre.",
        "",
        "== Summary (English) ==",
        "The buyer also takes over a secondary workshop located in Saint-Étienne, France.",
        "Appendix C of the original share purchase agreement lists that workshop",
        f"under the identifier {siret_far}, unchanged since it opened in 2017.",
        "No prototype is transferred before regulatory approval in both countries.",
        "Integration costs are estimated at EUR 1.2 million over two years.",
        "",
        "-- fin du rapport / fim do relatório / end of report --",
    ]
    text = "\n".join(lines) + "\n"

    # Self-checks on the layout the README relies on.
    assert 20 <= len(lines) <= 40
    kw_ends = [m.end() for kw in SIRET_KEYWORDS for m in re.finditer(re.escape(kw), text, re.I)]
    kw_starts = [m.start() for kw in SIRET_KEYWORDS for m in re.finditer(re.escape(kw), text, re.I)]
    near = text.index(siret_near)
    assert text[:near].endswith("avril 2020 : ")
    assert near + len(siret_near) - (near - 3) == 20  # keyword end -> match end = 20
    far = text.index(siret_far)
    far_end = far + len(siret_far)
    assert all(far - e > 60 for e in kw_ends if e <= far), "far SIRET too close to a keyword"
    assert all(s - far_end > 60 for s in kw_starts if s >= far_end)
    return text


# --------------------------------------------------------------------------
# Expected occurrences (the rules documented in README.md)
# --------------------------------------------------------------------------
SIRET_RE = r"\b(\d{3}\s?){2}\d{3}\-\d{5}\b"
SIRET_KEYWORDS = ["siret", "avril 2020"]
SIRET_IGNORE = ["12345789-12345", "000000000-00000"]
SIRET_MAX_DISTANCE = 20
CPF_RE = r"\b(\d{3}\.){2}\d{3}\-\d{2}\b"
PROTO_RE = r"\bP\-[A-Z]{2}\d{4}\b"
IDENTIFIERS = [("SIRET-NIC", SIRET_RE), ("Brazil CPF", CPF_RE), ("Prototyping Naming", PROTO_RE)]


def find(pattern: str, text: str):
    """Matches of pattern; asserts ASCII and Unicode semantics agree on this text."""
    spans = [m.span() for m in re.finditer(pattern, text, re.ASCII)]
    assert spans == [m.span() for m in re.finditer(pattern, text)], (pattern, text)
    return spans


def siret_verdict(text: str, start: int, end: int, column: str = ""):
    """(kept?, reason) for a SIRET-NIC match at text[start:end] (character offsets)."""
    value = text[start:end]
    for word in SIRET_IGNORE:
        if word in value:
            kept, why = siret_keyword_verdict(text, start, end, column)
            note = f" (keywords alone would keep it: {why})" if kept else ""
            return False, f"ignore word `{word}`{note}"
    return siret_keyword_verdict(text, start, end, column)


def siret_keyword_verdict(text: str, start: int, end: int, column: str = ""):
    """Keyword part of the SIRET-NIC rule: column name, or keyword ending at/before the
    match start with (match_end - keyword_end) <= SIRET_MAX_DISTANCE characters."""
    if column and any(kw in column.lower() for kw in SIRET_KEYWORDS):
        return True, f"column name `{column}` contains keyword"
    best = None
    for kw in SIRET_KEYWORDS:
        for m in re.finditer(re.escape(kw), text, re.I):
            if m.end() <= start and end - m.end() <= SIRET_MAX_DISTANCE:
                if best is None or end - m.end() < best[1]:
                    best = (kw, end - m.end())
    if best:
        return True, f"keyword `{best[0]}`, distance {best[1]}"
    before = [end - m.end() for kw in SIRET_KEYWORDS
              for m in re.finditer(re.escape(kw), text, re.I) if m.end() <= start]
    nearest = f"nearest keyword end is {min(before)} characters before the match end" \
        if before else "no keyword before it"
    return False, f"no keyword within {SIRET_MAX_DISTANCE} characters ({nearest})"


def verdict(ident: str, text: str, start: int, end: int, column: str = ""):
    if ident == "SIRET-NIC":
        return siret_verdict(text, start, end, column)
    if ident == "Brazil CPF" and not cpf_ok(text[start:end]):
        return True, "no validator (check digit is wrong)"
    return True, "regex only"


def expected_csv(path: Path):
    with open(path, encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    header = table[0]
    out = []
    for ident, pattern in IDENTIFIERS:
        for r, row in enumerate(table, start=1):
            for c, cell in enumerate(row, start=1):
                for s, e in find(pattern, cell):
                    kept, why = verdict(ident, cell, s, e, header[c - 1])
                    out.append((ident, r, c, header[c - 1], cell[s:e], kept, why))
    return out


def expected_text(path: Path):
    text = path.read_text(encoding="utf-8")
    out = []
    for ident, pattern in IDENTIFIERS:
        for s, e in find(pattern, text):
            assert "\n" not in text[s:e]
            line_start = text.rfind("\n", 0, s) + 1
            line = text.count("\n", 0, s) + 1
            char_col = s - line_start + 1
            byte_col = len(text[line_start:s].encode("utf-8")) + 1
            byte_off = len(text[:s].encode("utf-8"))
            kept, why = verdict(ident, text, s, e)
            out.append((ident, line, char_col, byte_col, byte_off, text[s:e], kept, why))
    return out


def print_expected() -> None:
    yn = {True: "kept", False: "**rejected**"}
    for name in (FR_CSV, BR_CSV):
        print(f"#### `{name}`\n")
        print("| Identifier | Row | Col | Column | Match | Result | Why |")
        print("|---|---|---|---|---|---|---|")
        for ident, r, c, col, val, kept, why in expected_csv(HERE / name):
            print(f"| {ident} | {r} | {c} | `{col}` | `{val}` | {yn[kept]} | {why} |")
        print()
    print(f"#### `{REPORT}`\n")
    print("| Identifier | Line | Char col | Byte col | Byte offset | Match | Result | Why |")
    print("|---|---|---|---|---|---|---|---|")
    for ident, line, cc, bc, off, val, kept, why in expected_text(HERE / REPORT):
        print(f"| {ident} | {line} | {cc} | {bc} | {off} | `{val}` | {yn[kept]} | {why} |")
    print()
    print("#### Summary\n")
    print("| File | Identifier | Matches | Kept | Rejected |")
    print("|---|---|---|---|---|")
    for name, rows in ((FR_CSV, expected_csv(HERE / FR_CSV)), (BR_CSV, expected_csv(HERE / BR_CSV)),
                       (REPORT, expected_text(HERE / REPORT))):
        for ident, _ in IDENTIFIERS:
            mine = [row for row in rows if row[0] == ident]
            kept = sum(1 for row in mine if row[-2])
            print(f"| `{name}` | {ident} | {len(mine)} | {kept} | {len(mine) - kept} |")


# --------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--expected", action="store_true",
                    help="print the expected-occurrence tables instead of writing files")
    args = ap.parse_args()
    if args.expected:
        print_expected()
        return

    rng = random.Random(SEED)
    write_csv(HERE / FR_CSV, *build_french_csv(rng))
    write_csv(HERE / BR_CSV, *build_brazilian_csv(rng))
    with open(HERE / REPORT, "w", encoding="utf-8", newline="\n") as f:
        f.write(build_report(rng))
    for name in (FR_CSV, BR_CSV, REPORT):
        print(f"wrote {HERE / name}")


if __name__ == "__main__":
    main()
