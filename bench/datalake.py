#!/usr/bin/env python3
"""The data-lake benchmark's corpus and its DuckDB peer (scripts/bench --only parquet,avro).

    datalake.py --parquet OUT [--rows N]   a Parquet file written by pyarrow, snappy, eight
                                           string columns, row groups of 256 Ki rows
    datalake.py --avro OUT [--records N]   an Avro object container file by fastavro, deflate
    datalake.py --duckdb FILE IDENTIFIERS  DuckDB, one thread, counting every match of the
                                           identifiers file's regexes in every string column

The corpus is deterministic (seeded): the same arguments write the same rows. Needs
pyarrow, duckdb and fastavro (a venv of its own, named by FERRET_BENCH_PYTHON).
"""

import argparse
import re
import sys
import time

ROW_GROUP_ROWS = 256 * 1024
COLUMNS = ["name", "email", "city", "street", "note", "cpf", "siret", "code"]
CITIES = ["Lyon", "Paris", "Recife", "Porto Alegre", "Lille", "Nantes", "Salvador",
          "Toulouse", "Curitiba", "Bordeaux", "Marseille", "Belo Horizonte"]
NOTES = [
    "customer asked for a callback about the last invoice",
    "delivery postponed to next week at the customer's request",
    "prototype feedback collected during the spring review",
    "address confirmed by phone, no further action needed",
    "account migrated from the legacy billing platform",
    "duplicate of an earlier ticket, closed without changes",
    "awaiting signature of the updated service agreement",
    "the usual monthly order, nothing unusual to report",
]


def parquet_chunk(start, rows, rng):
    """Rows `start..start+rows`: mostly clean values, a CPF in 1 row of 20, a SIRET
    in 1 of 25, a prototype name in 1 of 50 (in notes and codes)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    ids = pa.array(np.arange(start, start + rows, dtype=np.int64))
    digits = lambda width: pc.utf8_lpad(
        pc.cast(pa.array(rng.integers(0, 10 ** width, rows)), pa.string()), width, "0")
    join = lambda *parts: pc.binary_join_element_wise(*parts, "")
    ids_text = pc.cast(ids, pa.string())
    name = join("Customer ", ids_text, " ", pc.take(pa.array(CITIES), rng.integers(0, len(CITIES), rows)))
    email = join("user", ids_text, "@example.com")
    city = pc.take(pa.array(CITIES), pa.array(rng.integers(0, len(CITIES), rows)))
    street = join(digits(3), " rue de la Republique, bat ", digits(2))
    proto = join("P-", pc.take(pa.array(["AB", "CD", "EF", "GH", "KL"]),
                                pa.array(rng.integers(0, 5, rows))), digits(4))
    note_text = pc.take(pa.array(NOTES), pa.array(rng.integers(0, len(NOTES), rows)))
    has_proto = pa.array(rng.integers(0, 50, rows) == 0)
    note = pc.if_else(has_proto, join(note_text, " (", proto, ")"), note_text)
    cpf_value = join(digits(3), ".", digits(3), ".", digits(3), "-", digits(2))
    cpf = pc.if_else(pa.array(rng.integers(0, 20, rows) == 0), cpf_value,
                     join("ref ", digits(10), " pending"))
    siret_value = join(digits(3), " ", digits(3), " ", digits(3), "-", digits(5))
    siret = pc.if_else(pa.array(rng.integers(0, 25, rows) == 0), siret_value,
                       join("no number on file ", digits(6)))
    code = pc.if_else(has_proto, proto, join("internal-", digits(8)))
    return pa.table(dict(zip(COLUMNS, [name, email, city, street, note, cpf, siret, code])))


def write_parquet(out, rows):
    import numpy as np
    import pyarrow.parquet as pq

    rng = np.random.default_rng(12)
    writer = None
    text = 0
    for start in range(0, rows, ROW_GROUP_ROWS):
        table = parquet_chunk(start, min(ROW_GROUP_ROWS, rows - start), rng)
        text += sum(table.column(c).combine_chunks().buffers()[2].size for c in COLUMNS)
        if writer is None:
            writer = pq.ParquetWriter(out, table.schema, compression="snappy")
        writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
    writer.close()
    print(f"{rows} rows, {text} bytes of string data", file=sys.stderr)


def write_avro(out, records):
    import fastavro
    import numpy as np

    schema = {
        "type": "record", "name": "Customer",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "name", "type": "string"},
            {"name": "email", "type": "string"},
            {"name": "address", "type": {"type": "record", "name": "Address", "fields": [
                {"name": "street", "type": "string"}, {"name": "city", "type": "string"}]}},
            {"name": "tags", "type": {"type": "array", "items": "string"}},
            {"name": "cpf", "type": ["null", "string"]},
            {"name": "note", "type": "string"},
        ],
    }
    rng = np.random.default_rng(12)

    def rows():
        for start in range(0, records, 65536):
            n = min(65536, records - start)
            a = rng.integers(0, 1_000_000_000, size=(n, 6))
            for i in range(n):
                r = a[i]
                k = start + i
                yield {
                    "id": k,
                    "name": f"Customer {k} {CITIES[r[0] % len(CITIES)]}",
                    "email": f"user{k}@example.com",
                    "address": {"street": f"{r[1] % 1000} rue de la Republique",
                                "city": CITIES[r[1] % len(CITIES)]},
                    "tags": ["retail", f"P-AB{r[2] % 10000:04d}" if r[2] % 50 == 0 else "web"],
                    "cpf": (f"{r[3] % 1000:03d}.{r[4] % 1000:03d}.{r[5] % 1000:03d}-{r[3] % 100:02d}"
                            if r[3] % 20 == 0 else None),
                    "note": NOTES[r[4] % len(NOTES)] + " " + NOTES[r[5] % len(NOTES)],
                }

    with open(out, "wb") as f:
        fastavro.writer(f, fastavro.parse_schema(schema), rows(), codec="deflate",
                        sync_interval=64 * 1024)


def duckdb_count(file, identifiers):
    """Every match of each `regex = '...'` line of `identifiers` in every string column."""
    import duckdb

    patterns = re.findall(r"^regex = '(.*)'$", open(identifiers).read(), re.M)
    con = duckdb.connect()
    con.execute("SET threads = 1")
    terms = [f"len(regexp_extract_all({c}, '{p}'))" for c in COLUMNS for p in patterns]
    query = f"SELECT sum({' + '.join(terms)}) FROM read_parquet('{file}')"
    start = time.perf_counter()
    (count,) = con.execute(query).fetchone()
    print(f"{count} matches in {time.perf_counter() - start:.3f} s", file=sys.stderr)
    print(count)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--parquet")
    parser.add_argument("--rows", type=int, default=5_500_000)
    parser.add_argument("--avro")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--duckdb", nargs=2, metavar=("FILE", "IDENTIFIERS"))
    args = parser.parse_args()
    if args.parquet:
        write_parquet(args.parquet, args.rows)
    if args.avro:
        write_avro(args.avro, args.records)
    if args.duckdb:
        duckdb_count(*args.duckdb)


if __name__ == "__main__":
    main()
