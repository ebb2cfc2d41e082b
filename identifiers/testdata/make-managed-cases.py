#!/usr/bin/env python3
"""Writes managed-cases.tsv: one test case per managed identifier.

Columns: type name, a unit the identifier must report (with a keyword where one is
required), the match it must report, and a near miss it must not report (the same
value without its keyword, with a wrong check digit, a published example value, or a
broken format).

Checked values are made or verified with python-stdnum, an implementation
independent of ferret's (`scripts/setup-test-env` installs it), so a test failure
points at ferret, not at a shared mistake. IBANs are generated for every country from
stdnum's copy of SWIFT's IBAN registry. Run with that venv's python:

    .venv/bin/python identifiers/testdata/make-managed-cases.py
"""

import random
import re
from pathlib import Path

from stdnum import iban, luhn, verhoeff
from stdnum.ar import cuit
from stdnum.au import tfn
from stdnum.br import cnpj, cpf
from stdnum.ca import sin
from stdnum.cl import rut
from stdnum.co import nit
from stdnum.de import idnr
from stdnum.es import cif, dni, nie
from stdnum.fr import nif, nir
from stdnum.gb import nhs, utr
from stdnum.in_ import aadhaar, pan
from stdnum.it import codicefiscale
from stdnum.mx import curp, rfc
from stdnum.us import itin

OUT = Path(__file__).with_name("managed-cases.tsv")

CASES = []


def case(type_name, positive, expected, negative):
    assert expected in positive, (type_name, expected)
    assert "\t" not in positive + negative
    CASES.append((type_name, positive, expected, negative))


def checked(validator, value):
    assert validator.is_valid(value), value
    return value


def keyword_case(type_name, keyword, value, *, negative=None):
    """A format-only value: reported after its keyword, not alone."""
    case(type_name, f"{keyword}: {value}", value, negative or f"ref {value} ok")


def checked_case(type_name, keyword, validator, value):
    """A value with a check: reported after its keyword; after the same keyword, the
    value with its last digit changed (which stdnum rejects) is not."""
    assert validator.is_valid(value), value
    last = max(i for i, c in enumerate(value) if c.isdigit())
    for step in range(1, 10):
        wrong = value[:last] + str((int(value[last]) + step) % 10) + value[last + 1:]
        if not validator.is_valid(wrong):
            break
    else:
        raise AssertionError(value)
    case(type_name, f"{keyword}: {value}", value, f"{keyword}: {wrong}")


# Credentials.
secret = "Zx9vQ2mLk8RtY7uPw3NcHb5JdFg1SaEe6TiOo4Vq"
keyword_case("AWS_CREDENTIALS", "aws_secret_access_key", secret,
             negative="aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
keyword_case("GCP_API_KEY", "GOOGLEKEY", "AIzaSyD3x8fJk2LmN4pQ6rS8tU0vW2xY4zA6bC8")
case("HTTP_BASIC_AUTH_HEADER", "GET / HTTP/1.1\nAuthorization: Basic dXNlcjpwYXNzd29yZA==",
     "Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Bearer dXNlcjpwYXNzd29yZA==")
jwt = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6"
       "IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")
case("JSON_WEB_TOKEN", f"token {jwt}", jwt, "token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9")
case("OPENSSH_PRIVATE_KEY", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn",
     "-----BEGIN OPENSSH PRIVATE KEY-----", "-----BEGIN OPENSSH PUBLIC KEY-----")
case("PGP_PRIVATE_KEY", "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOY",
     "-----BEGIN PGP PRIVATE KEY BLOCK-----", "-----BEGIN PGP PUBLIC KEY BLOCK-----")
case("PKCS", "-----BEGIN RSA PRIVATE KEY-----\nMIIE", "-----BEGIN RSA PRIVATE KEY-----",
     "-----BEGIN PUBLIC KEY-----")
case("PUTTY_PRIVATE_KEY", "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none",
     "PuTTY-User-Key-File-3: ssh-ed25519", "PuTTY-User-Key-File: ssh-ed25519")
