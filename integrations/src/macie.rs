//! Macie interop for custom data identifiers: `ferret identifiers import` reads Macie's
//! definitions (the JSON of `get-custom-data-identifier`, a
//! `create-custom-data-identifier --cli-input-json` file, a list of either, or a
//! CloudFormation template's `AWS::Macie::CustomDataIdentifier` resources in JSON or YAML)
//! into an identifier file; `ferret identifiers export` writes one back as Macie JSON or
//! a CloudFormation template.
//!
//! Each imported definition is checked twice. Against Macie's own rules: a definition
//! Macie would reject is still imported, with a warning naming the rule. Against
//! ferret's identifier file rules (the same loader `--identifiers` uses): a definition
//! ferret cannot run is refused, with the loader's reason.

use std::path::Path;

use ferret_identifiers::file::limits;
use ferret_identifiers::IdentifierFile;
use serde::Serialize;
use serde_json::{json, Map, Value};

/// A definition as read, before any check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Definition {
    pub name: String,
    pub description: Option<String>,
    pub regex: String,
    pub keywords: Vec<String>,
    pub ignore_words: Vec<String>,
    pub maximum_match_distance: Option<i64>,
    /// `(occurrencesThreshold, severity)`.
    pub severity_levels: Vec<(i64, String)>,
}

/// What an import made of the files.
#[derive(Debug, Default)]
pub struct Import {
    pub definitions: Vec<Definition>,
    /// `name: rule` for each definition Macie would reject, imported all the same.
    pub warnings: Vec<String>,
    /// `name: reason` for each definition refused.
    pub refused: Vec<String>,
}

/// A file that cannot be read as Macie definitions at all.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ImportError {
    pub path: String,
    pub message: String,
}

/// Reads every definition in `text` (the content of `path`).
pub fn read_definitions(
    path: &Path,
    text: &str,
) -> Result<Vec<Result<Definition, String>>, ImportError> {
    let fail = |message: String| ImportError {
        path: path.display().to_string(),
        message,
    };
    let value = match serde_json::from_str::<Value>(text) {
        Ok(value) => value,
        Err(json_error) => {
            let yaml: serde_norway::Value = serde_norway::from_str(text)
                .map_err(|e| fail(format!("neither JSON ({json_error}) nor YAML ({e})")))?;
            yaml_to_json(yaml)
        }
    };
    let entries: Vec<(Option<String>, Value)> = match value {
        Value::Array(items) => items.into_iter().map(|v| (None, v)).collect(),
        Value::Object(ref object) if object.contains_key("Resources") => {
            let resources = object
                .get("Resources")
                .and_then(Value::as_object)
                .ok_or_else(|| fail("Resources is not a map".to_owned()))?;
            let macie: Vec<_> = resources
                .iter()
                .filter(|(_, r)| {
                    r.get("Type").and_then(Value::as_str)
                        == Some("AWS::Macie::CustomDataIdentifier")
                })
                .map(|(id, r)| (Some(id.clone()), cfn_properties(r)))
                .collect();
            if macie.is_empty() {
                return Err(fail(
                    "the template has no AWS::Macie::CustomDataIdentifier resource".to_owned(),
                ));
            }
            macie
        }
        Value::Object(ref object) if object.contains_key("customDataIdentifiers") => object
            .get("customDataIdentifiers")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|v| (None, v))
            .collect(),
        other @ Value::Object(_) => vec![(None, other)],
        _ => {
            return Err(fail(
                "expected a definition, a list of them, or a CloudFormation template".to_owned(),
            ))
        }
    };
    if entries.is_empty() {
        return Err(fail("no definition found".to_owned()));
    }
    Ok(entries
        .into_iter()
        .map(|(logical_id, value)| {
            definition(&value).map_err(|e| match logical_id {
                Some(id) => format!("{id}: {e}"),
                None => e,
            })
        })
        .collect())
}

