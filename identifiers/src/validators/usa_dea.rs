//! United States Drug Enforcement Administration registration number.
//!
//! Source: DEA Diversion Control Division, the registration number's
//! format (21 CFR 1301; summarised in Wikipedia, "DEA number"): a letter for
//! the registrant type (`A`, `B`, `F`, `G` practitioners, hospitals and
//! pharmacies, with `C`-`E`, `H`-`L`, `S`-`U` issued as the earlier letters
//! ran out; `M` mid-level practitioners; `P`, `R` manufacturers,
//! distributors and narcotic treatment programmes; `X` buprenorphine
//! prescribers), then the first letter of the registrant's last name or `9`
//! for a business without one, then 6 digits and a check digit: the sum of
//! the 1st, 3rd and 5th digits plus twice the sum of the 2nd, 4th and 6th,
//! modulo 10.

/// The registrant-type letters DEA issues.
const REGISTRANT_TYPES: &[u8] = b"ABCDEFGHJKLMPRSTUX";

pub(super) fn is_valid(value: &[u8]) -> bool {
    let [kind, name, number @ ..] = value else {
        return false;
    };
    let Some(d) = super::digits::<7>(number) else {
        return false;
    };
    let odd = u32::from(d[0] + d[2] + d[4]);
    let even = u32::from(d[1] + d[3] + d[5]);
    REGISTRANT_TYPES.contains(kind)
        && (name.is_ascii_uppercase() || *name == b'9')
        && (odd + 2 * even) % 10 == u32::from(d[6])
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::UsaDea;

    #[test]
    fn dea_number_check_digit_and_letters() {
        // 1 + 3 + 5 + 2 * (2 + 4 + 6) = 33: check digit 3.
        assert!(UsaDea.is_valid("AB1234563"));
        assert!(UsaDea.is_valid("M91234563"));
        assert!(!UsaDea.is_valid("AB1234564"));
        assert!(!UsaDea.is_valid("ZB1234563"));
        assert!(!UsaDea.is_valid("A81234563"));
    }
}
