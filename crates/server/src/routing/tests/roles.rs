//! What each role may do.

use super::*;
use crate::routing::Readable;
use switchboard_protocol::agent::Role;

#[test]
fn only_supervisors_and_administrators_search_everyones_conversations() {
    let mut router = router(&["ann"]);
    for role in [Role::Supervisor, Role::Administrator] {
        let id = AgentId(role.to_string());
        router.add_agent(
            AgentRecord {
                role,
                ..agent(&id.0)
            },
            0,
        );
        assert_eq!(router.search_scope(&id, true), Ok(Readable::Everyone));
        assert_eq!(router.readable(&id), Readable::Everyone);
    }

    let ann = AgentId::from("ann");
    let refused = router.search_scope(&ann, true).unwrap_err();
    assert_eq!(refused.code, ErrorCode::Forbidden);
    assert_eq!(
        router.search_scope(&ann, false),
        Ok(Readable::TheirOwn(ann.clone()))
    );
    assert_eq!(router.readable(&ann), Readable::TheirOwn(ann.clone()));
    // Nobody the server does not know has a supervisor's powers.
    assert!(router.search_scope(&"nobody".into(), true).is_err());

    // A new role holds at once, both ways.
    router.set_role(&ann, Role::Supervisor);
    assert_eq!(router.search_scope(&ann, true), Ok(Readable::Everyone));
    router.set_role(&"supervisor".into(), Role::Agent);
    assert!(router.search_scope(&"supervisor".into(), true).is_err());
}
