//! The agent's settings in the app's store (tauri-plugin-store): server address, e-mail, the
//! agent last signed in (to resume the session), language, window theme, last presence and
//! window geometry. The token is not here: it is in the keyring.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use switchboard_protocol::agent::AgentSummary;
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

const FILE: &str = "settings.json";

/// What the window shows and changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Settings {
    pub server: String,
    pub email: String,
    /// `None`: as the OS.
    pub language: Option<String>,
    pub window_theme: WindowTheme,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum WindowTheme {
    #[default]
    System,
    Light,
    Dark,
}

/// The main window's last position and size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct Geometry {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
    pub maximized: bool,
}

fn read<T: for<'de> Deserialize<'de>, R: Runtime>(app: &AppHandle<R>, key: &str) -> Option<T> {
    let store = app.store(FILE).ok()?;
    store
        .get(key)
        .and_then(|value| serde_json::from_value(value).ok())
}

fn write<T: Serialize, R: Runtime>(app: &AppHandle<R>, key: &str, value: &T) {
    let saved = app
        .store(FILE)
        .map_err(|e| e.to_string())
        .and_then(|store| {
            store.set(key, serde_json::to_value(value).unwrap_or(Value::Null));
            store.save().map_err(|e| e.to_string())
        });
    if let Err(error) = saved {
        tracing::warn!(%error, key, "a setting could not be saved");
    }
}

pub(crate) fn load<R: Runtime>(app: &AppHandle<R>) -> Settings {
    read(app, "settings").unwrap_or_default()
}

pub(crate) fn save<R: Runtime>(app: &AppHandle<R>, settings: &Settings) {
    write(app, "settings", settings);
}

pub(crate) fn signed_in_agent<R: Runtime>(app: &AppHandle<R>) -> Option<AgentSummary> {
    read(app, "agent")
}

pub(crate) fn remember_agent<R: Runtime>(app: &AppHandle<R>, agent: Option<&AgentSummary>) {
    write(app, "agent", &agent);
}

pub(crate) fn geometry<R: Runtime>(app: &AppHandle<R>) -> Option<Geometry> {
    read(app, "window")
}

pub(crate) fn remember_geometry<R: Runtime>(app: &AppHandle<R>, geometry: &Geometry) {
    write(app, "window", geometry);
}
