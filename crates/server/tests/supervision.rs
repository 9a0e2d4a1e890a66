//! A supervisor's side, over their desktop's connection: monitoring a conversation (and
//! whispering into it), barging in, setting an agent's presence, signing an agent out, moving and
//! assigning waiting conversations — each in the audit log — and the live view of queues and
//! agents, checked against scripted activity as it happens. An agent's client is refused all of
//! it, and nothing changes.

mod support;

use reqwest::Method;
use serde_json::Value;
use support::{AdminApi, Agent, Customer, LiveView, Server, accepted_chat, available_agent};
use switchboard_protocol::agent::{
    AgentCommand, AgentEvent, InteractionState, Outcome, PresenceRequest, Scenario,
};
use switchboard_protocol::customer::{CustomerCommand, CustomerEvent, CustomerOutcome};
use switchboard_protocol::live::LiveStage;
use switchboard_protocol::{AgentId, ConversationId, ErrorCode, Presence, QueueId, Sender};
use switchboard_testkit::supervisor;

/// Ann and Bo (agents) and Claire (a supervisor) on General enquiries, and a Billing queue.
fn config(offer_timeout_seconds: u32) -> String {
    format!(
        "{}{}[[queues]]\nid = \"billing\"\nname = \"Billing\"\nservice_target_seconds = 5\n",
        support::config(offer_timeout_seconds, 60),
        supervisor("claire@example.com", "Claire"),
    )
}

fn ok(outcome: &Outcome) -> bool {
    matches!(outcome, Outcome::Ok { .. })
}

fn refusal(outcome: Outcome) -> ErrorCode {
    match outcome {
        Outcome::Error { error } => error.code,
        Outcome::Ok { result } => panic!("refused, not {result:?}"),
    }
}

/// The audit log's entries, newest first, as (actor, action, subject, detail, origin).
async fn audit_log(server: &Server) -> Vec<[String; 5]> {
    let (status, log) = AdminApi::new(server)
        .call(Method::GET, "/api/v1/admin/audit", None)
        .await;
    assert_eq!(status, 200, "{log}");
    let field = |entry: &Value, name: &str| entry[name].as_str().unwrap_or_default().to_owned();
    log.as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            ["actor", "action", "subject", "detail", "origin"].map(|name| field(entry, name))
        })
        .collect()
}

fn entry(actor: &str, action: &str, subject: &str, detail: &str) -> [String; 5] {
    [actor, action, subject, detail, "127.0.0.1"].map(str::to_owned)
}

async fn agent_id(server: &Server, email: &str) -> AgentId {
    server.login(email).await.agent.id
}

#[tokio::test]
async fn an_agents_client_is_refused_every_supervisor_command_and_nothing_changes() {
    let server = Server::start(&config(30));
    let (mut ann, mut zoe, chat) = accepted_chat(&server).await;
    let mut bo = Agent::sign_in(&server, "bo@example.com").await;
    let max = Customer::start(&server, "Max", "Hello?").await;
    // Max's chat is offered to Ann; Bo is an agent and tries a supervisor's every power.
    let offered = ann.expect(|e| matches!(e, AgentEvent::Offer { .. })).await;
    let AgentEvent::Offer { offer } = offered else {
        unreachable!()
    };
    let ann_id = agent_id(&server, "ann@example.com").await;
    let reason = "testing".to_owned();
    for command in [
        AgentCommand::Monitor {
            conversation: chat.clone(),
        },
        AgentCommand::StopMonitoring {
            conversation: chat.clone(),
        },
        AgentCommand::Barge {
            conversation: chat.clone(),
        },
        AgentCommand::SetAgentPresence {
            agent: ann_id.clone(),
            presence: PresenceRequest::Offline,
            reason: reason.clone(),
        },
        AgentCommand::SignOutAgent {
            agent: ann_id.clone(),
            reason: reason.clone(),
        },
        AgentCommand::Assign {
            conversation: offer.conversation.clone(),
            agent: ann_id.clone(),
        },
        AgentCommand::MoveToQueue {
            conversation: offer.conversation.clone(),
            queue: QueueId("billing".into()),
        },
        AgentCommand::WatchLive { watch: true },
        AgentCommand::Search {
            query: "Zoë".into(),
            everyone: true,
        },
        AgentCommand::Report {
            query: switchboard_testkit::since_yesterday(),
        },
    ] {
        let refused = refusal(bo.command(command.clone()).await);
        assert_eq!(refused, ErrorCode::Forbidden, "{command:?}");
    }
    // Nothing changed: Ann still holds her chat and writes in it alone, her offer stands, and
    // the log has nothing.
    let reply = AgentCommand::SendMessage {
        conversation: chat.clone(),
        text: "Still here".into(),
        files: Vec::new(),
    };
    assert!(ok(&ann.command(reply).await));
    zoe.expect(|e| matches!(e, CustomerEvent::Message { message } if message.text == "Still here"))
        .await;
    let accept = AgentCommand::Accept {
        conversation: offer.conversation,
    };
    assert!(ok(&ann.command(accept).await));
    assert!(bo.live.is_empty(), "an agent is never pushed the live view");
    assert!(audit_log(&server).await.is_empty());
    drop(max);
}

