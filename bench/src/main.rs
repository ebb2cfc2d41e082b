//! `ferret-bench`: the deterministic corpora behind `scripts/bench`, the XLSX peer, and
//! the batch goal's measurement on moto server ([`batch`]).
//!
//! Every corpus comes from a seeded generator (`fastrand`'s, at the version the lock
//! file pins), drawing only `u64`s, so the same flags write the same bytes on any
//! machine: the figures of two runs are comparable. The data is made
//! up (names from short invented lists, addresses under `example.com`, numbers from the
//! generator); the check digits of SIRET and CPF values are computed so that managed
//! identifiers with validators find real work to do.

mod batch;
mod records;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Benchmark corpora for ferret, and the calamine peer reader")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// A CSV of employee records (GUIDs, names, e-mails, dates; a few percent of rows
    /// hold SIRET, CPF or prototype values, some in quoted cells).
    Csv {
        /// Size to write: bytes, or with a K/M/G suffix (binary units).
        #[arg(long, default_value = "256M")]
        size: String,
        #[arg(long, default_value_t = 20200403)]
        seed: u64,
        /// Put a sensitive value in every row instead of a few percent.
        #[arg(long)]
        dense: bool,
        /// Write tab-separated values instead.
        #[arg(long)]
        tsv: bool,
        #[arg(long)]
        out: PathBuf,
    },
    /// Plain text: prose lines with the same sensitive values now and then.
    Text {
        #[arg(long, default_value = "64M")]
        size: String,
        #[arg(long, default_value_t = 20200403)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// The employee records of `csv`, one JSON object a line.
    Jsonl {
        #[arg(long, default_value = "64M")]
        size: String,
        #[arg(long, default_value_t = 20200403)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// A CSV of orders with few digit runs (GUIDs, names, e-mails, ISO dates, short
    /// references); a few percent of rows hold a SIRET or prototype value.
    Orders {
        #[arg(long, default_value = "256M")]
        size: String,
        #[arg(long, default_value_t = 20200403)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// A workbook with one sheet of employee records; prints the number of cells.
    Xlsx {
        #[arg(long, default_value_t = 200_000)]
        rows: u64,
        #[arg(long, default_value_t = 20200403)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Many CSV files of one size each (seeds seed, seed+1, ...).
    Many {
        #[arg(long, default_value_t = 64)]
        files: u64,
        #[arg(long, default_value = "4M")]
        size: String,
        #[arg(long, default_value_t = 20200403)]
        seed: u64,
        #[arg(long)]
        dir: PathBuf,
    },
    /// The peer: reads every cell of every sheet with calamine's streaming cell reader
    /// and prints the number of non-empty cells.
    CalamineCells { path: PathBuf },
    /// The Avro peer: decodes every record of an object container file with
    /// apache-avro, matching nothing, and prints the number of records: the floor a
    /// scan of the same file cannot go below.
    AvroDecode { path: PathBuf },
    /// The batch goal: a pipeline batch on a moto server (started from the project's
    /// .venv) against the minimal request sequence on the same server; prints both
    /// times, the ratio and the requests per object.
    Batch {
        #[arg(long, default_value_t = 300)]
        objects: usize,
        /// Runs of each side (alternated); the best of each is kept.
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Csv {
            size,
            seed,
            dense,
            tsv,
            out,
        } => {
            let delimiter = if tsv { b'\t' } else { b',' };
            write_csv(&out, parse_size(&size)?, seed, dense, delimiter)
        }
        Command::Text { size, seed, out } => write_text(&out, parse_size(&size)?, seed),
        Command::Jsonl { size, seed, out } => records::write_jsonl(&out, parse_size(&size)?, seed),
        Command::Orders { size, seed, out } => {
            records::write_orders(&out, parse_size(&size)?, seed)
        }
        Command::Xlsx { rows, seed, out } => {
            let cells = write_xlsx(&out, rows, seed)?;
            println!("{cells}");
            Ok(())
        }
        Command::Many {
            files,
            size,
            seed,
            dir,
        } => {
            std::fs::create_dir_all(&dir).with_context(|| format!("{}", dir.display()))?;
            let size = parse_size(&size)?;
            for n in 0..files {
                let path = dir.join(format!("part-{n:04}.csv"));
                write_csv(&path, size, seed + n, false, b',')?;
            }
            Ok(())
        }
        Command::CalamineCells { path } => {
            println!("{}", calamine_cells(&path)?);
            Ok(())
        }
        Command::AvroDecode { path } => {
            println!("{}", avro_decode(&path)?);
            Ok(())
        }
        Command::Batch { objects, runs } => batch::run(objects, runs),
    }
}

/// `256M`, `1G`, `4096`: binary units.
fn parse_size(text: &str) -> anyhow::Result<u64> {
    let text = text.trim();
    let (digits, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, ""),
    };
    let n: u64 = digits.parse().with_context(|| format!("size {text:?}"))?;
    let shift = match unit
        .to_ascii_uppercase()
        .trim_end_matches("IB")
        .trim_end_matches('B')
    {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        other => bail!("unknown size unit {other:?}"),
    };
    Ok(n << shift)
}

/// The corpus generator: the draws the corpora make, over a seeded `fastrand`
/// generator. Every draw is a `u64` (a `usize` draw would depend on the word size).
struct Rng(fastrand::Rng);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(fastrand::Rng::with_seed(seed))
    }

    fn next(&mut self) -> u64 {
        self.0.u64(..)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0.u64(..n)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    fn digits(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.below(10) as u8).collect()
    }
}

