//! What an agent account given by an administrator may hold — checked the same by the command
//! line (`agent add`) and the admin API.

use switchboard_protocol::QueueId;

use super::{CONTROL_CHARACTERS, Config, has_control_characters};

/// The fields of an account being added or changed; `None`: not given (left as it is).
#[derive(Clone, Copy, Debug, Default)]
pub struct AccountFields<'a> {
    pub name: Option<&'a str>,
    pub queues: Option<&'a [QueueId]>,
    pub capacity: Option<u32>,
    pub password: Option<&'a str>,
}

impl Config {
    /// What is wrong with `fields`, each problem naming its field; empty: nothing.
    pub fn account_problems(&self, fields: AccountFields<'_>) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(name) = fields.name {
            if name.trim().is_empty() {
                problems.push("name: must not be empty".to_owned());
            }
            if has_control_characters(name) {
                problems.push(format!("name: {CONTROL_CHARACTERS}"));
            }
        }
        for queue in fields.queues.into_iter().flatten() {
            if self.queue(queue).is_none() {
                problems.push(format!("queues: no queue {:?}", queue.0));
            }
        }
        if fields.capacity == Some(0) {
            problems.push("capacity: must be at least 1".to_owned());
        }
        if let Some(Err(problem)) = fields.password.map(crate::auth::check_password) {
            problems.push(format!("password: {problem}"));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_names_its_field_and_what_is_not_given_is_not_checked() {
        let config = Config::parse(
            "wrap_up_reasons = [\"Resolved\"]\nidle_reasons = [\"Lunch\"]\n\
             [[queues]]\nid = \"general\"\nname = \"General\"\n",
        )
        .unwrap();
        let queues = [QueueId::from("general"), QueueId::from("nope")];
        let wrong = AccountFields {
            name: Some("Ann\0"),
            queues: Some(&queues),
            capacity: Some(0),
            password: Some("short"),
        };
        let fields: Vec<String> = config
            .account_problems(wrong)
            .iter()
            .map(|problem| problem.split(':').next().unwrap().to_owned())
            .collect();
        assert_eq!(fields, ["name", "queues", "capacity", "password"]);
        assert!(config.account_problems(AccountFields::default()).is_empty());
    }
}