/// A CloudFormation resource's `Properties`, with its keys spelled as the API's
/// (`Name` -> `name`, `IgnoreWords` -> `ignoreWords`, ...).
fn cfn_properties(resource: &Value) -> Value {
    fn camel(value: &Value) -> Value {
        match value {
            Value::Object(object) => Value::Object(
                object
                    .iter()
                    .map(|(k, v)| {
                        let mut key = k.clone();
                        if !key.contains("::") && key != "Ref" {
                            if let Some(first) = key.get(..1) {
                                key = first.to_lowercase() + &key[1..];
                            }
                        }
                        (key, camel(v))
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(camel).collect()),
            other => other.clone(),
        }
    }
    resource
        .get("Properties")
        .map(camel)
        .unwrap_or(Value::Object(Map::new()))
}

/// One definition from its API-shaped JSON.
fn definition(value: &Value) -> Result<Definition, String> {
    let object = value.as_object().ok_or("a definition must be an object")?;
    let text = |key: &str| -> Result<Option<String>, String> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(not_literal(key, other)),
        }
    };
    let words = |key: &str| -> Result<Vec<String>, String> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| {
                    item.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| not_literal(key, item))
                })
                .collect(),
            Some(other) => Err(not_literal(key, other)),
        }
    };
    let name = text("name")?.ok_or("no name")?;
    let regex = text("regex")?.ok_or_else(|| format!("{name}: no regex"))?;
    let maximum_match_distance = match object.get("maximumMatchDistance") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => Some(
            s.parse()
                .map_err(|_| format!("{name}: maximumMatchDistance {s:?} is not a number"))?,
        ),
        Some(other) => {
            return Err(format!(
                "{name}: {}",
                not_literal("maximumMatchDistance", other)
            ))
        }
    };
    let mut severity_levels = Vec::new();
    if let Some(levels) = object.get("severityLevels").filter(|v| !v.is_null()) {
        let levels = levels
            .as_array()
            .ok_or_else(|| format!("{name}: severityLevels is not a list"))?;
        for level in levels {
            let threshold = level
                .get("occurrencesThreshold")
                .and_then(|t| {
                    t.as_i64()
                        .or_else(|| t.as_str().and_then(|s| s.parse().ok()))
                })
                .ok_or_else(|| {
                    format!("{name}: a severity level without a numeric occurrencesThreshold")
                })?;
            let severity = level
                .get("severity")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{name}: a severity level without a severity"))?;
            severity_levels.push((threshold, severity.to_owned()));
        }
    }
    Ok(Definition {
        description: text("description").map_err(|e| format!("{name}: {e}"))?,
        keywords: words("keywords").map_err(|e| format!("{name}: {e}"))?,
        ignore_words: words("ignoreWords").map_err(|e| format!("{name}: {e}"))?,
        name,
        regex,
        maximum_match_distance,
        severity_levels,
    })
}

fn not_literal(key: &str, value: &Value) -> String {
    match value.as_object().and_then(|o| o.keys().next()) {
        Some(function) => format!(
            "{key} is computed by {function}; ferret needs the literal value (resolve the template first)"
        ),
        None => format!("{key} has an unexpected type"),
    }
}

/// YAML as JSON, CloudFormation's short-form tags (`!Ref X`, `!Sub s`, `!GetAtt a.b`)
/// spelled in their long form (`{"Ref": X}`, `{"Fn::Sub": s}`, ...).
fn yaml_to_json(value: serde_norway::Value) -> Value {
    use serde_norway::Value as Y;
    match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => n
            .as_i64()
            .map(Value::from)
            .or_else(|| n.as_u64().map(Value::from))
            .or_else(|| n.as_f64().map(Value::from))
            .unwrap_or(Value::Null),
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        other => serde_norway::to_string(&other)
                            .unwrap_or_default()
                            .trim()
                            .to_owned(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let function = tag.trim_start_matches('!');
            let key = if function == "Ref" || function == "Condition" {
                function.to_owned()
            } else {
                format!("Fn::{function}")
            };
            let mut object = Map::new();
            object.insert(key, yaml_to_json(tagged.value));
            Value::Object(object)
        }
    }
}