#[tokio::test]
async fn a_supervisor_monitors_whispers_and_barges_in_and_each_is_in_the_audit_log() {
    let server = Server::start(&config(30));
    let (mut ann, mut zoe, chat) = accepted_chat(&server).await;
    let mut claire = Agent::sign_in(&server, "claire@example.com").await;

    // Monitoring: the conversation as it stands, read-only, then every message as it comes.
    let monitor = AgentCommand::Monitor {
        conversation: chat.clone(),
    };
    assert!(ok(&claire.command(monitor).await));
    let watched = claire.next_snapshot().await;
    assert_eq!(watched.state, InteractionState::Monitoring);
    assert_eq!(watched.history[0].text, "Hello");
    zoe.say("My card is 4111 1111 1111 1111").await;
    let AgentEvent::Message { message } = claire
        .expect(|e| matches!(e, AgentEvent::Message { .. }))
        .await
    else {
        unreachable!()
    };
    assert!(matches!(message.from, Sender::Customer { .. }));
    assert!(
        !message.text.contains("4111 1111"),
        "masked like everything else: {message:?}"
    );
    // A monitor does not write to the customer.
    let message = AgentCommand::SendMessage {
        conversation: chat.clone(),
        text: "Hi, I'm Claire".into(),
        files: Vec::new(),
    };
    assert_eq!(
        refusal(claire.command(message).await),
        ErrorCode::InvalidState
    );

    // Whispering: a note Ann sees and Zoë never does.
    let whisper = AgentCommand::SendNote {
        conversation: chat.clone(),
        text: "Offer the refund".into(),
    };
    assert!(ok(&claire.command(whisper).await));
    let AgentEvent::Message { message } = ann
        .expect(
            |e| matches!(e, AgentEvent::Message { message } if message.text == "Offer the refund"),
        )
        .await
    else {
        unreachable!()
    };
    assert!(matches!(message.from, Sender::Note { ref name, .. } if name == "Claire"));
    let reply = AgentCommand::SendMessage {
        conversation: chat.clone(),
        text: "We will refund you".into(),
        files: Vec::new(),
    };
    assert!(ok(&ann.command(reply).await));
    let CustomerEvent::Message { message } = zoe
        .expect(|e| matches!(e, CustomerEvent::Message { message } if matches!(message.from, Sender::Agent { .. })))
        .await
    else {
        unreachable!()
    };
    assert_eq!(
        message.text, "We will refund you",
        "the whisper never reached Zoë"
    );

    // Barging in: Zoë is told a supervisor joined; Ann and Claire are in conference.
    let barge = AgentCommand::Barge {
        conversation: chat.clone(),
    };
    assert!(ok(&claire.command(barge).await));
    let joined = zoe
        .expect(|e| matches!(e, CustomerEvent::AgentJoined { .. }))
        .await;
    assert_eq!(
        joined,
        CustomerEvent::AgentJoined {
            name: "Claire (supervisor)".into()
        }
    );
    ann.expect(|e| {
        matches!(
            e,
            AgentEvent::State {
                state: InteractionState::Conference { .. },
                ..
            }
        )
    })
    .await;
    ann.expect(|e| {
        matches!(
            e,
            AgentEvent::Notice {
                scenario: Scenario::Conference,
                ..
            }
        )
    })
    .await;
    let joined = claire
        .expect(|e| matches!(e, AgentEvent::Snapshot { conversation } if matches!(conversation.state, InteractionState::Conference { .. })))
        .await;
    drop(joined);
    let hello = AgentCommand::SendMessage {
        conversation: chat.clone(),
        text: "Claire here, I will make sure of it".into(),
        files: Vec::new(),
    };
    assert!(ok(&claire.command(hello).await));
    zoe.expect(|e| matches!(e, CustomerEvent::Message { message } if message.text.starts_with("Claire here")))
        .await;
    // And leaving: the conversation goes on with Ann.
    let leave = AgentCommand::ConferenceExit {
        conversation: chat.clone(),
        wrap_up: "Resolved".into(),
    };
    assert!(ok(&claire.command(leave).await));
    claire
        .expect(|e| matches!(e, AgentEvent::Closed { conversation } if *conversation == chat))
        .await;
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

    let subject = chat.0.as_str();
    assert_eq!(
        audit_log(&server).await,
        vec![
            entry("claire@example.com", "barged_in", subject, ""),
            entry("claire@example.com", "whispered", subject, ""),
            entry("claire@example.com", "monitored", subject, ""),
        ]
    );
}