const FIRST: &[&str] = &[
    "Camille", "Hélène", "Julien", "Mathilde", "Théo", "Léa", "Noémie", "Baptiste", "João", "Ana",
    "Luíza", "Thiago", "Mariana", "Gonçalo", "Beatriz", "Caio", "Letícia", "Rafael",
];
const LAST: &[&str] = &[
    "Dufresnel",
    "Marchetier",
    "Lavoisard",
    "Bérangeot",
    "Courtillon",
    "Fauvergne",
    "Rocheval",
    "Tessandier",
    "Aranhedo",
    "Quintelha",
    "Barbosim",
    "Mourãoval",
    "Tavarinho",
    "Sampaiel",
    "Conceidão",
    "Ribeirada",
];
const DEPARTMENTS: &[&str] = &[
    "Finance",
    "Engineering",
    "Sales",
    "Legal",
    "Operations",
    "Research",
    "Support",
    "Marketing",
];
const CITIES: &[&str] = &[
    "Lyon",
    "Nantes",
    "Bordeaux",
    "São Paulo",
    "Campinas",
    "Belo Horizonte",
    "Curitiba",
    "Recife",
];
const DOMAINS: &[&str] = &["example.com", "example.fr", "example.com.br", "example.org"];
const NOTES: &[&str] = &[
    "",
    "",
    "",
    "remote",
    "part time",
    "on leave until March",
    "badge renewed",
    "mentor for new hires",
];

/// Lower-case ASCII for e-mail local parts: accents dropped.
fn ascii_slug(name: &str) -> String {
    name.chars()
        .filter_map(|c| {
            let plain = match c {
                'á' | 'à' | 'â' | 'ã' => 'a',
                'é' | 'è' | 'ê' => 'e',
                'í' => 'i',
                'ó' | 'ô' | 'õ' => 'o',
                'ú' => 'u',
                'ç' => 'c',
                c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
                _ => return None,
            };
            Some(plain)
        })
        .collect()
}

