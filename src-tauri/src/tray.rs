//! The system tray: an icon per presence (with a marker while an alert waits), and a menu to
//! change presence, open the window, sign out or quit. It is redrawn from the same updates as
//! the window, so the two agree.

use switchboard_desk::Indicator;
use switchboard_protocol::Presence;
use switchboard_protocol::agent::PresenceRequest;
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Runtime};

use crate::labels::Labels;

const TRAY: &str = "main";

/// What the tray draws: presence and alerts, in the agent's words, with the idle reasons of the
/// signed-in desk's profile.
#[derive(Debug)]
pub(crate) struct TrayView {
    pub(crate) indicator: Indicator,
    pub(crate) labels: Labels,
    pub(crate) signed_in: bool,
    pub(crate) idle_reasons: Vec<String>,
}

/// What the agent chose in the tray.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TrayChoice {
    OpenWindow,
    Quit,
    SignOut,
    Presence(PresenceRequest),
}

impl TrayChoice {
    fn of_menu_item(id: &str) -> Option<TrayChoice> {
        Some(match id {
            "open" => TrayChoice::OpenWindow,
            "quit" => TrayChoice::Quit,
            "sign-out" => TrayChoice::SignOut,
            "presence:available" => TrayChoice::Presence(PresenceRequest::Available),
            other => TrayChoice::Presence(PresenceRequest::Idle {
                reason: other.strip_prefix("presence:idle:")?.to_owned(),
            }),
        })
    }
}

fn icon(presence: &Presence, alert: bool) -> Image<'static> {
    let bytes: &'static [u8] = match (presence, alert) {
        (Presence::Available, false) => include_bytes!("../../icons/tray/available.png"),
        (Presence::Available, true) => include_bytes!("../../icons/tray/available-alert.png"),
        (Presence::Idle { .. }, false) => include_bytes!("../../icons/tray/idle.png"),
        (Presence::Idle { .. }, true) => include_bytes!("../../icons/tray/idle-alert.png"),
        (Presence::Rona, false) => include_bytes!("../../icons/tray/rona.png"),
        (Presence::Rona, true) => include_bytes!("../../icons/tray/rona-alert.png"),
        (Presence::Offline, false) => include_bytes!("../../icons/tray/offline.png"),
        (Presence::Offline, true) => include_bytes!("../../icons/tray/offline-alert.png"),
    };
    Image::from_bytes(bytes).expect("the tray icons are PNG files")
}

fn presence_label(labels: &Labels, presence: &Presence) -> String {
    match presence {
        Presence::Available => labels.get("presence.available", &[]),
        Presence::Idle { reason } => labels.get("presence.idle_reason", &[("reason", reason)]),
        Presence::Rona => labels.get("presence.rona", &[]),
        Presence::Offline => labels.get("presence.offline", &[]),
    }
}

