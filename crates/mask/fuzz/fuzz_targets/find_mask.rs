//! `find` and `mask` never panic on any text, and what they return holds together: findings in
//! order, disjoint, on character boundaries; masked text final.

#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard_mask::Masker;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let masker = Masker::default();
    let findings = masker.find(&text);
    let mut previous_end = 0;
    for finding in &findings {
        assert!(previous_end <= finding.range.start && finding.range.start < finding.range.end);
        assert!(text.is_char_boundary(finding.range.start) && text.is_char_boundary(finding.range.end));
        previous_end = finding.range.end;
    }
    let masked = masker.mask(&text);
    assert_eq!(masked.is_empty(), text.is_empty());
    assert!(masker.find(&masked).is_empty(), "{text:?} masked to {masked:?} still has findings");
});
