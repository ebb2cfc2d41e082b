//! Placeholder until the XLSX reader lands.
use std::io::{Read, Seek};

use super::{ReadError, Sink};
use crate::{Format, Limits};

pub fn read_xlsx<R: Read + Seek>(
    _input: R,
    _limits: &Limits,
    _sink: &mut Sink<'_>,
) -> Result<(), ReadError> {
    Err(ReadError::Unsupported(Format::Xlsx))
}
