//! Values that look sensitive but are published as examples, which Macie never reports:
//! reporting them would flag every test suite, README and payment integration guide.

/// The 55 card numbers that card networks and payment processors publish for testing
/// (American Express, Diners Club, Discover, JCB, Mastercard, Visa, UnionPay, Maestro
/// and others). Each passes the Luhn check, so only this list tells them apart.
pub(super) const TEST_CARD_NUMBERS: &[&str] = &[
    // American Express
    "378282246310005",
    "371449635398431",
    "378734493671000",
    "376449047333005",
    "371144371144376",
    "341134113411347",
    "340000000000009",
    "341111111111111",
    "370000000000002",
    "373953192351004",
    // Diners Club
    "30569309025904",
    "38520000023237",
    "30000000000004",
    "36148900647913",
    "36700102000000",
    "3056930009020004",
    "36227206271667",
    // Discover
    "6011111111111117",
    "6011000990139424",
    "6011000000000004",
    "6011601160116611",
    "6445644564456445",
    // JCB
    "3530111333300000",
    "3566002020360505",
    "3566111111111113",
    "3088000000000017",
    // Mastercard
    "5555555555554444",
    "5105105105105100",
    "5454545454545454",
    "5200828282828210",
    "5500000000000004",
    "5424000000000015",
    "2223003122003222",
    "2223000048400011",
    "2223520043560014",
    "5204740000001002",
    // Visa
    "4111111111111111",
    "4012888888881881",
    "4222222222222",
    "4242424242424242",
    "4000056655665556",
    "4005519200000004",
    "4009348888881881",
    "4012000033330026",
    "4012000077777777",
    "4217651111111119",
    "4500600000000061",
    "4988438843884305",
    // UnionPay, Maestro, Dankort, Solo, Laser and Visa Electron
    "6250941006528599",
    "6200000000000005",
    "6304000000000000",
    "5019717010103742",
    "6331101999990016",
    "6759649826438453",
    "4917610000000000003",
];

/// AWS's documentation example secret access keys.
pub(super) const AWS_EXAMPLE_SECRET_KEYS: &[&str] = &[
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
];

/// AWS's documentation example access key IDs.
pub(super) const AWS_EXAMPLE_ACCESS_KEY_IDS: &[&str] =
    &["AKIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE"];

/// Stripe's documentation example API keys.
pub(super) const STRIPE_EXAMPLE_KEYS: &[&str] = &[
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    "pk_test_TYooMQauvdEDq54NiTphI7jx",
    "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
];

/// Argentine DNI numbers Macie never reports: the `99.999.999` that forms print as an
/// example, and numbers of zeroes only.
pub(super) const ARGENTINA_DNI_EXAMPLES: &[&str] = &["99999999", "0000000", "00000000"];

/// Chilean RUT/RUN numbers of zeroes only (`00.000.000-0`), which pass the check digit
/// and fill examples; Macie does not report them.
pub(super) const CHILE_RUT_EXAMPLES: &[&str] = &["00000000", "000000000"];

/// The generic RFCs Mexico's tax administration (SAT) prescribes for invoices to the
/// general public (`XAXX010101000`) and to foreign customers (`XEXX010101000`).
pub(super) const MEXICO_GENERIC_RFCS: &[&str] = &["XAXX010101000", "XEXX010101000"];

#[cfg(test)]
mod tests {
    use super::*;

    fn luhn(number: &str) -> bool {
        let sum: u32 = number
            .bytes()
            .rev()
            .enumerate()
            .map(|(i, b)| {
                let d = u32::from(b - b'0');
                if i % 2 == 1 {
                    let d = d * 2;
                    if d > 9 {
                        d - 9
                    } else {
                        d
                    }
                } else {
                    d
                }
            })
            .sum();
        sum.is_multiple_of(10)
    }

    #[test]
    fn there_are_55_distinct_luhn_valid_test_cards() {
        let distinct: std::collections::HashSet<_> = TEST_CARD_NUMBERS.iter().collect();
        assert_eq!(distinct.len(), 55);
        assert_eq!(TEST_CARD_NUMBERS.len(), 55);
        for card in TEST_CARD_NUMBERS {
            assert!(card.bytes().all(|b| b.is_ascii_digit()), "{card}");
            assert!(luhn(card), "{card}");
        }
    }
}