fn menu<R: Runtime>(app: &AppHandle<R>, view: &TrayView) -> tauri::Result<Menu<R>> {
    let TrayView {
        indicator,
        labels,
        signed_in,
        idle_reasons,
    } = view;
    let (presence, signed_in) = (indicator.presence(), *signed_in);
    let status = MenuItem::with_id(
        app,
        "status",
        presence_label(labels, presence),
        false,
        None::<&str>,
    )?;
    let available = CheckMenuItem::with_id(
        app,
        "presence:available",
        labels.get("presence.available", &[]),
        signed_in,
        *presence == Presence::Available,
        None::<&str>,
    )?;
    let idle_items = idle_reasons
        .iter()
        .map(|reason| {
            let chosen =
                matches!(presence, Presence::Idle { reason: current } if current == reason);
            CheckMenuItem::with_id(
                app,
                format!("presence:idle:{reason}"),
                reason,
                true,
                chosen,
                None::<&str>,
            )
        })
        .collect::<tauri::Result<Vec<_>>>()?;
    let idle_refs: Vec<&dyn tauri::menu::IsMenuItem<R>> = idle_items
        .iter()
        .map(|item| item as &dyn tauri::menu::IsMenuItem<R>)
        .collect();
    let idle = Submenu::with_id_and_items(
        app,
        "presence:idle",
        labels.get("tray.idle", &[]),
        signed_in && !idle_items.is_empty(),
        &idle_refs,
    )?;
    let open = MenuItem::with_id(
        app,
        "open",
        labels.get("tray.open", &[]),
        true,
        None::<&str>,
    )?;
    let sign_out = MenuItem::with_id(
        app,
        "sign-out",
        labels.get("tray.sign_out", &[]),
        signed_in,
        None::<&str>,
    )?;
    let quit = MenuItem::with_id(
        app,
        "quit",
        labels.get("tray.quit", &[]),
        true,
        None::<&str>,
    )?;
    let separator = PredefinedMenuItem::separator(app)?;
    let separator2 = PredefinedMenuItem::separator(app)?;
    Menu::with_items(
        app,
        &[
            &status,
            &separator,
            &available,
            &idle,
            &separator2,
            &open,
            &sign_out,
            &quit,
        ],
    )
}

fn tooltip(view: &TrayView) -> String {
    let indicator = &view.indicator;
    let mut text = format!(
        "Switchboard — {}",
        presence_label(&view.labels, indicator.presence())
    );
    if indicator.pending_alerts() > 0 {
        let count = indicator.pending_alerts().to_string();
        text.push_str(&format!(
            " · {}",
            view.labels.get("tray.alert", &[("count", &count)])
        ));
    }
    text
}

/// Creates the tray showing `view`; what the agent chooses in it goes to `on_choice`.
pub(crate) fn create<R: Runtime>(
    app: &AppHandle<R>,
    view: &TrayView,
    on_choice: impl Fn(&AppHandle<R>, TrayChoice) + Send + Sync + 'static,
) -> tauri::Result<TrayIcon<R>> {
    let on_choice = std::sync::Arc::new(on_choice);
    let on_click = on_choice.clone();
    TrayIconBuilder::with_id(TRAY)
        .icon(icon(view.indicator.presence(), false))
        .title("Switchboard")
        .tooltip(tooltip(view))
        .menu(&menu(app, view)?)
        .show_menu_on_left_click(false)
        .on_menu_event(move |app, event: MenuEvent| {
            if let Some(choice) = TrayChoice::of_menu_item(event.id().as_ref()) {
                on_choice(app, choice);
            }
        })
        .on_tray_icon_event(move |tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                on_click(tray.app_handle(), TrayChoice::OpenWindow);
            }
        })
        .build(app)
}

/// Redraws the tray as `view`.
pub(crate) fn show<R: Runtime>(app: &AppHandle<R>, view: &TrayView) {
    let Some(tray) = app.tray_by_id(TRAY) else {
        return;
    };
    let alert = view.indicator.pending_alerts() > 0;
    let redrawn = tray
        .set_icon(Some(icon(view.indicator.presence(), alert)))
        .and_then(|()| tray.set_tooltip(Some(tooltip(view))))
        .and_then(|()| tray.set_menu(Some(menu(app, view)?)));
    if let Err(error) = redrawn {
        tracing::warn!(%error, "the tray could not be redrawn");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn menu_items_name_the_choices() {
        assert_eq!(
            TrayChoice::of_menu_item("open"),
            Some(TrayChoice::OpenWindow)
        );
        assert_eq!(
            TrayChoice::of_menu_item("sign-out"),
            Some(TrayChoice::SignOut)
        );
        assert_eq!(
            TrayChoice::of_menu_item("presence:idle:Lunch"),
            Some(TrayChoice::Presence(PresenceRequest::Idle {
                reason: "Lunch".into()
            }))
        );
        assert_eq!(TrayChoice::of_menu_item("status"), None);
    }
}