fn guid(rng: &mut Rng) -> String {
    let a = rng.next();
    let b = rng.next();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

fn date(rng: &mut Rng, from_year: u64, years: u64) -> String {
    format!(
        "{}-{:02}-{:02}",
        from_year + rng.below(years),
        1 + rng.below(12),
        1 + rng.below(28)
    )
}

/// The Luhn check digit that completes `payload`.
fn luhn_digit(payload: &[u8]) -> u8 {
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 0 {
                let twice = d * 2;
                if twice > 9 {
                    twice - 9
                } else {
                    twice
                }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

fn text_of(digits: &[u8]) -> String {
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

/// A SIRET-NIC `ddd ddd ddd-ddddd` whose SIREN and SIRET pass Luhn.
fn siret(rng: &mut Rng) -> String {
    let mut siren = rng.digits(8);
    siren[0] = 1 + rng.below(9) as u8;
    siren.push(luhn_digit(&siren));
    let mut full = siren.clone();
    full.extend(rng.digits(4));
    full.push(luhn_digit(&full));
    let s = text_of(&full);
    if rng.below(2) == 0 {
        format!("{} {} {}-{}", &s[0..3], &s[3..6], &s[6..9], &s[9..14])
    } else {
        format!("{}-{}", &s[0..9], &s[9..14])
    }
}

/// A CPF `ddd.ddd.ddd-dd` with correct check digits.
fn cpf(rng: &mut Rng) -> String {
    let mut digits = rng.digits(9);
    digits[0] = 1 + rng.below(9) as u8;
    for first_weight in [10u32, 11] {
        let sum: u32 = digits
            .iter()
            .zip((2..=first_weight).rev())
            .map(|(&d, w)| u32::from(d) * w)
            .sum();
        let r = sum * 10 % 11;
        digits.push(if r == 10 { 0 } else { r as u8 });
    }
    let s = text_of(&digits);
    format!("{}.{}.{}-{}", &s[0..3], &s[3..6], &s[6..9], &s[9..11])
}

fn prototype(rng: &mut Rng) -> String {
    let a = char::from(b'A' + rng.below(26) as u8);
    let b = char::from(b'A' + rng.below(26) as u8);
    format!("P-{a}{b}{:04}", rng.below(10_000))
}

/// A notes cell that holds a sensitive value, sometimes quoted (with a delimiter or an
/// escaped quote inside) so that the CSV quoting rules are exercised too.
fn sensitive_note(rng: &mut Rng, delimiter: u8) -> String {
    let sep = char::from(delimiter);
    match rng.below(8) {
        0 => format!("siret {}", siret(rng)),
        1 => format!("\"fournisseur{sep} siret {}\"", siret(rng)),
        2 => format!("CPF {}", cpf(rng)),
        3 => format!("\"titular{sep} CPF {}\"", cpf(rng)),
        4 => format!("prototype {}", prototype(rng)),
        5 => format!("\"projet \"\"{}\"\" validé\"", prototype(rng)),
        6 => format!("avril 2020: {}", siret(rng)),
        _ => format!("ref {} / {}", cpf(rng), prototype(rng)),
    }
}

fn employee_row(rng: &mut Rng, dense: bool, delimiter: u8) -> Vec<String> {
    let first = rng.pick(FIRST);
    let last = rng.pick(LAST);
    let email = format!(
        "{}.{}@{}",
        ascii_slug(first),
        ascii_slug(last),
        rng.pick(DOMAINS)
    );
    let notes = if dense || rng.below(100) < 4 {
        sensitive_note(rng, delimiter)
    } else {
        rng.pick(NOTES).to_owned()
    };
    vec![
        guid(rng),
        first.to_owned(),
        last.to_owned(),
        email,
        rng.pick(DEPARTMENTS).to_owned(),
        rng.pick(CITIES).to_owned(),
        date(rng, 2005, 20),
        date(rng, 1960, 40),
        notes,
    ]
}

const HEADER: &[&str] = &[
    "guid",
    "first_name",
    "last_name",
    "email",
    "department",
    "city",
    "hire_date",
    "birth_date",
    "notes",
];

fn write_csv(path: &Path, size: u64, seed: u64, dense: bool, delimiter: u8) -> anyhow::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, create(path)?);
    let sep = [delimiter];
    let mut written = 0u64;
    let mut line = HEADER.join(std::str::from_utf8(&sep)?);
    line.push('\n');
    let mut rng = Rng::new(seed);
    while written + line.len() as u64 <= size {
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
        line = employee_row(&mut rng, dense, delimiter).join(std::str::from_utf8(&sep)?);
        line.push('\n');
    }
    out.flush()?;
    Ok(())
}

fn write_text(path: &Path, size: u64, seed: u64) -> anyhow::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, create(path)?);
    let mut rng = Rng::new(seed);
    let mut written = 0u64;
    loop {
        let first = rng.pick(FIRST);
        let last = rng.pick(LAST);
        let mut line = format!(
            "{first} {last} joined {} in {} on {} and works from {}.",
            rng.pick(DEPARTMENTS),
            rng.pick(CITIES),
            date(&mut rng, 2005, 20),
            rng.pick(NOTES)
        );
        if rng.below(100) < 4 {
            line.push(' ');
            line.push_str(&sensitive_note(&mut rng, b','));
        }
        line.push('\n');
        if written + line.len() as u64 > size {
            break;
        }
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
    }
    out.flush()?;
    Ok(())
}

fn create(path: &Path) -> anyhow::Result<File> {
    File::create(path).with_context(|| format!("creating {}", path.display()))
}

