//! Placeholder until the JSON reader lands.
use std::io::Read;

use super::{ReadError, Sink};
use crate::{Format, Limits};

pub fn read_json<R: Read>(
    _input: R,
    _limits: &Limits,
    _sink: &mut Sink<'_>,
) -> Result<(), ReadError> {
    Err(ReadError::Unsupported(Format::Json))
}

pub fn read_json_lines<R: Read>(
    _input: R,
    _limits: &Limits,
    _sink: &mut Sink<'_>,
) -> Result<(), ReadError> {
    Err(ReadError::Unsupported(Format::JsonLines))
}
