//! A file's schema, as apache-avro parsed it, compiled into what decoding its binary
//! encoding needs: one node per type, named types referred to by index (so recursive
//! schemas are finite), and for each node whether any value of it can hold text.
//!
//! Which values are text follows the crate's reading of the schema (its logical types
//! included): strings and enum symbols are text; bytes and fixed values are text when
//! they are UTF-8; numbers, dates, times, decimals, UUIDs and durations are not.

use std::collections::HashMap;

use apache_avro::schema::{Name, Namespace, RecordSchema};
use apache_avro::Schema;

use super::AvroError;

/// Index of a node in its [`Plan`].
pub(super) type NodeId = usize;

/// How one type is encoded, and what of it is text.
#[derive(Debug)]
pub(super) enum Node {
    /// Encodes nothing.
    Null,
    /// One byte, 0 or 1.
    Boolean,
    /// A zigzag varint (int, long, and the dates and times written as them).
    Varint,
    /// So many bytes that are not text (float, double, duration, a decimal's fixed).
    Width(usize),
    /// A length and so many bytes that are not text (decimal, big decimal, UUID).
    NotText,
    /// A string: text, decoded lossily when it is not UTF-8.
    String,
    /// Bytes: text when they are UTF-8.
    Bytes,
    /// A fixed value of this width: text when it is UTF-8.
    Fixed(usize),
    /// An enum: its symbol is text.
    Enum(Vec<String>),
    Array(NodeId),
    Map(NodeId),
    Union(Vec<NodeId>),
    /// A record's fields, each a name and its type.
    Record(Vec<(String, NodeId)>),
}

/// A compiled schema.
#[derive(Debug)]
pub(super) struct Plan {
    nodes: Vec<Node>,
    /// `text[n]`: some value of node `n` holds text (a unit).
    text: Vec<bool>,
    /// `empty[n]`: every value of node `n` encodes in no bytes at all (null, fixed of
    /// width 0, records of those), so that a count of them costs no input.
    empty: Vec<bool>,
    root: NodeId,
}

impl Plan {
    /// Compiles `schema`, the file's writer schema.
    pub(super) fn compile(schema: &Schema) -> Result<Self, AvroError> {
        let mut compiler = Compiler {
            nodes: Vec::new(),
            named: HashMap::new(),
        };
        let root = compiler.node(schema, &None)?;
        let nodes = compiler.nodes;
        let text = fixed_point(&nodes, |node, text| match node {
            Node::String | Node::Bytes | Node::Enum(_) => true,
            Node::Fixed(width) => *width > 0,
            Node::Array(item) | Node::Map(item) => text[*item],
            Node::Union(variants) => variants.iter().any(|v| text[*v]),
            Node::Record(fields) => fields.iter().any(|(_, f)| text[*f]),
            _ => false,
        });
        let empty = fixed_point(&nodes, |node, empty| match node {
            Node::Null => true,
            Node::Width(width) | Node::Fixed(width) => *width == 0,
            Node::Record(fields) => fields.iter().all(|(_, f)| empty[*f]),
            _ => false,
        });
        Ok(Plan {
            nodes,
            text,
            empty,
            root,
        })
    }

    pub(super) fn root(&self) -> NodeId {
        self.root
    }

    pub(super) fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// Whether some value of `id` holds text.
    pub(super) fn has_text(&self, id: NodeId) -> bool {
        self.text[id]
    }

    /// Whether every value of `id` encodes in no bytes.
    pub(super) fn is_empty(&self, id: NodeId) -> bool {
        self.empty[id]
    }
}

/// The least fixed point of a property over the nodes: false everywhere, then set
/// wherever `holds` says so given the current values, until nothing changes. Recursive
/// types converge because a property is only ever set, never cleared.
fn fixed_point(nodes: &[Node], holds: impl Fn(&Node, &[bool]) -> bool) -> Vec<bool> {
    let mut values = vec![false; nodes.len()];
    loop {
        let mut changed = false;
        for (id, node) in nodes.iter().enumerate() {
            if !values[id] && holds(node, &values) {
                values[id] = true;
                changed = true;
            }
        }
        if !changed {
            return values;
        }
    }
}

struct Compiler {
    nodes: Vec<Node>,
    /// Named types (records, enums, fixed) by full name, as they are defined.
    named: HashMap<Name, NodeId>,
}

