//! The decoder against apache-avro's own: the same units, at the same places, from every
//! fixture and from generated files (seeded random schemas with nested records,
//! arrays, maps, unions, enums and fixed values, written by the crate's writer with
//! every codec).
//!
//! The reference is the reader ferret had before its own decoder: the crate decodes
//! each record into its value tree, which is walked. Two differences are by design and
//! normalised here: the crate decodes maps into hash maps, so units are compared as
//! sorted lists (records must still come in order), and it refuses strings that are not
//! UTF-8, which the generated files never hold (the fixtures test them).

use apache_avro::types::Value;
use apache_avro::{Codec, Reader, Schema, Writer};
use serde_json::json;

use super::read_avro;
use crate::reader::record_path::seen::{collect, fixture, Seen};
use crate::reader::record_path::RecordPath;
use crate::reader::{ReadError, Sink};
use crate::Limits;

/// The units of `file` by the crate's value tree.
fn reference(file: &[u8]) -> Vec<Seen> {
    let limits = Limits::default();
    let reader = Reader::new(file).expect("the crate reads the header");
    let mut path = RecordPath::new(limits.max_json_depth);
    let mut seen = Vec::new();
    let mut sink = collect(&mut seen);
    for (index, record) in reader.enumerate() {
        let record = record.expect("the crate decodes the record");
        walk(&mut path, index as u64, &record, &mut sink).expect("shallow");
    }
    drop(sink);
    seen
}

fn walk(
    path: &mut RecordPath,
    index: u64,
    value: &Value,
    sink: &mut Sink<'_>,
) -> Result<(), ReadError> {
    match value {
        Value::String(text) | Value::Enum(_, text) => path.emit(index, text.as_bytes(), sink),
        Value::Bytes(bytes) | Value::Fixed(_, bytes) if std::str::from_utf8(bytes).is_ok() => {
            path.emit(index, bytes, sink)
        }
        Value::Union(_, inner) => walk(path, index, inner, sink)?,
        Value::Record(fields) => {
            for (name, field) in fields {
                path.push_key(name)?;
                walk(path, index, field, sink)?;
                path.pop();
            }
        }
        Value::Array(items) => {
            for (at, item) in items.iter().enumerate() {
                path.push_index(at as u64)?;
                walk(path, index, item, sink)?;
                path.pop();
            }
        }
        Value::Map(entries) => {
            for (key, value) in entries {
                path.push_key(key)?;
                walk(path, index, value, sink)?;
                path.pop();
            }
        }
        _ => {}
    }
    Ok(())
}

/// The units of `file` by ferret's decoder, which must read it whole.
fn ours(file: &[u8]) -> Vec<Seen> {
    let mut seen = Vec::new();
    read_avro(file, &Limits::default(), &mut collect(&mut seen)).expect("ferret reads it");
    seen
}

/// Asserts both readers give the same units of `file`.
fn same_units(file: &[u8], what: &str) {
    let mut ours = ours(file);
    let mut reference = reference(file);
    assert!(
        ours.windows(2).all(|w| w[0].0 <= w[1].0),
        "{what}: records in order"
    );
    ours.sort();
    reference.sort();
    assert_eq!(ours, reference, "{what}");
}

#[test]
fn fixtures_give_the_crates_units() {
    for codec in ["null", "deflate", "snappy", "zstandard", "bzip2", "xz"] {
        let name = format!("avro/customers_{codec}.avro");
        same_units(&fixture(&name), &name);
    }
}

