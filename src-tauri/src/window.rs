//! The main window: raised on a conversation from a notification or the tray, hidden (not
//! closed) when the agent closes it, its geometry remembered between runs.

use switchboard_protocol::ConversationId;
use tauri::{
    AppHandle, Emitter, Manager, PhysicalPosition, PhysicalSize, Runtime, WebviewWindow,
    WindowEvent,
};

use crate::events;
use crate::settings::{self, Geometry};

const MAIN: &str = "main";

fn main_window<R: Runtime>(app: &AppHandle<R>) -> Option<WebviewWindow<R>> {
    app.get_webview_window(MAIN)
}

/// Shows the window in front.
pub(crate) fn raise<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = main_window(app) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// Shows the window on `conversation`.
pub(crate) fn raise_on<R: Runtime>(app: &AppHandle<R>, conversation: &ConversationId) {
    raise(app);
    let _ = app.emit(events::OPEN, conversation);
}

/// Puts the window where it was last time (if that is still on a screen) and shows it.
pub(crate) fn restore_geometry<R: Runtime>(app: &AppHandle<R>) {
    let (Some(window), Some(geometry)) = (main_window(app), settings::geometry(app)) else {
        return;
    };
    let on_screen = window
        .available_monitors()
        .unwrap_or_default()
        .iter()
        .any(|monitor| {
            let position = monitor.position();
            let size = monitor.size();
            geometry.x >= position.x
                && geometry.y >= position.y
                && geometry.x < position.x + size.width as i32
                && geometry.y < position.y + size.height as i32
        });
    if on_screen {
        let _ = window.set_position(PhysicalPosition::new(geometry.x, geometry.y));
    }
    let _ = window.set_size(PhysicalSize::new(geometry.width, geometry.height));
    if geometry.maximized {
        let _ = window.maximize();
    }
}

fn save_geometry<R: Runtime>(window: &tauri::Window<R>) {
    let (Ok(position), Ok(size)) = (window.outer_position(), window.inner_size()) else {
        return;
    };
    let maximized = window.is_maximized().unwrap_or(false);
    let previous = settings::geometry(window.app_handle());
    // A maximized window keeps the size it returns to.
    let (x, y, width, height) = match (maximized, previous) {
        (true, Some(previous)) => (previous.x, previous.y, previous.width, previous.height),
        _ => (position.x, position.y, size.width, size.height),
    };
    settings::remember_geometry(
        window.app_handle(),
        &Geometry {
            x,
            y,
            width,
            height,
            maximized,
        },
    );
}

/// Closing the window keeps the app in the tray; moves and resizes are remembered.
pub(crate) fn on_event<R: Runtime>(window: &tauri::Window<R>, event: &WindowEvent) {
    if window.label() != MAIN {
        return;
    }
    match event {
        WindowEvent::CloseRequested { api, .. } => {
            save_geometry(window);
            api.prevent_close();
            let _ = window.hide();
        }
        WindowEvent::Moved(_) | WindowEvent::Resized(_) => save_geometry(window),
        _ => {}
    }
}
