//! A conversation handed from one desktop to another: a conference with a note and typing both
//! ways, then a transfer with a note. Its three people may be connected to one server or to
//! different nodes of several.

use switchboard_protocol::Sender;
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
    let AgentEvent::Message { message: hello } = ann
        .expect(|e| matches!(e, AgentEvent::Message { message } if message.text == "Hello both"))
        .await
    else {
        unreachable!()
    };
    // Ann's desktop has it: Zoë is told it reached an agent.
    ann.send_receipt(&id, hello.id).await;
    zoe.expect(|e| *e == CustomerEvent::Received { up_to: hello.id })
        .await;
    bo.expect(|e| matches!(e, AgentEvent::Message { message } if message.text == "Hello both"))
        .await;

    // A note reaches both agents, as a note.
    ok(ann
        .command(AgentCommand::SendNote {
            conversation: id.clone(),
            text: "She ordered twice".into(),
        })
        .await);
    for agent in [&mut ann, &mut bo] {
        agent
            .expect(|e| matches!(e, AgentEvent::Message { message } if message.text == "She ordered twice" && matches!(message.from, Sender::Note { .. })))
            .await;
    }
    // Typing reaches the other side at once; an agent's typing names them to the customer.
    zoe.send_typing(true).await;
    assert_eq!(ann.expect_typing().await, (id.clone(), true));
    assert_eq!(bo.expect_typing().await, (id.clone(), true));
    ann.send_typing(&id, true).await;
    assert_eq!(zoe.expect_typing().await, ("Ann".to_owned(), true));
    ann.send_typing(&id, false).await;
    assert_eq!(zoe.expect_typing().await, ("Ann".to_owned(), false));

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
        note: Some("Wants the second order cancelled".into()),
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
    assert_eq!(handed.comment, "Wants the second order cancelled");
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
            files: Vec::new(),
        })
        .await);
    // Zoë's thread since her receipt, up to Bo's reply: Bo's reply only, never the note.
    let mut thread = Vec::new();
    let reply = loop {
        if let CustomerEvent::Message { message } = zoe
            .expect(|e| matches!(e, CustomerEvent::Message { .. }))
            .await
        {
            thread.push(message.text.clone());
            if message.text == "Bo here now" {
                break message;
            }
        }
    };
    assert_eq!(thread, ["Bo here now"]);

    // Her widget shows it: Bo learns it was seen.
    zoe.send_receipt(reply.id, true).await;
    let AgentEvent::Receipts { receipts, .. } = bo
        .expect(|e| matches!(e, AgentEvent::Receipts { .. }))
        .await
    else {
        unreachable!()
    };
    assert_eq!(receipts.read_up_to, Some(reply.sent_at));
    assert_eq!(receipts.delivered_up_to, Some(reply.sent_at));
}
