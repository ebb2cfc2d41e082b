//! British Columbia's Personal Health Number (PHN), one of the Canadian
//! provincial health numbers.
//!
//! Source: BC Ministry of Health, "Teleplan" and MSP specifications (the
//! PHN check digit): 10 digits, the first `9`; the 2nd to 9th weighted 2,
//! 4, 8, 5, 10, 9, 7, 3, each product taken modulo 11, summed; the check
//! digit is `11 - (sum mod 11)`, 11 giving 0 and 10 never issued.

pub(super) fn is_valid(value: &[u8]) -> bool {
    const WEIGHTS: [u32; 8] = [2, 4, 8, 5, 10, 9, 7, 3];
    let Some(d) = super::digits::<10>(value) else {
        return false;
    };
    let sum: u32 = d[1..9]
        .iter()
        .zip(WEIGHTS)
        .map(|(&digit, weight)| u32::from(digit) * weight % 11)
        .sum();
    d[0] == 9 && (11 - sum % 11) % 11 == u32::from(d[9])
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::CanadaBcPhn;

    #[test]
    fn phn_check_digit() {
        assert!(CanadaBcPhn.is_valid("9698 658 215"));
        assert!(!CanadaBcPhn.is_valid("9698 658 216"));
        assert!(!CanadaBcPhn.is_valid("8698 658 215"));
    }
}
