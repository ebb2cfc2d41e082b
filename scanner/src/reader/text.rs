//! Plain text: the whole object is one unit.

use std::io::Read;

use ferret_identifiers::UnitContext;

use super::{ReadError, TextUnit, UnitPlace};

/// The largest text read whole. Beyond it the scanner's windowed text reader applies.
pub const MAX_WHOLE_TEXT: u64 = 64 * 1024 * 1024;

/// Reads all of `input` (up to [`MAX_WHOLE_TEXT`]) as one text unit.
pub fn read_text<R: Read>(input: R, sink: &mut dyn FnMut(TextUnit<'_>)) -> Result<(), ReadError> {
    let mut bytes = Vec::new();
    input.take(MAX_WHOLE_TEXT + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_WHOLE_TEXT {
        return Err(ReadError::TooLarge {
            limit: MAX_WHOLE_TEXT,
        });
    }
    sink(TextUnit {
        bytes: &bytes,
        place: UnitPlace::Text { first_line: 1 },
        context: UnitContext::None,
    });
    Ok(())
}