#[test]
fn generated_files_give_the_crates_units() {
    let codecs = [
        Codec::Null,
        Codec::Deflate(Default::default()),
        Codec::Snappy,
        Codec::Zstandard(Default::default()),
        Codec::Bzip2(Default::default()),
        Codec::Xz(Default::default()),
    ];
    let mut units = 0;
    for seed in 0..120u64 {
        let mut generator = Generator {
            rng: fastrand::Rng::with_seed(seed),
            names: 0,
        };
        let json = generator.schema(0);
        let schema = Schema::parse(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
        let codec = codecs[seed as usize % codecs.len()];
        let mut writer = Writer::with_codec(&schema, Vec::new(), codec);
        for _ in 0..generator.rng.usize(1..300) {
            let value = generator.value(&schema);
            writer
                .append(value)
                .unwrap_or_else(|e| panic!("{json}: {e}"));
        }
        let file = writer.into_inner().expect("written");
        let seen = ours(&file);
        units += seen.len();
        same_units(&file, &format!("seed {seed}, {codec:?}, {json}"));
    }
    assert!(units > 10_000, "the files hold text: {units} units");
}

/// Random schemas and values that conform to them.
struct Generator {
    rng: fastrand::Rng,
    /// Named types made so far, for unique names.
    names: u32,
}

impl Generator {
    fn name(&mut self, prefix: &str) -> String {
        self.names += 1;
        format!("{prefix}{}", self.names)
    }

    /// A record schema, `depth` levels down.
    fn schema(&mut self, depth: u32) -> serde_json::Value {
        let fields: Vec<_> = (0..self.rng.usize(1..5))
            .map(|i| json!({"name": format!("f{i}_{}", self.rng.u8(..)), "type": self.any(depth + 1)}))
            .collect();
        json!({"type": "record", "name": self.name("R"), "fields": fields})
    }

    /// Any type, `depth` levels down.
    fn any(&mut self, depth: u32) -> serde_json::Value {
        let complex = if depth < 4 { 5 } else { 0 };
        match self.rng.usize(..10 + complex) {
            0 => json!("null"),
            1 => json!("boolean"),
            2 => json!("int"),
            3 => json!("long"),
            4 => json!("double"),
            5 | 6 => json!("string"),
            7 => json!("bytes"),
            8 => {
                json!({"type": "enum", "name": self.name("E"), "symbols": ["RED", "P_AB1234", "blue"]})
            }
            9 => json!({"type": "fixed", "name": self.name("F"), "size": self.rng.usize(0..12)}),
            10 => self.schema(depth),
            11 => json!({"type": "array", "items": self.any(depth + 1)}),
            12 => json!({"type": "map", "values": self.any(depth + 1)}),
            _ => {
                let other = loop {
                    let other = self.any(depth + 1);
                    if other != json!("null") && !other.is_array() {
                        break other;
                    }
                };
                json!(["null", other])
            }
        }
    }

    fn text(&mut self) -> String {
        const WORDS: [&str; 6] = ["", "a", "P-CD5678", "529.982.247-25", "rue é", "日本"];
        let n = self.rng.usize(0..3);
        (0..n)
            .map(|_| WORDS[self.rng.usize(..WORDS.len())])
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        if self.rng.bool() {
            (0..len).map(|_| self.rng.u8(b'a'..=b'z')).collect()
        } else {
            (0..len).map(|_| self.rng.u8(..)).collect()
        }
    }

    /// A value of `schema`.
    fn value(&mut self, schema: &Schema) -> Value {
        match schema {
            Schema::Null => Value::Null,
            Schema::Boolean => Value::Boolean(self.rng.bool()),
            Schema::Int => Value::Int(self.rng.i32(..)),
            Schema::Long => Value::Long(self.rng.i64(..)),
            Schema::Double => Value::Double(self.rng.f64()),
            Schema::String => Value::String(self.text()),
            Schema::Bytes => {
                let len = self.rng.usize(0..10);
                Value::Bytes(self.bytes(len))
            }
            Schema::Enum(e) => {
                let i = self.rng.usize(..e.symbols.len());
                Value::Enum(i as u32, e.symbols[i].clone())
            }
            Schema::Fixed(f) => Value::Fixed(f.size, self.bytes(f.size)),
            Schema::Array(a) => Value::Array(
                (0..self.rng.usize(0..4))
                    .map(|_| self.value(&a.items))
                    .collect(),
            ),
            Schema::Map(m) => Value::Map(
                (0..self.rng.usize(0..4))
                    .map(|i| (format!("k{i}"), self.value(&m.types)))
                    .collect(),
            ),
            Schema::Union(u) => {
                let i = self.rng.usize(..u.variants().len());
                Value::Union(i as u32, Box::new(self.value(&u.variants()[i])))
            }
            Schema::Record(r) => Value::Record(
                r.fields
                    .iter()
                    .map(|f| (f.name.clone(), self.value(&f.schema)))
                    .collect(),
            ),
            other => panic!("not generated: {other:?}"),
        }
    }
}
