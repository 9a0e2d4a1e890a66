//! Every masking rule of the specification, with its exact examples.

use switchboard_mask::{Kind, Masker};

fn mask(text: &str) -> String {
    Masker::default().mask(text).into_owned()
}

fn kinds(text: &str) -> Vec<(Kind, &str)> {
    Masker::default()
        .find(text)
        .into_iter()
        .map(|finding| (finding.kind, &text[finding.range]))
        .collect()
}

#[test]
fn specification_examples_hold_exactly() {
    assert_eq!(mask("+ 1 (123) 456 7890"), "**********7890");
    assert_eq!(mask("+447966197542"), "*********7542");
    assert_eq!(mask("melissa@gmail.com"), "m******@gmail.com");
}

#[test]
fn specification_examples_hold_inside_sentences_and_next_to_punctuation() {
    assert_eq!(
        mask("Call me back on + 1 (123) 456 7890 after 5pm."),
        "Call me back on **********7890 after 5pm."
    );
    assert_eq!(mask("My mobile:+447966197542!"), "My mobile:*********7542!");
    assert_eq!(mask("(+447966197542)"), "(*********7542)");
    assert_eq!(
        mask("Write to melissa@gmail.com."),
        "Write to m******@gmail.com."
    );
    assert_eq!(mask("\"melissa@gmail.com\","), "\"m******@gmail.com\",");
    assert_eq!(
        mask("melissa@gmail.com, +447966197542"),
        "m******@gmail.com, *********7542"
    );
}

#[test]
fn cards_plain_and_grouped_keep_last_four_and_separators() {
    assert_eq!(mask("4111111111111111"), "************1111");
    assert_eq!(
        mask("card 4111 1111 1111 1111 ok"),
        "card **** **** **** 1111 ok"
    );
    assert_eq!(mask("5500-0000-0000-0004."), "****-****-****-0004.");
    assert_eq!(mask("amex 3782 822463 10005"), "amex **** ****** *0005");
    assert_eq!(mask("amex 378282246310005"), "amex ***********0005");
    assert_eq!(mask("diners 3056 930902 5904"), "diners **** ****** 5904");
    assert_eq!(
        mask("19 digits 6011 0009 9013 9424 124"),
        "19 digits **** **** **** ***4 124"
    );
    assert_eq!(
        kinds("exp 4111 1111 1111 1111 12/25"),
        [(Kind::Card, "4111 1111 1111 1111")]
    );
    assert_eq!(
        kinds("4111 1111 1111 1111 123 is the CVV"),
        [(Kind::Card, "4111 1111 1111 1111")]
    );
}

#[test]
fn cards_need_luhn_and_consistent_grouping() {
    // One digit off: no card, and too long for a phone.
    assert_eq!(mask("4111 1111 1111 1112"), "4111 1111 1111 1112");
    assert_eq!(mask("4111111111111112"), "4111111111111112");
    // Mixed separators are not how a card is written.
    assert!(
        kinds("4111 1111-1111 1111")
            .iter()
            .all(|(kind, _)| *kind != Kind::Card)
    );
}

#[test]
fn ibans_in_every_spelling_keep_last_four() {
    assert_eq!(mask("DE89370400440532013000"), "******************3000");
    assert_eq!(
        mask("IBAN: DE89 3704 0044 0532 0130 00."),
        "IBAN: **** **** **** **** **30 00."
    );
    assert_eq!(
        mask("gb29 nwbk 6016 1331 9268 19"),
        "**** **** **** **** **68 19"
    );
    assert_eq!(
        mask("ES 91 2100 0418 4502 0005 1332"),
        "** ** **** **** **** **** 1332"
    );
    assert_eq!(mask("NO9386011117947"), "***********7947");
    assert_eq!(
        mask("MT84MALT011000012345MTLCAST001S"),
        "***************************001S"
    );
}

#[test]
fn every_registry_country_is_known_with_its_length() {
    let examples = [
        "AD1200012030200359100100",
        "AE070331234567890123456",
        "AL47212110090000000235698741",
        "AT611904300234573201",
        "BE68539007547034",
        "BR1800360305000010009795493C1",
        "CH9300762011623852957",
        "CZ6508000000192000145399",
        "DK5000400440116243",
        "FR1420041010050500013M02606",
        "IT60X0542811101000000123456",
        "LC55HEMM000100010012001200023015",
        "NL91ABNA0417164300",
        "PL61109010140000071219812874",
        "SC18SSCB11010000000000001497USD",
        "UA213223130000026007233566001",
    ];
    for iban in examples {
        assert_eq!(kinds(iban), [(Kind::Iban, iban)], "{iban}");
    }
    assert_eq!(switchboard_mask::iban_countries().count(), 89);
}

#[test]
fn ssns_with_consistent_separator_or_none() {
    assert_eq!(mask("SSN 123-45-6789."), "SSN ***-**-6789.");
    assert_eq!(mask("SSN 123 45 6789"), "SSN *** ** 6789");
    assert_eq!(mask("SSN 123.45.6789"), "SSN ***.**.6789");
    assert_eq!(mask("SSN 123456789"), "SSN *****6789");
    assert_eq!(mask("my social is 123456789"), "my social is *****6789");
}

#[test]
fn ssns_in_never_issued_ranges_are_left_alone() {
    for text in [
        "000-12-3456",
        "666-12-3456",
        "900-12-3456",
        "999-12-3456",
        "123-00-4567",
        "123-45-0000",
        "123-45 6789",
        "#123456789",
        "Ticket 123456789",
        "order: 123456789",
        "zamówienia nr 123456789",
        "objednávky č. 123456789",
    ] {
        assert_eq!(mask(text), text, "{text}");
    }
}

