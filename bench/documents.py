#!/usr/bin/env python3
"""The document corpus of `scripts/bench --only docs`, and the python-docx peer.

    documents.py --pdf OUT.pdf --docx OUT.docx   # writes the corpus (reportlab, python-docx)
    documents.py --pdf OUT.pdf --pages 3000      # a longer PDF, to see memory against pages
    documents.py --read-docx IN.docx             # python-docx extracting every paragraph

The PDF has 300 pages of text (Helvetica, compressed content streams, as reportlab
writes by default), the DOCX 10 MB of text in paragraphs. Both hold a CPF and a
prototype name every few lines, so the seed identifiers find something. Seeded: every
run writes the same text.
"""

import argparse
import random

WORDS = (
    "contrato colaborador projeto revisão salário endereço cadastro relatório "
    "departamento benefício admissão período avaliação documento pagamento"
).split()


def cpf(rng):
    digits = [rng.randrange(1000) for _ in range(3)] + [rng.randrange(100)]
    return "%03d.%03d.%03d-%02d" % tuple(digits)


def lines(rng, count):
    for i in range(count):
        words = [rng.choice(WORDS) for _ in range(rng.randrange(8, 14))]
        if i % 7 == 0:
            words.insert(3, "CPF " + cpf(rng))
        if i % 11 == 0:
            words.append("P-%s%04d" % ("".join(rng.choice("ABCDEFGH") for _ in range(2)), rng.randrange(10000)))
        text = " ".join(words)
        yield text[0].upper() + text[1:] + "."


def write_pdf(path, pages=300, per_page=48):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    rng = random.Random(13)
    c = canvas.Canvas(path, pagesize=A4, invariant=1)
    for _ in range(pages):
        c.setFont("Helvetica", 10)
        y = A4[1] - 40
        for text in lines(rng, per_page):
            c.drawString(40, y, text)
            y -= 15.5
        c.showPage()
    c.save()


def write_docx(path, size=10 * 1024 * 1024):
    import copy

    import docx

    rng = random.Random(13)
    document = docx.Document()
    # One paragraph made by python-docx, copied: add_paragraph walks the body each
    # time, which takes hours for 100,000 paragraphs.
    template = document.add_paragraph("x")._p
    body = template.getparent()
    anchor = template
    written = 0
    for text in lines(rng, 10**9):
        p = copy.deepcopy(template)
        p.xpath("./w:r/w:t")[0].text = text
        anchor.addnext(p)
        anchor = p
        written += len(text.encode()) + 1
        if written >= size:
            break
    body.remove(template)
    document.save(path)


def read_docx(path):
    import docx

    document = docx.Document(path)
    total = sum(len(p.text) for p in document.paragraphs)
    print(total)


parser = argparse.ArgumentParser()
parser.add_argument("--pdf")
parser.add_argument("--docx")
parser.add_argument("--pages", type=int, default=300)
parser.add_argument("--read-docx")
args = parser.parse_args()
if args.pdf:
    write_pdf(args.pdf, pages=args.pages)
if args.docx:
    write_docx(args.docx)
if args.read_docx:
    read_docx(args.read_docx)
