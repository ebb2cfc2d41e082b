#!/usr/bin/env python3
"""Writes inputs that once overflowed the stack of the reader named in each file's
directory (a stack overflow aborts the whole process: no `catch_unwind` contains it, so
one object ended a scan). All are fixed; `scripts/fuzz-smoke` replays the committed ones
as seeds of their target, so a returning bug fails the smoke at once.

    python3 fuzz/regressions/make.py        # no third-party package needed

- `read_avro/recursive-record-600.avro` (753 bytes): a record type whose field is a
  union of null and the record itself, nested 600 deep. apache-avro's decoder recursed
  once per level; ferret's own decoder stops at its nesting limit.
- `read_parquet/deep-schema-4000.parquet` (32 KB): a schema of 4,000 nested groups,
  which the Parquet crate turns into a tree recursively. ferret refuses a schema
  nesting more than 256 deep before the crate reads it (MALFORMED_FILE).
- `read_eml/nested-rfc822-50000.eml` (1.6 MB, not committed: run this script): a
  message/rfc822 part in a message/rfc822 part, 50,000 deep. mail-parser freed its
  nested messages recursively; ferret's streaming reader reads each attached message
  as a member, nested up to the archive limit.
"""

import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def varint(n):
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def zigzag(n):
    return varint((n << 1) ^ (n >> 63))


def avro(depth):
    def text(b):
        return zigzag(len(b)) + b

    schema = json.dumps(
        {"type": "record", "name": "L", "fields": [{"name": "n", "type": ["null", "L"]}]}
    ).encode()
    header = b"Obj\x01" + zigzag(2) + text(b"avro.schema") + text(schema)
    header += text(b"avro.codec") + text(b"null") + zigzag(0)
    sync = b"S" * 16
    # Union branch 1 (the record) `depth` times, then branch 0 (null).
    data = b"\x02" * depth + b"\x00"
    return header + sync + zigzag(1) + zigzag(len(data)) + data + sync


def parquet(depth):
    def element(name, children=None, physical=None, repetition=None):
        out, last = bytearray(), 0

        def field(fid, kind):
            nonlocal last
            delta, last = fid - last, fid
            return bytes([(delta << 4) | kind])

        if physical is not None:
            out += field(1, 5) + zigzag(physical)
        if repetition is not None:
            out += field(3, 5) + zigzag(repetition)
        out += field(4, 8) + varint(len(name)) + name
        if children is not None:
            out += field(5, 5) + zigzag(children)
        out.append(0)
        return bytes(out)

    elements = [element(b"schema", children=1)]
    elements += [element(b"g", children=1, repetition=1) for _ in range(depth)]
    elements.append(element(b"v", physical=6, repetition=1))
    meta = bytearray(b"\x15" + zigzag(1))  # version
    meta += b"\x19" + bytes([0xF0 | 12]) + varint(len(elements))  # schema
    for e in elements:
        meta += e
    meta += b"\x16" + zigzag(0)  # num_rows
    meta += b"\x19\x0c"  # row_groups: none
    meta.append(0)
    return b"PAR1" + bytes(meta) + struct.pack("<I", len(meta)) + b"PAR1"


def eml(depth):
    head = "From: a@example.com\r\nTo: b@example.com\r\nSubject: nested\r\n"
    body = "Content-Type: message/rfc822\r\n\r\n" * depth
    return (head + body + "Content-Type: text/plain\r\n\r\nhello\r\n").encode()


def save(path, data):
    path = os.path.join(HERE, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    save("read_avro/recursive-record-600.avro", avro(600))
    save("read_parquet/deep-schema-4000.parquet", parquet(4000))
    save("read_eml/nested-rfc822-50000.eml", eml(50000))
