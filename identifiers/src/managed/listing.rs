//! The catalogue as readers see it: the table of `docs/managed-identifiers.md` and the
//! fields of `ferret identifiers list`, both drawn from [`MANAGED_IDENTIFIERS`] so that
//! neither can drift from the code.

use super::{ManagedIdentifier, MANAGED_IDENTIFIERS};

impl ManagedIdentifier {
    /// The countries as listed: ISO codes joined by `, `, or `any`.
    pub fn countries_text(&self) -> String {
        if self.countries.is_empty() {
            "any".to_owned()
        } else {
            self.countries.join(", ")
        }
    }

    /// The category as listed, with Macie's PHI/PII subdivision of personal data.
    pub fn category_text(&self) -> String {
        match self.page.subcategory() {
            "" => self.category.as_str().to_owned(),
            sub => format!("{} ({sub})", self.category.as_str()),
        }
    }

    /// The check as listed: its name, or `-`.
    pub fn check_text(&self) -> &'static str {
        self.check.map_or("-", |check| check.name())
    }

    /// The check of the domestic form as listed, for a type that has one: its
    /// validator's name, or `format` when the pattern's structure is the only check.
    pub fn domestic_check_text(&self) -> Option<&'static str> {
        self.domestic()
            .map(|form| form.check.map_or("format", |check| check.name()))
    }

    /// The severity scoring as listed: for 1, 2-99 and 100+ occurrences.
    pub fn scoring_text(&self) -> String {
        self.severity_scoring().map(|s| s.description()).join(" / ")
    }
}

/// The catalogue as a Markdown table, one row per type, in table order.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| ID | category | countries | keywords | check | severity (1 / 2-99 / 100+) | recommended | origin |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for row in MANAGED_IDENTIFIERS {
        let mut keywords = words_text(row.keywords.rule(), row.keywords.words());
        let mut check = match row.check_text() {
            "-" => "-".to_owned(),
            name => format!("`{name}`"),
        };
        if let (Some(form), Some(domestic_check)) = (row.domestic(), row.domestic_check_text()) {
            keywords = format!(
                "IBAN: {keywords}; BBAN: {}",
                words_text("required", form.keywords)
            );
            check = match domestic_check {
                "format" => format!("IBAN: {check}; BBAN: format"),
                name => format!("IBAN: {check}; BBAN: `{name}`"),
            };
        }
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {} |\n",
            row.type_name,
            row.category_text(),
            row.countries_text(),
            keywords,
            check,
            row.scoring_text(),
            if row.recommended { "yes" } else { "no" },
            row.origin.as_str(),
        ));
    }
    out
}

/// A keyword rule as the table lists it: the rule, how many words and the first three.
fn words_text(rule: &str, words: &[&str]) -> String {
    match words.len() {
        0 => "none".to_owned(),
        n => format!(
            "{rule} ({n}: {}{})",
            words
                .iter()
                .take(3)
                .map(|w| format!("`{}`", w.replace('|', "\\|")))
                .collect::<Vec<_>>()
                .join(", "),
            if n > 3 { ", ..." } else { "" }
        ),
    }
}