/// The rules Macie's CreateCustomDataIdentifier enforces that `definition` breaks.
pub fn macie_rule_breaks(definition: &Definition) -> Vec<String> {
    let chars = |s: &str| s.chars().count();
    let mut broken = Vec::new();
    if chars(&definition.name) > limits::NAME_CHARS {
        broken.push(format!("name: at most {} characters", limits::NAME_CHARS));
    }
    if definition
        .description
        .as_deref()
        .is_some_and(|d| chars(d) > limits::DESCRIPTION_CHARS)
    {
        broken.push(format!(
            "description: at most {} characters",
            limits::DESCRIPTION_CHARS
        ));
    }
    if chars(&definition.regex) > limits::REGEX_CHARS {
        broken.push(format!("regex: at most {} characters", limits::REGEX_CHARS));
    }
    if definition.keywords.len() > limits::KEYWORDS {
        broken.push(format!("keywords: at most {}", limits::KEYWORDS));
    }
    let (low, high) = limits::KEYWORD_CHARS;
    if definition
        .keywords
        .iter()
        .any(|k| !(low..=high).contains(&chars(k)))
    {
        broken.push(format!("keywords: each {low}-{high} characters"));
    }
    if definition.ignore_words.len() > limits::IGNORE_WORDS {
        broken.push(format!("ignoreWords: at most {}", limits::IGNORE_WORDS));
    }
    let (low, high) = limits::IGNORE_WORD_CHARS;
    if definition
        .ignore_words
        .iter()
        .any(|w| !(low..=high).contains(&chars(w)))
    {
        broken.push(format!("ignoreWords: each {low}-{high} characters"));
    }
    let (low, high) = limits::MATCH_DISTANCE;
    if definition
        .maximum_match_distance
        .is_some_and(|d| d < i64::from(low) || d > i64::from(high))
    {
        broken.push(format!("maximumMatchDistance: {low}-{high}"));
    }
    if definition.severity_levels.len() > limits::SEVERITY_LEVELS {
        broken.push(format!(
            "severityLevels: at most {}",
            limits::SEVERITY_LEVELS
        ));
    }
    let mut severities: Vec<&str> = definition
        .severity_levels
        .iter()
        .map(|(_, s)| s.as_str())
        .collect();
    severities.sort_unstable();
    severities.dedup();
    if severities.len() < definition.severity_levels.len() {
        broken.push("severityLevels: each severity once".to_owned());
    }
    let mut thresholds: Vec<i64> = definition.severity_levels.iter().map(|(t, _)| *t).collect();
    thresholds.sort_unstable();
    thresholds.dedup();
    if thresholds.len() < definition.severity_levels.len() {
        broken.push("severityLevels: each occurrencesThreshold once".to_owned());
    }
    broken
}

/// The identifier file entry for `definition`, as TOML.
#[derive(Serialize)]
struct TomlIdentifier<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    regex: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    keywords: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    ignore_words: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    maximum_match_distance: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    severity_levels: Vec<TomlLevel<'a>>,
}

#[derive(Serialize)]
struct TomlLevel<'a> {
    occurrences_threshold: i64,
    severity: &'a str,
}

#[derive(Serialize)]
struct TomlFile<'a> {
    identifier: Vec<TomlIdentifier<'a>>,
}

/// Writes `definitions` as an identifier file.
pub fn to_toml(definitions: &[Definition]) -> Result<String, String> {
    let file = TomlFile {
        identifier: definitions
            .iter()
            .map(|d| TomlIdentifier {
                name: &d.name,
                description: d.description.as_deref(),
                regex: &d.regex,
                keywords: &d.keywords,
                ignore_words: &d.ignore_words,
                maximum_match_distance: d.maximum_match_distance,
                severity_levels: d
                    .severity_levels
                    .iter()
                    .map(|(t, s)| TomlLevel {
                        occurrences_threshold: *t,
                        severity: s,
                    })
                    .collect(),
            })
            .collect(),
    };
    toml::to_string(&file).map_err(|e| e.to_string())
}

/// Imports every definition of `files` (`(path, text)`): checks each against Macie's
/// rules (warnings) and ferret's loader (refusals).
pub fn import(files: &[(&Path, &str)]) -> Result<Import, ImportError> {
    let mut import = Import::default();
    for (path, text) in files {
        for read in read_definitions(path, text)? {
            let definition = match read {
                Ok(definition) => definition,
                Err(reason) => {
                    import.refused.push(reason);
                    continue;
                }
            };
            if import.definitions.iter().any(|d| d.name == definition.name) {
                import.refused.push(format!(
                    "{}: a definition of this name was already imported",
                    definition.name
                ));
                continue;
            }
            for rule in macie_rule_breaks(&definition) {
                import.warnings.push(format!(
                    "{}: Macie would reject it ({rule})",
                    definition.name
                ));
            }
            let alone =
                to_toml(std::slice::from_ref(&definition)).map_err(|message| ImportError {
                    path: path.display().to_string(),
                    message,
                })?;
            match IdentifierFile::parse(Path::new(&definition.name), &alone) {
                Ok(_) => import.definitions.push(definition),
                Err(error) => import.refused.push(format!(
                    "{}: {}",
                    definition.name,
                    error
                        .problems
                        .iter()
                        .map(|p| p.kind.to_string())
                        .collect::<Vec<_>>()
                        .join("; ")
                )),
            }
        }
    }
    Ok(import)
}

