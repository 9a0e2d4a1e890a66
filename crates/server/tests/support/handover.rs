//! A conversation handed from one desktop to another: a conference, then a transfer. Its three
//! people may be connected to one server or to different nodes of several.

use switchboard_protocol::agent::{
    AgentCommand, AgentEvent, CommandResult, InteractionState, Outcome,
};
use switchboard_protocol::customer::CustomerEvent;

use super::{Customer, ServerAddress, available_agent};

fn ok(outcome: Outcome) {
    assert!(matches!(outcome, Outcome::Ok { .. }), "{outcome:?}");
}

/// Zoë (at `zoe_at`) chats with Ann (at `ann_at`), who brings Bo (at `bo_at`) into a
/// conference, then transfers the chat to him; Bo's answer reaches Zoë.
pub async fn conference_then_transfer(
    ann_at: &impl ServerAddress,
    bo_at: &impl ServerAddress,
    zoe_at: &impl ServerAddress,
) {
    let mut ann = available_agent(ann_at, "ann@example.com").await;
    let mut zoe = Customer::start(zoe_at, "Zoë", "Hello").await;
    let AgentEvent::Offer { offer } = ann.expect(|e| matches!(e, AgentEvent::Offer { .. })).await
    else {
        unreachable!()
    };
    let id = offer.conversation.clone();
    ok(ann
        .command(AgentCommand::Accept {
            conversation: id.clone(),
        })
        .await);
    let mut bo = available_agent(bo_at, "bo@example.com").await;
    let Outcome::Ok {
        result: CommandResult::Agents { agents },
    } = ann.command(AgentCommand::ListAvailableAgents).await
    else {
        panic!()
    };
    assert_eq!(
        agents.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
        ["Bo"]
    );
    let bo_id = agents[0].id.clone();

    ok(ann
        .command(AgentCommand::ConferenceInvite {
            conversation: id.clone(),
            agent: bo_id.clone(),
        })
        .await);
    ann.expect(|e| {
        matches!(
            e,
            AgentEvent::State {
                state: InteractionState::ConferenceRequested { .. },
                ..
            }
        )
    })
    .await;
    let AgentEvent::Offer { offer: invitation } =
        bo.expect(|e| matches!(e, AgentEvent::Offer { .. })).await
    else {
        unreachable!()
    };
    ok(bo
        .command(AgentCommand::Accept {
            conversation: invitation.conversation,
        })
        .await);
    ann.expect(|e| matches!(e, AgentEvent::State { state: InteractionState::Conference { agents }, .. } if agents.len() == 2)).await;
    zoe.say("Hello both").await;
    ann.expect(|e| matches!(e, AgentEvent::Message { message } if message.text == "Hello both"))
        .await;
    bo.expect(|e| matches!(e, AgentEvent::Message { message } if message.text == "Hello both"))
        .await;
    ok(bo
        .command(AgentCommand::ConferenceExit {
            conversation: id.clone(),
            wrap_up: "Resolved".into(),
        })
        .await);
    ann.expect(|e| {
        matches!(
            e,
            AgentEvent::State {
                state: InteractionState::Active,
                ..
            }
        )
    })
    .await;

    let transfer = AgentCommand::Transfer {
        conversation: id.clone(),
        to: switchboard_protocol::agent::TransferTarget::Agent { agent: bo_id },
    };
    ok(ann.command(transfer).await);
    let AgentEvent::Offer { offer: handed } =
        bo.expect(|e| matches!(e, AgentEvent::Offer { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(
        handed.scenario,
        switchboard_protocol::agent::Scenario::Transferred
    );
    ok(bo
        .command(AgentCommand::Accept {
            conversation: id.clone(),
        })
        .await);
    ann.expect(|e| {
        matches!(
            e,
            AgentEvent::State {
                state: InteractionState::Transferred { .. },
                ..
            }
        )
    })
    .await;
    ok(ann
        .command(AgentCommand::End {
            conversation: id.clone(),
            wrap_up: "Resolved".into(),
        })
        .await);
    ok(bo
        .command(AgentCommand::SendMessage {
            conversation: id.clone(),
            text: "Bo here now".into(),
        })
        .await);
    zoe.expect(
        |e| matches!(e, CustomerEvent::Message { message } if message.text == "Bo here now"),
    )
    .await;
}
