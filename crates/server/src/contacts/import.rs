//! Contacts from a CSV file (`switchboard-server contact import`): a header row naming the
//! columns, then one contact per row. Every problem is reported with its row; a file with any
//! problem imports nothing.

use std::collections::HashMap;

use super::{ContactFields, Region};

/// The columns a file may have; `name` is required.
pub const COLUMNS: &[&str] = &[
    "name",
    "email",
    "mobile_phone",
    "notes",
    "external_id",
    "facebook_id",
];

/// A problem with the file or one of its rows (numbered as a spreadsheet shows them: the header
/// is row 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub problem: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {}: {}", self.row, self.problem)
    }
}

/// The file's contacts with their row numbers, or every problem in it.
pub fn parse(
    text: &str,
    region: Option<Region>,
) -> Result<Vec<(usize, ContactFields)>, Vec<RowError>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header_problem = |problem: String| vec![RowError { row: 1, problem }];
    let headers = reader
        .headers()
        .map_err(|e| header_problem(e.to_string()))?
        .iter()
        .map(|h| h.to_lowercase())
        .collect::<Vec<_>>();
    if let Some(unknown) = headers.iter().find(|h| !COLUMNS.contains(&h.as_str())) {
        return Err(header_problem(format!(
            "unknown column “{unknown}”; the columns are {}",
            COLUMNS.join(", ")
        )));
    }
    if !headers.iter().any(|h| h == "name") {
        return Err(header_problem("a “name” column is needed".into()));
    }
    let mut contacts = Vec::new();
    let mut problems = Vec::new();
    // Which row first used each e-mail, phone or id: two rows must not describe one contact.
    let mut first_row: HashMap<(&'static str, String), usize> = HashMap::new();
    for (index, record) in reader.records().enumerate() {
        let row = index + 2;
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                problems.push(RowError {
                    row,
                    problem: error.to_string(),
                });
                continue;
            }
        };
        let cell = |column: &str| {
            headers
                .iter()
                .position(|h| h == column)
                .and_then(|i| record.get(i))
                .map(str::to_owned)
        };
        let input = ContactFields {
            name: cell("name").unwrap_or_default(),
            email: cell("email"),
            mobile_phone: cell("mobile_phone"),
            notes: cell("notes"),
            external_id: cell("external_id"),
            facebook_id: cell("facebook_id"),
        };
        match input.validated(region) {
            Ok(fields) => {
                for key in fields.keys() {
                    if let Some(earlier) = first_row.insert((key.column(), key.value()), row) {
                        problems.push(RowError {
                            row,
                            problem: format!(
                                "{} “{}” is also on row {earlier}",
                                key.column(),
                                key.value()
                            ),
                        });
                    }
                }
                contacts.push((row, fields));
            }
            Err(found) => {
                problems.extend(found.into_iter().map(|problem| RowError { row, problem }))
            }
        }
    }
    if problems.is_empty() {
        Ok(contacts)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cz() -> Option<Region> {
        Some("CZ".parse().unwrap())
    }

    #[test]
    fn rows_become_contacts() {
        let text = "name,email,mobile_phone,notes\nZoë Nováková,zoe@example.com,601 234 567,\"VIP, prefers SMS\"\nBo,,,\n";
        let contacts = parse(text, cz()).unwrap();
        assert_eq!(contacts.len(), 2);
        assert_eq!(contacts[0].0, 2);
        assert_eq!(contacts[0].1.mobile_phone.as_deref(), Some("+420601234567"));
        assert_eq!(contacts[0].1.notes.as_deref(), Some("VIP, prefers SMS"));
        assert_eq!(contacts[1].1.email, None);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_number() {
        let text = "name,email,mobile_phone\nA,a@example.com,601234567\n,b@example.com,\nC,A@example.com,+420 601 234 567\nD,d@example.com,1,extra\n";
        let problems = parse(text, cz()).unwrap_err();
        let rows: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(rows.len(), 4, "{rows:#?}");
        assert!(rows[0].starts_with("row 3: the name"), "{rows:#?}");
        assert!(
            rows[1].starts_with("row 4: email “a@example.com” is also on row 2"),
            "{rows:#?}"
        );
        assert!(
            rows[2].starts_with("row 4: mobile_phone “+420601234567” is also on row 2"),
            "{rows:#?}"
        );
        assert!(rows[3].starts_with("row 5:"), "{rows:#?}");
    }

    #[test]
    fn an_unknown_or_missing_column_is_named() {
        let problems = parse("name,fax\nA,1\n", cz()).unwrap_err();
        assert!(problems[0].problem.contains("unknown column “fax”"));
        let problems = parse("email\na@example.com\n", cz()).unwrap_err();
        assert!(problems[0].problem.contains("“name” column"));
    }
}
