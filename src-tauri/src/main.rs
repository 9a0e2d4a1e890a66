//! The Switchboard agent desktop: a thin Tauri shell over `switchboard-desk`. This file wires
//! the pieces; `commands.rs` (the window's commands), `files.rs` (its file commands, raw bytes),
//! `shell.rs` (the signed-in desk and its update stream), `notifications.rs` (OS notifications),
//! `tray.rs`, `window.rs`, `settings.rs` (tauri-plugin-store), `keyring_secrets.rs`, `labels.rs` and
//! `engine_environment.rs` (the web engine's start-up settings) do the work.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod engine_environment;
mod events;
mod files;
mod keyring_secrets;
mod labels;
mod notifications;
mod settings;
mod shell;
mod supervision;
mod tray;
mod window;

use std::sync::Arc;

use clap::Parser;
use tauri::Manager;
use tauri::webview::PageLoadEvent;

use crate::keyring_secrets::KeyringSecrets;
use crate::shell::Shell;

/// The Switchboard agent desktop.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Sign in to this server at start (with --email; the password is read from the
    /// SWITCHBOARD_PASSWORD environment variable), instead of showing the sign-in screen.
    #[arg(long, requires = "email")]
    server: Option<String>,
    #[arg(long, requires = "server")]
    email: Option<String>,
    /// Start hidden in the tray.
    #[arg(long)]
    minimized: bool,
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,switchboard_desktop=debug".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    engine_environment::settle();
    let context = tauri::generate_context!();
    tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::default().build())
        .invoke_handler(tauri::generate_handler![
            commands::start,
            commands::sign_in,
            commands::sign_out,
            commands::snapshot,
            commands::set_presence,
            commands::answer,
            commands::answer_current,
            commands::open,
            commands::send_message,
            commands::send_note,
            commands::drafted,
            commands::templates,
            commands::insert_template,
            commands::end,
            commands::exit_conference,
            commands::transfer,
            commands::escalate,
            commands::park,
            commands::invite,
            commands::queues,
            commands::available_agents,
            commands::wrap_up_reasons,
            commands::mark_read,
            commands::show_earlier,
            commands::search_conversations,
            commands::report,
            files::export_report,
            commands::transcript,
            commands::save_settings,
            files::check_file,
            files::upload_file,
            files::file_content,
            files::channel_picture,
            files::save_file,
            supervision::watch_live,
            supervision::monitor,
            supervision::stop_monitoring,
            supervision::barge,
            supervision::set_agent_presence,
            supervision::sign_out_agent,
            supervision::assign,
            supervision::move_to_queue,
        ])
        .on_window_event(window::on_event)
        // Milestones of the window's start, read by `cargo xtask bench desktop`.
        .on_page_load(|_, page| match page.event() {
            PageLoadEvent::Started => tracing::info!("the page started loading"),
            PageLoadEvent::Finished => tracing::info!("the page loaded"),
        })
        .setup(move |app| {
            let handle = app.handle().clone();
            let saved = settings::load(&handle);
            let shell = Shell::new(Arc::new(KeyringSecrets::new()), saved.language.as_deref());
            let tray = shell.tray_view(&switchboard_desk::Indicator::offline());
            tray::create(&handle, &tray, |app, choice| {
                let app = app.clone();
                tauri::async_runtime::spawn(async move {
                    app.state::<Shell>().tray_choice(&app, choice).await;
                });
            })?;
            app.manage(shell);
            window::restore_geometry(&handle);
            if !args.minimized {
                window::raise(&handle);
            }
            let shell = handle.state::<Shell>();
            match (&args.server, &args.email) {
                (Some(server), Some(email)) => {
                    let password = std::env::var("SWITCHBOARD_PASSWORD").unwrap_or_default();
                    shell.sign_in_at_start(&handle, server.clone(), email.clone(), password);
                }
                _ => shell.restore(&handle),
            }
            Ok(())
        })
        .run(context)
        .expect("the desktop app runs");
}