case("STRIPE_CREDENTIALS", "stripe key sk_live_51HqLyjWDarjtT1zdp7dcXy9Q", "sk_live_51HqLyjWDarjtT1zdp7dcXy9Q",
     "stripe key sk_test_4eC39HqLyjWDarjtT1zdp7dc")

# Financial information.
keyword_case("BANK_ACCOUNT_NUMBER", "bank account", "123456789")
keyword_case("CREDIT_CARD_EXPIRATION", "expiration date", "09/27")
stripe = "%B4539148803436467^DOE/JOHN^27091011000000000000?"
case("CREDIT_CARD_MAGNETIC_STRIPE", f"track {stripe}", stripe, "track %B4539^DOE/JOHN^?")
card = checked(luhn, "4539148803436467")
case("CREDIT_CARD_NUMBER", "visa 4539 1488 0343 6467", "4539 1488 0343 6467",
     "visa 5555 5555 5555 4444")
case("CREDIT_CARD_NUMBER_(NO_KEYWORD)", f"ref {card} ok", card, f"credit card {card}")
keyword_case("CREDIT_CARD_SECURITY_CODE", "cvv", "123")

# IBANs, one per country, from the registry's BBAN structure.
IBAN_COUNTRIES = {
    "ALBANIA": "AL", "ANDORRA": "AD", "AUSTRIA": "AT", "BELGIUM": "BE",
    "BOSNIA_AND_HERZEGOVINA": "BA", "BRAZIL": "BR", "BULGARIA": "BG", "COSTA_RICA": "CR",
    "CROATIA": "HR", "CYPRUS": "CY", "CZECHIA": "CZ", "DENMARK": "DK", "ESTONIA": "EE",
    "FAROE_ISLANDS": "FO", "FINLAND": "FI", "FRANCE": "FR", "GEORGIA": "GE", "GERMANY": "DE",
    "GREECE": "GR", "GREENLAND": "GL", "HUNGARY": "HU", "ICELAND": "IS", "IRELAND": "IE",
    "ITALY": "IT", "KOSOVO": "XK", "LATVIA": "LV", "LIECHTENSTEIN": "LI", "LITHUANIA": "LT",
    "LUXEMBOURG": "LU", "MALTA": "MT", "MAURITIUS": "MU", "MONACO": "MC", "MONTENEGRO": "ME",
    "NETHERLANDS": "NL", "NORTH_MACEDONIA": "MK", "NORWAY": "NO", "POLAND": "PL",
    "PORTUGAL": "PT", "ROMANIA": "RO", "SAN_MARINO": "SM", "SERBIA": "RS", "SLOVAKIA": "SK",
    "SLOVENIA": "SI", "SPAIN": "ES", "SWEDEN": "SE", "SWITZERLAND": "CH", "TUNISIA": "TN",
    "TURKEY": "TR", "UKRAINE": "UA", "UNITED_ARAB_EMIRATES": "AE", "UK": "GB",
    "VIRGIN_ISLANDS": "VG",
}
registry = {}
for line in Path(iban.__file__).with_name("iban.dat").read_text().splitlines():
    match = re.match(r'^([A-Z]{2}) .*bban="([^"]+)"', line)
    if match:
        registry[match.group(1)] = match.group(2)