/// Escapes text for an XML element.
fn xml_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Excel's column letters for a 0-based index.
fn column_letters(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// Writes a one-sheet workbook as Excel would lay it out: low-cardinality text (names,
/// departments, cities) in the shared-strings table, unique text (GUIDs, e-mails,
/// notes) inline, dates as serial numbers with a date style. Returns the number of
/// non-empty cells.
fn write_xlsx(path: &Path, rows: u64, seed: u64) -> anyhow::Result<u64> {
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(BufWriter::new(create(path)?));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, &str); 4] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Employees" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#,
        ),
    ];
    for (name, body) in parts {
        zip.start_file(name, options)?;
        zip.write_all(body.as_bytes())?;
    }
    zip.start_file("xl/styles.xml", options)?;
    zip.write_all(
        br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="0"/><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#,
    )?;

    // Shared strings: the header and every low-cardinality value.
    let mut shared: Vec<&str> = HEADER.to_vec();
    for list in [FIRST, LAST, DEPARTMENTS, CITIES] {
        for item in list {
            if !shared.contains(item) {
                shared.push(item);
            }
        }
    }
    let index_of = |value: &str| shared.iter().position(|s| *s == value);
    zip.start_file("xl/sharedStrings.xml", options)?;
    write!(
        zip,
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">"#,
        shared.len()
    )?;
    for s in &shared {
        write!(zip, "<si><t>{}</t></si>", xml_text(s))?;
    }
    zip.write_all(b"</sst>")?;

    zip.start_file("xl/worksheets/sheet1.xml", options)?;
    zip.write_all(
        br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    )?;
    let mut rng = Rng::new(seed);
    let mut cells = 0u64;
    let mut row_xml = String::new();
    for row in 1..=rows + 1 {
        row_xml.clear();
        row_xml.push_str(&format!("<row r=\"{row}\">"));
        let values: Vec<String> = if row == 1 {
            HEADER.iter().map(|s| (*s).to_owned()).collect()
        } else {
            employee_row(&mut rng, false, b',')
        };
        for (col, value) in values.iter().enumerate() {
            if value.is_empty() {
                continue;
            }
            cells += 1;
            let reference = format!("{}{row}", column_letters(col));
            if (6..=7).contains(&col) && row > 1 {
                // An ISO date as an Excel serial with a date style.
                let serial = excel_serial(value);
                row_xml.push_str(&format!("<c r=\"{reference}\" s=\"1\"><v>{serial}</v></c>"));
            } else if let Some(index) = index_of(value) {
                row_xml.push_str(&format!("<c r=\"{reference}\" t=\"s\"><v>{index}</v></c>"));
            } else {
                let unquoted = value.trim_matches('"').replace("\"\"", "\"");
                row_xml.push_str(&format!(
                    "<c r=\"{reference}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                    xml_text(&unquoted)
                ));
            }
        }
        row_xml.push_str("</row>");
        zip.write_all(row_xml.as_bytes())?;
    }
    zip.write_all(b"</sheetData></worksheet>")?;
    zip.finish()?.flush()?;
    Ok(cells)
}

/// Days since 1899-12-30 (Excel's serial for dates after February 1900) for
/// `YYYY-MM-DD`.
fn excel_serial(iso: &str) -> i64 {
    let mut parts = iso.split('-').map(|p| p.parse::<i64>().unwrap_or(1));
    let (y, m, d) = (
        parts.next().unwrap_or(2000),
        parts.next().unwrap_or(1),
        parts.next().unwrap_or(1),
    );
    days_from_civil(y, m, d) - days_from_civil(1899, 12, 30)
}

/// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's method).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Decodes every record of the Avro file at `path` into the crate's values, as ferret's
/// reader does before walking them, through the same buffered file reading.
fn avro_decode(path: &Path) -> anyhow::Result<u64> {
    let file = std::fs::File::open(path).with_context(|| format!("{}", path.display()))?;
    let reader = apache_avro::Reader::new(std::io::BufReader::new(file))?;
    let mut records = 0u64;
    for record in reader {
        std::hint::black_box(record?);
        records += 1;
    }
    Ok(records)
}

fn calamine_cells(path: &Path) -> anyhow::Result<u64> {
    use calamine::{open_workbook, Reader, Xlsx};
    let mut workbook: Xlsx<_> = open_workbook(path).context("opening the workbook")?;
    let sheets = workbook.sheet_names().to_vec();
    let mut cells = 0u64;
    for sheet in sheets {
        let mut reader = workbook.worksheet_cells_reader(&sheet)?;
        while let Some(cell) = reader.next_cell()? {
            if !matches!(cell.get_value(), calamine::DataRef::Empty) {
                cells += 1;
            }
        }
    }
    Ok(cells)
}