#[tokio::test]
async fn monitoring_ends_with_the_conversation_and_survives_a_reconnect() {
    let mut server = Server::start(&config(30));
    let (ann, _zoe, chat) = accepted_chat(&server).await;
    let mut claire = Agent::sign_in(&server, "claire@example.com").await;
    let monitor = AgentCommand::Monitor {
        conversation: chat.clone(),
    };
    assert!(ok(&claire.command(monitor).await));
    claire.next_snapshot().await;
    // After a restart, a fresh start of Claire's desktop finds it monitored still.
    drop((ann, claire));
    server.kill_and_restart();
    let mut claire = Agent::sign_in(&server, "claire@example.com").await;
    let again = claire.next_snapshot().await;
    assert_eq!(
        (again.id.clone(), again.state),
        (chat.clone(), InteractionState::Monitoring)
    );
    // Ann ends it: Claire's monitoring ends with it.
    let mut ann = Agent::sign_in(&server, "ann@example.com").await;
    let end = AgentCommand::End {
        conversation: chat.clone(),
        wrap_up: "Resolved".into(),
    };
    assert!(
        ok(&ann.command(end).await),
        "Ann still holds it after the restart"
    );
    claire
        .expect(|e| matches!(e, AgentEvent::Closed { conversation } if *conversation == chat))
        .await;
    let stop = AgentCommand::StopMonitoring { conversation: chat };
    assert_eq!(refusal(claire.command(stop).await), ErrorCode::NotFound);
}

#[tokio::test]
async fn a_supervisor_sets_a_stuck_agents_presence_and_signs_an_agent_out() {
    let server = Server::start(&config(1));
    let mut ann = available_agent(&server, "ann@example.com").await;
    let mut bo = Agent::sign_in(&server, "bo@example.com").await;
    let mut claire = Agent::sign_in(&server, "claire@example.com").await;
    let (ann_id, bo_id) = (
        agent_id(&server, "ann@example.com").await,
        agent_id(&server, "bo@example.com").await,
    );
    // Ann lets an offer expire: RONA.
    let _zoe = Customer::start(&server, "Zoë", "Hello").await;
    ann.expect(|e| {
        matches!(
            e,
            AgentEvent::Presence {
                presence: Presence::Rona,
                ..
            }
        )
    })
    .await;
    // A reason is needed, and Offline is refused to someone holding conversations (none here).
    let no_reason = AgentCommand::SetAgentPresence {
        agent: ann_id.clone(),
        presence: PresenceRequest::Available,
        reason: "  ".into(),
    };
    assert_eq!(
        refusal(claire.command(no_reason).await),
        ErrorCode::InvalidInput
    );
    let back = AgentCommand::SetAgentPresence {
        agent: ann_id.clone(),
        presence: PresenceRequest::Available,
        reason: "Back from RONA".into(),
    };
    assert!(ok(&claire.command(back).await));
    let told = ann
        .expect(|e| matches!(e, AgentEvent::PresenceSetBy { .. }))
        .await;
    assert_eq!(
        told,
        AgentEvent::PresenceSetBy {
            supervisor: "Claire".into(),
            reason: "Back from RONA".into()
        }
    );
    ann.expect(|e| {
        matches!(
            e,
            AgentEvent::Presence {
                presence: Presence::Available,
                ..
            }
        )
    })
    .await;

    // Signing Bo out closes his desktop with the reason and ends his session.
    let out = AgentCommand::SignOutAgent {
        agent: bo_id,
        reason: "Shift over".into(),
    };
    assert!(ok(&claire.command(out).await));
    let error = bo.next_error().await;
    assert_eq!(error.code, ErrorCode::SessionRevoked);
    assert_eq!(
        error.message,
        "Supervisor Claire signed you out: Shift over"
    );
    assert!(bo.closed_by_server().await);
    let again = tokio_tungstenite::connect_async(support::agent_socket(&server, &bo.token)).await;
    assert!(again.is_err(), "the session is over");

    assert_eq!(
        audit_log(&server).await,
        vec![
            entry(
                "claire@example.com",
                "signed_out",
                "bo@example.com",
                "Shift over"
            ),
            entry(
                "claire@example.com",
                "presence_changed",
                "ann@example.com",
                "available: Back from RONA"
            ),
        ]
    );
}