#[test]
fn phones_by_shape_whether_or_not_the_number_exists() {
    assert_eq!(mask("(555) 123-4567"), "*********4567");
    assert_eq!(mask("call 555-123-4567 now"), "call ********4567 now");
    assert_eq!(mask("555.123.4567"), "********4567");
    assert_eq!(mask("07966 197542"), "*******7542");
    assert_eq!(mask("+33 6 12 34 56 78"), "********5678");
    assert_eq!(mask("+420 603 123 456"), "*********3456");
    assert_eq!(mask("603 123 456"), "*****3456");
    assert_eq!(mask("+1(123)456-7890"), "***********7890");
    assert_eq!(mask("555-1234"), "****1234");
    assert_eq!(mask("+44 7966 197542 2 times"), "*********7542 2 times");
    assert_eq!(mask("call 555 123 4567 2 times"), "call ******4567 2 times");
}

#[test]
fn masked_output_is_final_even_when_visible_digits_join_the_next_number() {
    // `*********7542 2024` would read `7542 2024` as a phone: masking goes on until nothing is
    // left to find, erring toward hiding more.
    assert_eq!(mask("+44 7966 197542 2024"), "*************2024");
}

#[test]
fn a_card_right_after_a_mistyped_iban_is_masked() {
    assert_eq!(
        mask("DE89 3704 0044 0532 0130 0 4111 1111 1111 1111"),
        "DE89 3704 0044 0532 0130 0 **** **** **** 1111"
    );
}

#[test]
fn two_phones_in_a_row_are_both_masked() {
    assert_eq!(
        mask("555-123-4567 555-765-4321"),
        "********4567 ********4321"
    );
}

#[test]
fn overlapping_spans_go_to_card_iban_and_ssn_before_phone() {
    let text = "555-1234 4111 1111 1111 1111";
    assert_eq!(
        kinds(text),
        [
            (Kind::Phone, "555-1234"),
            (Kind::Card, "4111 1111 1111 1111")
        ]
    );
    assert_eq!(kinds("123 45 6789"), [(Kind::Ssn, "123 45 6789")]);
    assert_eq!(
        kinds("+447966197542@sms.example.com"),
        [(Kind::Email, "+447966197542@sms.example.com")]
    );
}

#[test]
fn ordinary_chat_numbers_are_not_masked() {
    for text in [
        "Hi, I need help with order #4821937, it hasn't arrived.",
        "Order 1000234567 and 1000234568 were merged, a blue 32GB card.",
        "Ticket 3728491023 is still open after 3 days.",
        "Can you please check the delivery to zip 94107? Or 94107-1234.",
        "I'd like the 500 Mbps plan, is there a discount for 12 or 24 month contracts?",
        "A balance of 1,250.00 EUR since 01/03/2024, why is the late fee 15.50?",
        "The total was $129.99 but I was charged twice on 2024-05-12 at 14:32.",
        "The app version is 10.4.2 build 20240512 and the router is model RT-AC68U.",
        "Faktura na 1 250 000 Kč ze dne 12.05.2024, splatnost 26. 5. 2024.",
        "Saldo 1.250.000,00 kr. pr. 2024-05-12 14:32",
        "router at 192.168.1.254 and 10.0.0.1",
        "Price $ 1 234 567 or € 1.234.567",
        "Version 2.14.3-rc.1, build 20240512.3",
    ] {
        assert_eq!(kinds(text), [], "{text}");
    }
}

#[test]
fn nothing_to_mask_borrows_without_allocating() {
    let text = "Nothing sensitive in here, order #4821937.";
    assert!(matches!(
        Masker::default().mask(text),
        std::borrow::Cow::Borrowed(_)
    ));
}

#[test]
fn non_ascii_text_around_findings_is_kept_intact() {
    assert_eq!(
        mask("Číslo účtu: CZ65 0800 0000 1920 0014 5399, díky – Zdeněk"),
        "Číslo účtu: **** **** **** **** **** 5399, díky – Zdeněk"
    );
    assert_eq!(
        mask("tél. : +33 6 12 34 56 78 — merci"),
        "tél. : ********5678 — merci"
    );
    assert_eq!(mask("€4111111111111111"), "€************1111");
}

#[test]
fn numbers_typed_with_unicode_spaces_dashes_or_full_width_digits_are_masked() {
    // No-break, thin, narrow no-break and figure spaces between card groups.
    for space in ['\u{a0}', '\u{2009}', '\u{202f}', '\u{2007}'] {
        let card = format!("4111{space}1111{space}1111{space}1111");
        assert_eq!(
            mask(&format!("card {card} ok")),
            format!("card ****{space}****{space}****{space}1111 ok"),
            "{space:?}"
        );
    }
    assert_eq!(
        mask("カード ４１１１ １１１１ １１１１ １１１１ です"),
        "カード **** **** **** １１１１ です"
    );
    assert_eq!(
        mask("ssn 123\u{2011}45\u{2011}6789"),
        "ssn ***\u{2011}**\u{2011}6789"
    );
    assert_eq!(
        mask("call ＋４４７９６６１９７５４２"),
        "call *********７５４２"
    );
    assert_eq!(
        kinds("iban ＧＢ29 NWBK 6016 1331 9268 19."),
        [(Kind::Iban, "ＧＢ29 NWBK 6016 1331 9268 19")]
    );
}

#[test]
fn an_iban_grouped_with_dashes_is_one_iban() {
    assert_eq!(
        mask("IBAN DE89-3704-0044-0532-0130-00 thanks"),
        "IBAN ****-****-****-****-**30-00 thanks"
    );
    // A look-alike with dashes is still not read as a card or phone.
    assert_eq!(
        mask("IBAN DE89-3704-0044-0532-0130-01"),
        "IBAN DE89-3704-0044-0532-0130-01"
    );
}