/// The definitions of an identifier file, as Macie takes them; with a warning for each
/// setting Macie has no place for (validators, allow lists).
pub fn export_definitions(file: &IdentifierFile) -> (Vec<Value>, Vec<String>) {
    let mut warnings = Vec::new();
    let definitions = file
        .identifiers
        .iter()
        .map(|identifier| {
            if let Some(validator) = identifier.validator {
                warnings.push(format!(
                    "{}: validator {} has no Macie equivalent; not exported",
                    identifier.name,
                    validator.name()
                ));
            }
            let mut definition = json!({
                "name": identifier.name,
                "regex": identifier.pattern.source(),
                "maximumMatchDistance": identifier.maximum_match_distance,
            });
            if let Some(description) = &identifier.description {
                definition["description"] = json!(description);
            }
            if !identifier.keywords.is_empty() {
                definition["keywords"] = json!(identifier.keywords);
            }
            if !identifier.ignore_words.is_empty() {
                definition["ignoreWords"] = json!(identifier.ignore_words);
            }
            let levels = identifier.severity_levels.levels();
            if !levels.is_empty() {
                definition["severityLevels"] = Value::Array(
                    levels
                        .iter()
                        .map(|l| json!({"occurrencesThreshold": l.occurrences_threshold, "severity": l.severity.as_str()}))
                        .collect(),
                );
            }
            definition
        })
        .collect();
    for list in &file.allow_lists {
        warnings.push(format!(
            "allow list {}: Macie keeps allow lists apart (CreateAllowList); not exported",
            list.name
        ));
    }
    (definitions, warnings)
}

/// A CloudFormation template with one `AWS::Macie::CustomDataIdentifier` per definition.
pub fn cloudformation(definitions: &[Value]) -> Value {
    let mut resources = Map::new();
    for (index, definition) in definitions.iter().enumerate() {
        let name = definition["name"].as_str().unwrap_or_default();
        let mut id: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
        if id.is_empty() || resources.contains_key(&format!("{id}Identifier")) {
            id = format!("{id}{}", index + 1);
        }
        let mut properties = Map::new();
        if let Some(object) = definition.as_object() {
            for (key, value) in object {
                let mut pascal = key.clone();
                if let Some(first) = pascal.get(..1) {
                    pascal = first.to_uppercase() + &pascal[1..];
                }
                let value = match value {
                    Value::Array(levels) if key == "severityLevels" => Value::Array(
                        levels
                            .iter()
                            .map(|l| json!({"OccurrencesThreshold": l["occurrencesThreshold"], "Severity": l["severity"]}))
                            .collect(),
                    ),
                    other => other.clone(),
                };
                properties.insert(pascal, value);
            }
        }
        resources.insert(
            format!("{id}Identifier"),
            json!({"Type": "AWS::Macie::CustomDataIdentifier", "Properties": properties}),
        );
    }
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Custom data identifiers exported by ferret",
        "Resources": resources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_form_tags_read_as_their_long_form_and_are_refused_as_computed() {
        let yaml = "Resources:\n  Id:\n    Type: AWS::Macie::CustomDataIdentifier\n    Properties:\n      Name: !Ref IdName\n      Regex: 'x\\d+'\n";
        let read = read_definitions(Path::new("t.yaml"), yaml).expect("a template");
        assert_eq!(read.len(), 1);
        let error = read[0].clone().expect_err("computed name");
        assert!(error.contains("name is computed by Ref"), "{error}");
    }

    #[test]
    fn macie_rules_are_named() {
        let definition = Definition {
            name: "x".to_owned(),
            regex: "a".to_owned(),
            keywords: vec!["ab".to_owned()],
            severity_levels: vec![(1, "LOW".to_owned()), (1, "HIGH".to_owned())],
            ..Definition::default()
        };
        let broken = macie_rule_breaks(&definition);
        assert!(
            broken.contains(&"keywords: each 3-90 characters".to_owned()),
            "{broken:?}"
        );
        assert!(broken.contains(&"severityLevels: each occurrencesThreshold once".to_owned()));
    }
}
