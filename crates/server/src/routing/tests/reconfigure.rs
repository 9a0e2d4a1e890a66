use super::*;

#[test]
fn a_file_read_again_may_add_queues_but_not_drop_a_served_one() {
    let mut router = router(&["ann"]);
    let without_billing = CONFIG.replace(
        "[[queues]]\n    id = \"billing\"\n    name = \"Billing\"\n    escalation = true\n",
        "",
    );
    let dropped = Config::parse(&without_billing).unwrap();
    let refused = router.check_reconfigure(&dropped).unwrap_err();
    assert_eq!(refused.key, "queues");
    assert!(
        refused.problem.contains("\"billing\" is served"),
        "{refused}"
    );

    let more = format!("{CONFIG}\n[[queues]]\nid = \"vip\"\nname = \"VIP\"\n").replace(
        "[\"Resolved\", \"Follow-up\"]",
        "[\"Resolved\", \"Follow-up\", \"Spam\"]",
    );
    let more = Config::parse(&more).unwrap();
    router.check_reconfigure(&more).unwrap();
    let mut fx = Effects::default();
    router.agent_connected(&AgentId::from("ann"), true, 0, &mut Effects::default());
    router.reconfigure(Arc::new(more), &mut fx);
    let ids: Vec<String> = router
        .queue_summaries()
        .into_iter()
        .map(|q| q.id.0)
        .collect();
    assert_eq!(ids, ["general", "billing", "vip"]);
    let told = fx.emits.iter().any(|emit| {
        matches!(emit, Emit::Agent(agent, AgentEvent::Profile { profile })
            if agent.0 == "ann" && profile.wrap_up_reasons.len() == 3)
    });
    assert!(told, "{:?}", fx.emits);
    // The same file again changes nothing, and tells nobody.
    let mut again = Effects::default();
    router.reconfigure(router.shared_config(), &mut again);
    assert!(again.emits.is_empty());
}