rng = random.Random(14)
ALPHABETS = {"n": "0123456789", "a": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
             "c": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def make_iban(country):
    """A random IBAN of the country that stdnum accepts, national check digits included
    (Belgium, Spain, France, ... carry their own inside the BBAN)."""
    for _ in range(100_000):
        bban = "".join(rng.choice(ALPHABETS[kind]) for count, kind in
                       re.findall(r"(\d+)!([nac])", registry[country])
                       for _ in range(int(count)))
        number = country + iban.calc_check_digits(country + "00" + bban) + bban
        if iban.is_valid(number):
            return number
    raise AssertionError(country)


for index, (name, country) in enumerate(IBAN_COUNTRIES.items()):
    number = make_iban(country)
    shown = " ".join(number[i:i + 4] for i in range(0, len(number), 4)) if index % 2 else number
    # One edit: the last digit of the BBAN moved by one, which mod 97 always catches.
    last = max(i for i, c in enumerate(number) if c.isdigit() and i > 3)
    wrong = number[:last] + str((int(number[last]) + 1) % 10) + number[last + 1:]
    assert not iban.is_valid(wrong)
    case(f"{name}_BANK_ACCOUNT_NUMBER", f"IBAN {shown} merci", shown, f"IBAN {wrong} merci")

# Health.
keyword_case("CANADA_HEALTH_NUMBER", "health card", "1234 567 890")
keyword_case("EUROPEAN_HEALTH_INSURANCE_CARD_NUMBER", "ehic", "80276000123456789012")
keyword_case("FINLAND_EUROPEAN_HEALTH_INSURANCE_NUMBER", "sairaanhoitokortti",
             "80246123456789012345")
vitale = checked(nir, "184127645108946")
case("FRANCE_HEALTH_INSURANCE_NUMBER", f"carte vitale {vitale}", vitale,
     f"carte vitale {vitale[:-2]}{(int(vitale[-2:]) + 1) % 97:02d}")
keyword_case("MEDICAL_DEVICE_UDI", "UDI", "(01)00643169007222(17)160128(21)BOH1")
checked_case("UK_NHS_NUMBER", "NHS number", nhs, "9434765919")
keyword_case("US_DRUG_ENFORCEMENT_AGENCY_NUMBER", "DEA number", "AB1234563")
keyword_case("USA_HEALTH_INSURANCE_CLAIM_NUMBER", "HICN", "123-45-6789A")
keyword_case("USA_HEALTHCARE_PROCEDURE_CODE", "HCPCS", "G0101")
keyword_case("USA_MEDICARE_BENEFICIARY_IDENTIFIER", "MBI", "1EG4-TE5-MK73")
keyword_case("USA_NATIONAL_DRUG_CODE", "NDC", "0002-3227-30")
keyword_case("USA_NATIONAL_PROVIDER_IDENTIFIER", "NPI", checked(luhn, "80840" + "1234567893")[5:])

# Personal information.
keyword_case("ARGENTINA_DNI_NUMBER", "DNI", "20.123.456", negative="DNI: 99.999.999")
checked_case("ARGENTINA_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER", "CUIL", cuit, "20-26756539-3")
company_cuit = "30-71234567-" + cuit.calc_check_digit("3071234567")
checked_case("ARGENTINA_ORGANIZATION_TAX_IDENTIFICATION_NUMBER", "CUIT", cuit, company_cuit)
sube = "606112345678901" + luhn.calc_check_digit("606112345678901")
checked_case("ARGENTINA_TARJETA_SUBE", "tarjeta SUBE", luhn, sube)
checked_case("AUSTRALIA_TAX_FILE_NUMBER", "TFN", tfn, "123456782")
company = checked(cnpj, "11222333000181")
checked_case("BRAZIL_CNPJ_NUMBER", "CNPJ", cnpj, "11.222.333/0001-81")
checked_case("BRAZIL_CPF_NUMBER", "CPF", cpf, "529.982.247-25")
keyword_case("BRAZIL_CEP_CODE", "CEP", "01310-100")
keyword_case("BRAZIL_PHONE_NUMBER", "telefone", "(11) 91234-5678")
keyword_case("BRAZIL_RG_NUMBER", "RG", "12.345.678-9")
keyword_case("CANADA_NATIONAL_IDENTIFICATION_NUMBER", "permanent resident card", "PA0123456")
keyword_case("CANADA_PASSPORT_NUMBER", "passport", "AB123456")
social = checked(sin, "130692544")
case("CANADA_SOCIAL_INSURANCE_NUMBER", "SIN 130 692 544", "130 692 544", "SIN 130 692 545")
checked_case("CHILE_RUT_NUMBER", "RUT", rut, "76.086.428-5")
keyword_case("COLOMBIA_CITIZENSHIP_CARD_NUMBER", "cédula de ciudadanía", "1.020.304.050")
checked_case("COLOMBIA_INDIVIDUAL_NIT_NUMBER", "NIT", nit,
             "79.123.456-" + nit.calc_check_digit("79123456"))
checked_case("COLOMBIA_ORGANIZATION_NIT_NUMBER", "NIT", nit, "890.903.938-8")
keyword_case("DATE_OF_BIRTH", "date of birth", "1984-12-07")
LICENCES = {
    "AUSTRALIA": "12345678", "AUSTRIA": "12345678", "BELGIUM": "1234567890",
    "BULGARIA": "123456789", "CANADA": "A1234-56789-01234", "CROATIA": "12345678",
    "CYPRUS": "123456789012", "CZECHIA": "EA 123456", "DENMARK": "12345678",
    "ESTONIA": "ET123456", "FINLAND": "131052-308T", "FRANCE": "123456789012",
    "GERMANY": "B072RRE2I55", "GREECE": "123456789", "HUNGARY": "AB123456",
    "INDIA": "MH14 20110062821", "IRELAND": "123456789", "ITALY": "U17352789T",
    "LATVIA": "AB123456", "LITHUANIA": "12345678", "LUXEMBOURG": "123456",
    "MALTA": "1234567", "NETHERLANDS": "1234567890", "POLAND": "12345/67/8901",
    "PORTUGAL": "L-123456 7", "ROMANIA": "A12345678", "SLOVAKIA": "EA123456",
    "SLOVENIA": "12345678", "SPAIN": "12345678Z", "SWEDEN": "850709-9805",
    "UK": "MORGA657054SM9IJ",
}
for country, number in LICENCES.items():
    keyword_case(f"{country}_DRIVERS_LICENSE", "driver's license", number)
keyword_case("DRIVERS_LICENSE", "driver's license", "D1234567")
nir_value = checked(nir, "184127645108946")
case("FRANCE_NATIONAL_IDENTIFICATION_NUMBER", "NIR 1 84 12 76 451 089 46", "1 84 12 76 451 089 46",
     "NIR 1 84 12 76 451 089 47")
keyword_case("FRANCE_PASSPORT_NUMBER", "passeport", "12AB34567")
keyword_case("FRANCE_PHONE_NUMBER", "téléphone", "01 23 45 67 89")
checked_case("FRANCE_TAX_IDENTIFICATION_NUMBER", "numéro fiscal", nif, "3023217600053")
def icao_check(value):
    """ICAO 9303's check digit: weights 7, 3, 1; A=10 ... Z=35."""
    digits = [int(c, 36) for c in value]
    return str(sum(d * (7, 3, 1)[i % 3] for i, d in enumerate(digits)) % 10)


keyword_case("GERMANY_NATIONAL_IDENTIFICATION_NUMBER", "Personalausweis",
             "L01X00T47" + icao_check("L01X00T47"))
keyword_case("GERMANY_PASSPORT_NUMBER", "Reisepass", "C01X00T47")
keyword_case("GERMANY_PHONE_NUMBER", "Telefon", "030 1234567")
checked_case("GERMANY_TAX_IDENTIFICATION_NUMBER", "Steuer-ID", idnr, "36574261809")
case("HTTP_COOKIE", "Cookie: sessionid=38afes7a8dhs74", "Cookie: sessionid=38afes7a8dhs74",
     "cookies are baked at 180 degrees")
checked_case("INDIA_AADHAAR_NUMBER", "Aadhaar", aadhaar,
             "23456789012" + verhoeff.calc_check_digit("23456789012"))
keyword_case("INDIA_PERMANENT_ACCOUNT_NUMBER", "PAN", checked(pan, "ABCPE1234F"))
keyword_case("ITALY_NATIONAL_IDENTIFICATION_NUMBER", "codice fiscale",
             checked(codicefiscale, "RSSMRA85T10A562S"))
keyword_case("ITALY_PASSPORT_NUMBER", "passaporto", "YA1234567")
keyword_case("ITALY_PHONE_NUMBER", "telefono", "333 1234567")
keyword_case("LATITUDE_LONGITUDE", "coordinates", "48.858370, 2.294481")
checked_case("MEXICO_CURP_NUMBER", "CURP", curp, "BOXW310820HNERXN09")


class RfcWithCheckDigit:
    """stdnum checks an RFC's check digit only when asked to."""

    @staticmethod
    def is_valid(value):
        return rfc.is_valid(value, validate_check_digits=True)


checked_case("MEXICO_INDIVIDUAL_RFC_NUMBER", "RFC", RfcWithCheckDigit, "GODE561231GR8")
checked_case("MEXICO_ORGANIZATION_RFC_NUMBER", "RFC", RfcWithCheckDigit,
             "ABC680524P7" + rfc.calc_check_digit("ABC680524P7"))
keyword_case("PHONE_NUMBER", "phone", "(206) 555-0123")
keyword_case("SPAIN_DNI_NUMBER", "DNI", checked(dni, "12345678Z"))
keyword_case("SPAIN_NIE_NUMBER", "NIE", checked(nie, "X1234567L"))
keyword_case("SPAIN_NIF_NUMBER", "NIF", checked(dni, "87654321X"))
keyword_case("SPAIN_PASSPORT_NUMBER", "pasaporte", "PAA123456")
keyword_case("SPAIN_PHONE_NUMBER", "teléfono", "612 345 678")
nuss = "2812345678"
keyword_case("SPAIN_SOCIAL_SECURITY_NUMBER", "seguridad social", f"{nuss[:2]} {nuss[2:]} {int(nuss) % 97:02d}")
checked_case("SPAIN_TAX_IDENTIFICATION_NUMBER", "CIF", cif, "A58818501")
keyword_case("UK_ELECTORAL_ROLL_NUMBER", "electoral roll", "ABC123")
keyword_case("UK_NATIONAL_INSURANCE_NUMBER", "national insurance", "AB 12 34 56 C")
keyword_case("UK_PASSPORT_NUMBER", "passport", "123456789")
keyword_case("UK_PHONE_NUMBER", "phone", "020 7946 0958")
checked_case("UK_TAX_IDENTIFICATION_NUMBER", "UTR", utr, "2234567890")
keyword_case("USA_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER", "ITIN", checked(itin, "912-70-1234"))
keyword_case("USA_PASSPORT_NUMBER", "passport", "C12345678")
keyword_case("USA_SOCIAL_SECURITY_NUMBER", "SSN", "123-45-6789")
keyword_case("VEHICLE_IDENTIFICATION_NUMBER", "VIN", "1M8GDM9AXKP042788")

# ferret's own types.
case("AWS_ACCESS_KEY_ID", "key=AKIA2OGYBAH6STMMNXNN", "AKIA2OGYBAH6STMMNXNN",
     "key=AKIAIOSFODNN7EXAMPLE")
case("EMAIL_ADDRESS", "write to ana.souza+hr@example.com.br.", "ana.souza+hr@example.com.br",
     "not an @ address")
keyword_case("FRANCE_SIREN_NUMBER", "SIREN", "732 829 320")
case("FRANCE_SIRET_NUMBER", "SIRET 732 829 320 00074", "732 829 320 00074",
     "SIRET 732 829 320 00075")

with OUT.open("w", encoding="utf-8") as out:
    out.write("# type\tpositive\texpected\tnegative (made by make-managed-cases.py)\n")
    for row in CASES:
        out.write("\t".join(v.replace("\n", "\\n") for v in row) + "\n")
print(f"{len(CASES)} cases -> {OUT}")