#[tokio::test]
async fn a_supervisor_moves_a_waiting_conversation_to_another_queue_and_assigns_it() {
    let server = Server::start(&config(30));
    let mut claire = Agent::sign_in(&server, "claire@example.com").await;
    let mut ann = Agent::sign_in(&server, "ann@example.com").await;
    let lunch = AgentCommand::SetPresence {
        presence: PresenceRequest::Idle {
            reason: "Lunch".into(),
        },
    };
    assert!(ok(&ann.command(lunch).await));
    let mut zoe = Customer::start(&server, "Zoë", "About my invoice").await;
    let mut view = LiveView::default();
    assert!(ok(&claire
        .command(AgentCommand::WatchLive { watch: true })
        .await));
    claire
        .watch_until(&mut view, |view| view.conversations.len() == 1)
        .await;
    let chat: ConversationId = view.conversations.keys().next().unwrap().clone();
    let billing = QueueId("billing".into());
    let move_it = AgentCommand::MoveToQueue {
        conversation: chat.clone(),
        queue: billing.clone(),
    };
    assert!(ok(&claire.command(move_it.clone()).await));
    assert_eq!(
        refusal(claire.command(move_it).await),
        ErrorCode::InvalidState
    );
    claire
        .watch_until(&mut view, |view| {
            view.queue("billing").waiting == 1 && view.queue("general").waiting == 0
        })
        .await;
    assert_eq!(view.conversations[&chat].queue.id, billing);
    // Ann is signed in but Idle (in neither queue's offers): assigned, it is hers at once.
    let ann_id = agent_id(&server, "ann@example.com").await;
    let assign = AgentCommand::Assign {
        conversation: chat.clone(),
        agent: ann_id.clone(),
    };
    assert!(ok(&claire.command(assign).await));
    let held = ann.next_snapshot().await;
    ann.expect(|e| {
        matches!(
            e,
            AgentEvent::Notice {
                scenario: Scenario::Assigned,
                ..
            }
        )
    })
    .await;
    assert_eq!(held.queue.id, billing);
    zoe.expect(|e| matches!(e, CustomerEvent::AgentJoined { .. }))
        .await;
    claire
        .watch_until(&mut view, |view| {
            matches!(&view.conversations[&chat].stage, LiveStage::Held { agent, .. } if *agent == ann_id)
        })
        .await;
    let subject = chat.0.as_str();
    assert_eq!(
        audit_log(&server).await,
        vec![
            entry(
                "claire@example.com",
                "conversation_assigned",
                subject,
                "to ann@example.com"
            ),
            entry(
                "claire@example.com",
                "conversation_moved",
                subject,
                "to billing"
            ),
        ]
    );
}

