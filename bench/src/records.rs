//! The corpora of the matching-engine goals: the employee records as JSON Lines, and a
//! table of orders on which a regex engine with a literal-free pattern set is at its
//! fastest (few digit runs), so that a comparison with ripgrep is not flattered by the
//! corpus.

use std::io::{BufWriter, Write};
use std::path::Path;

use super::{
    create, date, employee_row, guid, prototype, siret, Rng, CITIES, DOMAINS, FIRST, HEADER, LAST,
};

/// The value a CSV cell written by [`employee_row`] holds: quotes removed, doubled
/// quotes made single.
fn unquote(cell: &str) -> String {
    match cell.strip_prefix('"').and_then(|c| c.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => cell.to_owned(),
    }
}

/// `text` as a JSON string.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The employee records of the CSV corpus (same seed, same draws), one JSON object a
/// line, keyed by the CSV's column names.
pub(crate) fn write_jsonl(path: &Path, size: u64, seed: u64) -> anyhow::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, create(path)?);
    let mut rng = Rng::new(seed);
    let mut written = 0u64;
    loop {
        let row = employee_row(&mut rng, false, b',');
        let fields: Vec<String> = HEADER
            .iter()
            .zip(&row)
            .map(|(key, cell)| format!("{}:{}", json_string(key), json_string(&unquote(cell))))
            .collect();
        let line = format!("{{{}}}\n", fields.join(","));
        if written + line.len() as u64 > size {
            break;
        }
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
    }
    out.flush()?;
    Ok(())
}

const STATUSES: &[&str] = &["shipped", "paid", "pending", "returned", "cancelled"];
const PRODUCTS: &[&str] = &[
    "desk lamp",
    "office chair",
    "monitor arm",
    "notebook set",
    "standing desk",
    "cable tray",
    "whiteboard",
    "headset",
];

const ORDER_HEADER: &str =
    "order_id,customer,email,city,order_date,reference,product,quantity,status,comment\n";

/// A table of orders: GUIDs, names, e-mails, ISO dates, short references (`R-4821`),
/// small quantities; a few percent of comments hold a SIRET or prototype value. Few
/// runs of three digits or more, so a DFA-based search spends little time in matches.
pub(crate) fn write_orders(path: &Path, size: u64, seed: u64) -> anyhow::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, create(path)?);
    let mut rng = Rng::new(seed);
    let mut written = ORDER_HEADER.len() as u64;
    out.write_all(ORDER_HEADER.as_bytes())?;
    loop {
        let first = rng.pick(FIRST);
        let last = rng.pick(LAST);
        let email = format!(
            "{}.{}@{}",
            super::ascii_slug(first),
            super::ascii_slug(last),
            rng.pick(DOMAINS)
        );
        let comment = match rng.below(100) {
            0 | 1 => format!("supplier siret {}", siret(&mut rng)),
            2 => format!("sample {}", prototype(&mut rng)),
            3..=20 => "gift wrap".to_owned(),
            _ => String::new(),
        };
        let line = format!(
            "{},{first} {last},{email},{},{},R-{},{},{},{},{comment}\n",
            guid(&mut rng),
            rng.pick(CITIES),
            date(&mut rng, 2015, 10),
            rng.below(10_000),
            rng.pick(PRODUCTS),
            1 + rng.below(9),
            rng.pick(STATUSES),
        );
        if written + line.len() as u64 > size {
            break;
        }
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
    }
    out.flush()?;
    Ok(())
}