impl Compiler {
    fn push(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    /// The node of `schema`, whose names are relative to `namespace`.
    fn node(&mut self, schema: &Schema, namespace: &Namespace) -> Result<NodeId, AvroError> {
        let node = match schema {
            Schema::Null => Node::Null,
            Schema::Boolean => Node::Boolean,
            Schema::Int
            | Schema::Long
            | Schema::Date
            | Schema::TimeMillis
            | Schema::TimeMicros
            | Schema::TimestampMillis
            | Schema::TimestampMicros
            | Schema::TimestampNanos
            | Schema::LocalTimestampMillis
            | Schema::LocalTimestampMicros
            | Schema::LocalTimestampNanos => Node::Varint,
            Schema::Float => Node::Width(4),
            Schema::Double => Node::Width(8),
            Schema::Duration => Node::Width(12),
            Schema::String => Node::String,
            Schema::Bytes => Node::Bytes,
            // The crate reads a UUID as a length and bytes, whatever its base type.
            Schema::Uuid | Schema::BigDecimal => Node::NotText,
            Schema::Decimal(decimal) => match decimal.inner.as_ref() {
                Schema::Fixed(fixed) => Node::Width(fixed.size),
                _ => Node::NotText,
            },
            Schema::Fixed(fixed) => {
                let id = self.push(Node::Fixed(fixed.size));
                self.named
                    .insert(fixed.name.fully_qualified_name(namespace), id);
                return Ok(id);
            }
            Schema::Enum(enumeration) => {
                let id = self.push(Node::Enum(enumeration.symbols.clone()));
                self.named
                    .insert(enumeration.name.fully_qualified_name(namespace), id);
                return Ok(id);
            }
            Schema::Record(record) => return self.record(record, namespace),
            Schema::Array(array) => {
                let items = self.node(&array.items, namespace)?;
                Node::Array(items)
            }
            Schema::Map(map) => {
                let values = self.node(&map.types, namespace)?;
                Node::Map(values)
            }
            Schema::Union(union) => {
                let variants = union
                    .variants()
                    .iter()
                    .map(|variant| self.node(variant, namespace))
                    .collect::<Result<_, _>>()?;
                Node::Union(variants)
            }
            Schema::Ref { name } => {
                let full = name.fully_qualified_name(namespace);
                return self
                    .named
                    .get(&full)
                    .copied()
                    .ok_or_else(|| AvroError::Schema(format!("unknown type {}", full.name)));
            }
        };
        Ok(self.push(node))
    }

    /// A record: its node exists (and its name is known) before its fields are
    /// compiled, so that a field may refer to the record itself.
    fn record(
        &mut self,
        record: &RecordSchema,
        namespace: &Namespace,
    ) -> Result<NodeId, AvroError> {
        let full = record.name.fully_qualified_name(namespace);
        let id = self.push(Node::Record(Vec::new()));
        self.named.insert(full.clone(), id);
        let fields = record
            .fields
            .iter()
            .map(|field| {
                Ok((
                    field.name.clone(),
                    self.node(&field.schema, &full.namespace)?,
                ))
            })
            .collect::<Result<Vec<_>, AvroError>>()?;
        self.nodes[id] = Node::Record(fields);
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(json: &str) -> Plan {
        Plan::compile(&Schema::parse_str(json).expect("schema")).expect("plan")
    }

    #[test]
    fn recursive_records_are_finite_and_know_where_text_is() {
        let plan = plan(
            r#"{"type": "record", "name": "Node", "namespace": "n", "fields": [
                {"name": "value", "type": "long"},
                {"name": "next", "type": ["null", "Node"]},
                {"name": "nothing", "type": {"type": "record", "name": "Nil",
                    "fields": [{"name": "a", "type": "null"}]}}]}"#,
        );
        let Node::Record(fields) = plan.node(plan.root()) else {
            panic!("a record");
        };
        let Node::Union(variants) = plan.node(fields[1].1) else {
            panic!("a union");
        };
        assert_eq!(
            variants[1],
            plan.root(),
            "the reference is the record itself"
        );
        assert!(!plan.has_text(plan.root()), "longs only");
        assert!(!plan.is_empty(plan.root()));
        assert!(plan.is_empty(fields[2].1));
        let plan = self::plan(
            r#"{"type": "record", "name": "T", "fields": [
                {"name": "children", "type": {"type": "array", "items": "T"}},
                {"name": "label", "type": ["null", "string"]}]}"#,
        );
        assert!(plan.has_text(plan.root()));
    }

    #[test]
    fn logical_types_are_not_text() {
        let plan = plan(
            r#"{"type": "record", "name": "L", "fields": [
                {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
                {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal",
                    "precision": 9, "scale": 2}},
                {"name": "day", "type": {"type": "int", "logicalType": "date"}}]}"#,
        );
        assert!(!plan.has_text(plan.root()));
    }
}