#[tokio::test]
async fn the_live_view_follows_a_scripted_day_as_it_happens() {
    let server = Server::start(&config(1));
    let mut claire = Agent::sign_in(&server, "claire@example.com").await;
    let mut view = LiveView::default();
    assert!(ok(&claire
        .command(AgentCommand::WatchLive { watch: true })
        .await));
    claire
        .watch_until(&mut view, |view| {
            view.agents.len() == 3 && view.queues.len() == 2
        })
        .await;
    assert_eq!(view.pushes, 1, "the whole view comes first, at once");
    let general = view.queue("general");
    assert_eq!(
        (general.waiting, general.answered, general.target_seconds),
        (0, 0, 20)
    );
    assert_eq!(view.queue("billing").target_seconds, 5);
    assert!(!view.agent("ann@example.com").connected);

    // Ann comes in and lets Zoë's chat ring out: one RONA for her, Zoë waiting.
    let mut ann = available_agent(&server, "ann@example.com").await;
    claire
        .watch_until(&mut view, |view| {
            view.agent("ann@example.com").presence == Presence::Available
                && view.queue("general").agents.available >= 1
        })
        .await;
    let zoe = Customer::start(&server, "Zoë", "Hello").await;
    ann.expect(|e| {
        matches!(
            e,
            AgentEvent::Presence {
                presence: Presence::Rona,
                ..
            }
        )
    })
    .await;
    claire
        .watch_until(&mut view, |view| {
            let ann = view.agent("ann@example.com");
            let general = view.queue("general");
            ann.rona_today == 1
                && ann.presence == Presence::Rona
                && general.agents.rona == 1
                && general.waiting == 1
                && general.oldest_waiting_since.is_some()
        })
        .await;
    // Bo takes it at once: answered within the target.
    let mut bo = available_agent(&server, "bo@example.com").await;
    let taken = support::accept_offer(&mut bo).await;
    claire
        .watch_until(&mut view, |view| {
            let general = view.queue("general");
            general.waiting == 0 && general.answered == 1 && general.answered_in_target == 1
        })
        .await;
    assert!(view.queue("general").average_wait.is_some());
    assert_eq!(view.agent("bo@example.com").held, 1);
    assert!(matches!(
        view.conversations[&taken.id].stage,
        LiveStage::Held { .. }
    ));
    // The trends are sampled every second.
    claire
        .watch_until(&mut view, |view| {
            view.agent("bo@example.com").held_trend.last() == Some(&1)
        })
        .await;
    // Ann and Bo go to lunch, and Max gives up waiting.
    for agent in [&mut ann, &mut bo] {
        let idle = AgentCommand::SetPresence {
            presence: PresenceRequest::Idle {
                reason: "Lunch".into(),
            },
        };
        assert!(ok(&agent.command(idle).await));
    }
    let mut max = Customer::start(&server, "Max", "Anyone?").await;
    // The count is pushed at once; its trend follows at the next second's sample.
    claire
        .watch_until(&mut view, |view| {
            let general = view.queue("general");
            general.waiting == 1 && general.waiting_trend.last() == Some(&1)
        })
        .await;
    assert_eq!(max.command(CustomerCommand::End).await, CustomerOutcome::Ok);
    claire
        .watch_until(&mut view, |view| {
            view.queue("general").abandoned == 1 && view.queue("general").waiting == 0
        })
        .await;
    // Bo ends Zoë's chat: when his last one ended is shown.
    let end = AgentCommand::End {
        conversation: taken.id.clone(),
        wrap_up: "Resolved".into(),
    };
    assert!(ok(&bo.command(end).await));
    claire
        .watch_until(&mut view, |view| {
            view.agent("bo@example.com").last_ended_at.is_some()
                && !view.conversations.contains_key(&taken.id)
        })
        .await;
    let general = view.queue("general");
    assert_eq!(
        (
            general.answered,
            general.answered_in_target,
            general.abandoned
        ),
        (1, 1, 1)
    );
    assert_eq!(view.agent("ann@example.com").rona_today, 1);
    drop(zoe);

    // Stopping: no more pushes.
    assert!(ok(&claire
        .command(AgentCommand::WatchLive { watch: false })
        .await));
    claire.live.clear();
    let mut late = Customer::start(&server, "Late", "Hi").await;
    let _ = late.command(CustomerCommand::End).await;
    let probe = AgentCommand::ListQueues;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    claire.command(probe).await;
    assert!(claire.live.is_empty(), "{:?}", claire.live);
}
