//! The system tray: an icon per presence (with a marker while an alert waits), and a menu to
//! change presence, open the window, sign out or quit. It is redrawn from the same updates as
//! the window, so the two agree.

use switchboard_desk::Indicator;
use switchboard_protocol::Presence;
use switchboard_protocol::agent::PresenceRequest;
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};

use crate::shell::Shell;
use crate::window;

const TRAY: &str = "main";

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

fn presence_label(shell: &Shell, presence: &Presence) -> String {
    let labels = shell.labels();
    match presence {
        Presence::Available => labels.get("presence.available", &[]),
        Presence::Idle { reason } => labels.get("presence.idle_reason", &[("reason", reason)]),
        Presence::Rona => labels.get("presence.rona", &[]),
        Presence::Offline => labels.get("presence.offline", &[]),
    }
}

fn menu<R: Runtime>(
    app: &AppHandle<R>,
    indicator: &Indicator,
    shell: &Shell,
) -> tauri::Result<Menu<R>> {
    let labels = shell.labels();
    let presence = indicator.presence();
    let desk = shell.desk();
    let signed_in = desk.is_some();
    let idle_reasons = desk
        .map(|desk| desk.snapshot().profile.idle_reasons)
        .unwrap_or_default();
    let status = MenuItem::with_id(
        app,
        "status",
        presence_label(shell, presence),
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

fn tooltip(indicator: &Indicator, shell: &Shell) -> String {
    let mut text = format!(
        "Switchboard — {}",
        presence_label(shell, indicator.presence())
    );
    if indicator.pending_alerts() > 0 {
        let count = indicator.pending_alerts().to_string();
        text.push_str(&format!(
            " · {}",
            shell.labels().get("tray.alert", &[("count", &count)])
        ));
    }
    text
}

/// Creates the tray (offline until a desk says otherwise).
pub(crate) fn create<R: Runtime>(app: &AppHandle<R>, shell: &Shell) -> tauri::Result<TrayIcon<R>> {
    let indicator = Indicator::offline();
    TrayIconBuilder::with_id(TRAY)
        .icon(icon(indicator.presence(), false))
        .title("Switchboard")
        .tooltip(tooltip(&indicator, shell))
        .menu(&menu(app, &indicator, shell)?)
        .show_menu_on_left_click(false)
        .on_menu_event(on_menu)
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                window::raise(tray.app_handle());
            }
        })
        .build(app)
}

/// Redraws the tray for `indicator`.
pub(crate) fn show<R: Runtime>(app: &AppHandle<R>, indicator: &Indicator, shell: &Shell) {
    let Some(tray) = app.tray_by_id(TRAY) else {
        return;
    };
    let alert = indicator.pending_alerts() > 0;
    let redrawn = tray
        .set_icon(Some(icon(indicator.presence(), alert)))
        .and_then(|()| tray.set_tooltip(Some(tooltip(indicator, shell))))
        .and_then(|()| tray.set_menu(Some(menu(app, indicator, shell)?)));
    if let Err(error) = redrawn {
        tracing::warn!(%error, "the tray could not be redrawn");
    }
}

fn on_menu<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    let id = event.id().as_ref().to_owned();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let shell = app.state::<Shell>();
        let request = match id.as_str() {
            "open" => return window::raise(&app),
            "quit" => return app.exit(0),
            "sign-out" => return shell.sign_out(&app).await,
            "presence:available" => PresenceRequest::Available,
            other => match other.strip_prefix("presence:idle:") {
                Some(reason) => PresenceRequest::Idle {
                    reason: reason.to_owned(),
                },
                None => return,
            },
        };
        if let Some(desk) = shell.desk()
            && let Err(error) = desk.set_presence(request).await
        {
            tracing::warn!(%error, "the presence chosen in the tray was not set");
            // The check marks go back to the presence the server knows.
            show(&app, &Indicator::new(&desk.snapshot()), &shell);
        }
    });
}
