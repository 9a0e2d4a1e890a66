//! Message templates: those an administrator added through the admin API beside the
//! configuration's, sent to desktops with the profile; and the parameters an agent's message may
//! carry (a template's `<customer.first_name>`, `<customer.phone>`…), filled from the
//! conversation as the message is sent: values a desktop must not hold never pass through it,
//! and one the conversation cannot fill is refused.

use std::borrow::Cow;

use switchboard_protocol::agent::{AgentEvent, DesktopProfile};
use switchboard_protocol::template::{self, Parameter, Template};
use switchboard_protocol::{AgentId, Channel, ConversationId, ErrorCode, rules};

use super::records::ConversationRecord;
use super::{Effects, Result, Router, error};

impl Router {
    /// The profile every desktop receives: the configuration's, with the templates added since.
    pub(super) fn profile(&self) -> DesktopProfile {
        let mut profile = self.config.desktop_profile();
        profile
            .templates
            .extend(self.added_templates.iter().cloned());
        profile
    }

    /// The templates added through the admin API are now `added`: every desktop that is
    /// connected (or may resume) gets the new profile; the others get it when they connect.
    pub fn templates_changed(&mut self, added: Vec<Template>, fx: &mut Effects) {
        self.added_templates = added;
        self.tell_profile(fx);
    }

    /// Every desktop that is connected (or may resume) gets the profile as it is now.
    pub(super) fn tell_profile(&self, fx: &mut Effects) {
        let profile = self.profile();
        for (id, agent) in self.agents.iter() {
            if agent.connected || agent.disconnected_at.is_some() {
                let profile = profile.clone();
                fx.agent(id, AgentEvent::Profile { profile });
            }
        }
    }

    /// `text` with its parameters filled from conversation `id` as `agent` sends it.
    pub(super) fn fill_parameters<'t>(
        &self,
        agent: &AgentId,
        id: &ConversationId,
        text: &'t str,
    ) -> Result<Cow<'t, str>> {
        template::check_with_parameters(text)?;
        let found = template::parameters(text);
        if found.is_empty() {
            return Ok(Cow::Borrowed(text));
        }
        let record = &self.conversations[id].record;
        let mut filled = String::with_capacity(text.len());
        let mut at = 0;
        for (range, name) in found {
            let parameter = Parameter::parse(name).expect("checked above");
            let value = self.parameter_value(agent, record, &parameter).ok_or_else(|| {
                error(
                    ErrorCode::InvalidInput,
                    format!("This conversation has no value for <{name}>; write it in or take it out."),
                )
            })?;
            filled.push_str(&text[at..range.start]);
            filled.push_str(&value);
            at = range.end;
        }
        filled.push_str(&text[at..]);
        // Filled in, the message must still be one that can be sent.
        rules::check_message(&filled)?;
        Ok(Cow::Owned(filled))
    }

    fn parameter_value(
        &self,
        agent: &AgentId,
        record: &ConversationRecord,
        parameter: &Parameter,
    ) -> Option<String> {
        let customer = &record.customer;
        match parameter {
            Parameter::CustomerName => Some(customer.name.clone()),
            Parameter::CustomerFirstName => {
                customer.name.split_whitespace().next().map(str::to_owned)
            }
            Parameter::CustomerEmail => customer.email.clone(),
            Parameter::CustomerPhone => customer.phone.clone().or_else(|| {
                let address = record.address.as_ref()?;
                (record.channel == Channel::Sms).then(|| address.customer.clone())
            }),
            Parameter::AgentName => Some(self.agents.get(agent)?.summary.name.clone()),
            Parameter::QueueName => Some(self.queue_summary(&record.queue).name),
            Parameter::Context(name) => record
                .context
                .iter()
                .find(|variable| variable.name == *name)
                .map(|variable| variable.value.value.clone()),
        }
    }
}
