//! The path of a value inside one record of a structured binary format (Parquet rows,
//! Avro records), kept as readers walk the record, and handed with each string value
//! as its place ([`UnitPlace::Record`], written as `jsonPath`) and its keyword context
//! (the field and column names on the path, as JSON keys are).

use ferret_identifiers::UnitContext;

use super::{ReadError, Sink, TextUnit, UnitPlace};
use crate::json_path::{JsonPath, Step};

/// Where a reader is inside the current record: the steps from the record's root and
/// the names among them.
#[derive(Debug)]
pub(crate) struct RecordPath {
    steps: Vec<Step>,
    keys: Vec<String>,
    /// Name buffers of left fields, reused so that walking allocates only while a
    /// record is deeper or its names longer than any before.
    spare: Vec<String>,
    /// The deepest path walked; deeper values fail the record.
    max_depth: usize,
}

impl RecordPath {
    pub(crate) fn new(max_depth: usize) -> Self {
        RecordPath {
            steps: Vec::new(),
            keys: Vec::new(),
            spare: Vec::new(),
            max_depth,
        }
    }

    /// Steps into the field, column or map key `name`.
    pub(crate) fn push_key(&mut self, name: &str) -> Result<(), ReadError> {
        self.check_depth()?;
        let mut key = self.spare.pop().unwrap_or_default();
        key.clear();
        key.push_str(name);
        self.keys.push(key);
        self.steps.push(Step::Key);
        Ok(())
    }

    /// Steps into element `index` (0-based) of a list.
    pub(crate) fn push_index(&mut self, index: u64) -> Result<(), ReadError> {
        self.check_depth()?;
        self.steps.push(Step::Index(index));
        Ok(())
    }

    /// Steps back out of the last field or element.
    pub(crate) fn pop(&mut self) {
        if let Some(Step::Key) = self.steps.pop() {
            if let Some(key) = self.keys.pop() {
                self.spare.push(key);
            }
        }
    }

    /// Hands the string value `text` at the current path of record `record` to `sink`.
    /// Empty values hold nothing to find and are not units.
    pub(crate) fn emit(&self, record: u64, text: &[u8], sink: &mut Sink<'_>) {
        if text.is_empty() {
            return;
        }
        sink.unit(TextUnit::whole(
            text,
            UnitPlace::Record {
                index: record,
                path: JsonPath::new(&self.steps, &self.keys),
            },
            UnitContext::JsonKeys(&self.keys),
        ));
    }

    fn check_depth(&self) -> Result<(), ReadError> {
        if self.steps.len() >= self.max_depth {
            return Err(ReadError::JsonNesting {
                limit: self.max_depth,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_placed_at_their_path_with_its_names_as_context() {
        let mut path = RecordPath::new(8);
        let mut seen = Vec::new();
        let mut sink = |unit: TextUnit<'_>| {
            let UnitPlace::Record { index, path } = unit.place else {
                panic!("a record");
            };
            let UnitContext::JsonKeys(keys) = unit.context else {
                panic!("keys");
            };
            seen.push((index, path.to_macie(), keys.to_vec()));
        };
        path.push_key("address").expect("shallow");
        path.push_key("street").expect("shallow");
        path.emit(3, b"rue X", &mut sink);
        path.pop();
        path.pop();
        path.push_key("tags").expect("shallow");
        path.push_index(2).expect("shallow");
        path.emit(4, b"t", &mut sink);
        path.emit(4, b"", &mut sink);
        assert_eq!(
            seen,
            [
                (
                    3,
                    "$.address.street".to_owned(),
                    vec!["address".to_owned(), "street".to_owned()]
                ),
                (4, "$.tags[2]".to_owned(), vec!["tags".to_owned()]),
            ]
        );
    }

    #[test]
    fn paths_deeper_than_the_limit_fail() {
        let mut path = RecordPath::new(2);
        path.push_key("a").expect("shallow");
        path.push_index(0).expect("shallow");
        assert!(matches!(
            path.push_key("b"),
            Err(ReadError::JsonNesting { limit: 2 })
        ));
    }
}

/// What the Parquet and Avro reader tests see of each unit.
#[cfg(test)]
pub(crate) mod seen {
    use super::super::{TextUnit, UnitPlace};
    use ferret_identifiers::UnitContext;

    /// `(recordIndex, jsonPath, text, keys)` of a record unit.
    pub(crate) type Seen = (u64, String, String, Vec<String>);

    /// Collects `(recordIndex, jsonPath, text, keys)` of every unit into `out`.
    pub(crate) fn collect(out: &mut Vec<Seen>) -> impl FnMut(TextUnit<'_>) + '_ {
        |unit: TextUnit<'_>| {
            let UnitPlace::Record { index, path } = unit.place else {
                panic!("a record unit");
            };
            let UnitContext::JsonKeys(keys) = unit.context else {
                panic!("names as context");
            };
            out.push((
                index,
                path.to_macie(),
                String::from_utf8_lossy(unit.bytes).into_owned(),
                keys.to_vec(),
            ));
        }
    }

    /// The bytes of `tests/fixtures/<path>`.
    pub(crate) fn fixture(path: &str) -> Vec<u8> {
        let path = format!("{}/../tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }
}
