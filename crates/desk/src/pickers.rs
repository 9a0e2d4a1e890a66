//! The searchable lists: transfer and conference targets (queues, available agents) and wrap-up
//! reasons. A search matches words by their beginning, ignoring case and accents, so that
//! "zoe" finds "Zoë Nováková" and "nov" finds her too.

/// Whether `candidate` matches what the agent typed: every typed word starts some word of it.
pub fn matches(candidate: &str, search: &str) -> bool {
    let words: Vec<String> = folded_words(candidate).collect();
    folded_words(search).all(|typed| words.iter().any(|word| word.starts_with(&typed)))
}

/// The items whose label matches `search`, in their order.
pub fn filter<'a, T>(items: &'a [T], search: &str, label: impl Fn(&T) -> &str) -> Vec<&'a T> {
    items
        .iter()
        .filter(|item| matches(label(item), search))
        .collect()
}

fn folded_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric() && c != '@' && c != '.')
        .filter(|word| !word.is_empty())
        .map(|word| word.chars().flat_map(fold).collect())
}

/// Lower case without the accents of the languages the product speaks.
fn fold(c: char) -> impl Iterator<Item = char> {
    let base = match c {
        'á' | 'à' | 'â' | 'ä' | 'ą' | 'å' | 'Á' | 'À' | 'Â' | 'Ä' | 'Ą' | 'Å' => 'a',
        'č' | 'ć' | 'ç' | 'Č' | 'Ć' | 'Ç' => 'c',
        'ď' | 'Ď' => 'd',
        'é' | 'è' | 'ê' | 'ë' | 'ě' | 'ę' | 'É' | 'È' | 'Ê' | 'Ë' | 'Ě' | 'Ę' => 'e',
        'í' | 'î' | 'ï' | 'Í' | 'Î' | 'Ï' => 'i',
        'ł' | 'Ł' => 'l',
        'ň' | 'ń' | 'Ň' | 'Ń' => 'n',
        'ó' | 'ô' | 'ö' | 'ø' | 'Ó' | 'Ô' | 'Ö' | 'Ø' => 'o',
        'ř' | 'Ř' => 'r',
        'š' | 'ś' | 'Š' | 'Ś' => 's',
        'ť' | 'Ť' => 't',
        'ú' | 'ů' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ů' | 'Ù' | 'Û' | 'Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' => 'y',
        'ž' | 'ź' | 'ż' | 'Ž' | 'Ź' | 'Ż' => 'z',
        other => other,
    };
    base.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_match_by_their_beginning_without_case_or_accents() {
        assert!(matches("Zoë Nováková", "zoe"));
        assert!(matches("Zoë Nováková", "NOV"));
        assert!(matches("Zoë Nováková", "nov zo"));
        assert!(!matches("Zoë Nováková", "ova"));
        assert!(matches("Řešení problému", "reseni"));
        assert!(matches("Anything", ""));
        assert!(matches("bo@example.com", "bo@ex"));
    }

    #[test]
    fn filtering_keeps_the_order() {
        let reasons = ["Resolved", "Follow-up needed", "Refund issued"];
        assert_eq!(
            filter(&reasons, "re", |r| r),
            [&"Resolved", &"Refund issued"]
        );
    }
}
