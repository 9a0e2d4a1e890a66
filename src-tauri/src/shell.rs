//! The shell's state: the signed-in desk (if any), the keyring, OS notifications and the words
//! for them. For each desk a task carries its updates to the window, the OS notifications and
//! the tray; everything it decides comes from `switchboard-desk`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use switchboard_desk::{
    Answer, Desk, Indicator, SERVER_PATIENCE, SecretStore, SignInError, Update,
};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::Notify;
use tokio::sync::broadcast::error::RecvError;

use crate::labels::Labels;
use crate::notifications::{Choice, OsNotifications};
use crate::tray::{self, TrayChoice, TrayView};
use crate::{events, settings, window};

pub(crate) struct Shell {
    desk: Mutex<Option<Desk>>,
    secrets: Arc<dyn SecretStore>,
    notifications: Arc<OsNotifications>,
    labels: Mutex<Labels>,
    /// The window asks for a fresh snapshot; the forwarding task sends it in order with the
    /// updates, so none is lost or shown out of date.
    redraw: Arc<Notify>,
    /// Signing in as the app started (`--server/--email`), or resuming the remembered session,
    /// is under way: the window waits for the desk instead of offering the sign-in form.
    desk_on_its_way: AtomicBool,
}

impl std::fmt::Debug for Shell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shell").finish_non_exhaustive()
    }
}

/// The server and e-mail the sign-in form starts with next time.
fn remember_address<R: Runtime>(app: &AppHandle<R>, server: &str, email: &str) {
    let mut saved = settings::load(app);
    saved.server = server.to_owned();
    saved.email = email.to_owned();
    settings::save(app, &saved);
}

impl Shell {
    pub(crate) fn new(secrets: Arc<dyn SecretStore>, language: Option<&str>) -> Shell {
        Shell {
            desk: Mutex::new(None),
            secrets,
            notifications: Arc::new(OsNotifications::default()),
            labels: Mutex::new(Labels::new(language)),
            redraw: Arc::new(Notify::new()),
            desk_on_its_way: AtomicBool::new(false),
        }
    }

    pub(crate) fn desk(&self) -> Option<Desk> {
        self.desk.lock().expect("not poisoned").clone()
    }

    /// Whether the window should wait for a desk: one is signed in, or on its way.
    pub(crate) fn expects_desk(&self) -> bool {
        self.desk().is_some() || self.desk_on_its_way.load(Ordering::SeqCst)
    }

    /// Has the window redrawn from a fresh snapshot (if a desk is signed in).
    pub(crate) fn redraw(&self) {
        self.redraw.notify_one();
    }

    pub(crate) fn labels(&self) -> Labels {
        self.labels.lock().expect("not poisoned").clone()
    }

    /// What the tray shows for `indicator`.
    pub(crate) fn tray_view(&self, indicator: &Indicator) -> TrayView {
        let desk = self.desk();
        TrayView {
            indicator: indicator.clone(),
            labels: self.labels(),
            signed_in: desk.is_some(),
            idle_reasons: desk
                .map(|desk| desk.snapshot().profile.idle_reasons)
                .unwrap_or_default(),
        }
    }

    fn redraw_tray<R: Runtime>(&self, app: &AppHandle<R>, indicator: &Indicator) {
        tray::show(app, &self.tray_view(indicator));
    }

    /// Carries out what the agent chose in the tray.
    pub(crate) async fn tray_choice<R: Runtime>(&self, app: &AppHandle<R>, choice: TrayChoice) {
        let request = match choice {
            TrayChoice::OpenWindow => return window::raise(app),
            TrayChoice::Quit => return app.exit(0),
            TrayChoice::SignOut => return self.sign_out(app).await,
            TrayChoice::Presence(request) => request,
        };
        if let Some(desk) = self.desk()
            && let Err(error) = desk.set_presence(request).await
        {
            tracing::warn!(%error, "the presence chosen in the tray was not set");
            // The check marks go back to the presence the server knows.
            self.redraw_tray(app, &Indicator::new(&desk.snapshot()));
        }
    }

    pub(crate) fn set_language<R: Runtime>(&self, app: &AppHandle<R>, language: Option<&str>) {
        *self.labels.lock().expect("not poisoned") = Labels::new(language);
        let indicator = self
            .desk()
            .map_or_else(Indicator::offline, |desk| Indicator::new(&desk.snapshot()));
        self.redraw_tray(app, &indicator);
    }

    /// Resumes the session remembered in the store and keyring, if any. The keyring may wait on
    /// an unlock prompt for as long as the agent takes: the app stays responsive meanwhile, and
    /// the window waits for the desk.
    pub(crate) fn restore<R: Runtime>(&self, app: &AppHandle<R>) {
        let settings = settings::load(app);
        let Some(agent) = settings::signed_in_agent(app) else {
            return;
        };
        self.desk_on_its_way.store(true, Ordering::SeqCst);
        let (app, secrets) = (app.clone(), self.secrets.clone());
        tauri::async_runtime::spawn(async move {
            let restored = tauri::async_runtime::spawn_blocking(move || {
                Desk::restore(&settings.server, agent, secrets)
            })
            .await;
            let shell = app.state::<Shell>();
            match restored {
                Ok(Ok(Some(desk))) => shell.attach(&app, desk),
                Ok(Ok(None)) => {}
                failed => tracing::warn!(?failed, "the remembered session could not be read"),
            }
            shell.arrived(&app);
        });
    }

    /// The desk on its way has come, or will not: without one the window offers the form.
    fn arrived<R: Runtime>(&self, app: &AppHandle<R>) {
        self.desk_on_its_way.store(false, Ordering::SeqCst);
        if self.desk().is_none() {
            let _ = app.emit(events::SIGNED_OUT, ());
        }
    }

    pub(crate) async fn sign_in<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        server: &str,
        email: &str,
        password: &str,
    ) -> Result<Desk, SignInError> {
        let desk = Desk::sign_in(server, email, password, self.secrets.clone()).await?;
        self.signed_in(app, server, email, desk.clone());
        Ok(desk)
    }

    fn signed_in<R: Runtime>(&self, app: &AppHandle<R>, server: &str, email: &str, desk: Desk) {
        remember_address(app, server, email);
        settings::remember_agent(app, Some(desk.agent()));
        self.attach(app, desk);
    }

    /// Signs in as the app starts; if that fails, the window offers the sign-in form.
    pub(crate) fn sign_in_at_start<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        server: String,
        email: String,
        password: String,
    ) {
        self.desk_on_its_way.store(true, Ordering::SeqCst);
        // Should it fail, the sign-in form offers what the app was started with.
        remember_address(app, &server, &email);
        let (app, secrets) = (app.clone(), self.secrets.clone());
        tauri::async_runtime::spawn(async move {
            let shell = app.state::<Shell>();
            let waiting = || {
                let _ = app.emit(events::WAITING_FOR_SERVER, ());
            };
            let signed_in = Desk::sign_in_at_start(
                &server,
                &email,
                &password,
                secrets,
                SERVER_PATIENCE,
                waiting,
            )
            .await;
            // Attached before the flag clears: the window sees a desk or the flag throughout.
            match signed_in {
                Ok(desk) => shell.signed_in(&app, &server, &email, desk),
                Err(error) => {
                    tracing::error!(%error, %server, %email, "signing in at start failed")
                }
            }
            shell.arrived(&app);
        });
    }

    pub(crate) async fn sign_out<R: Runtime>(&self, app: &AppHandle<R>) {
        let desk = self.desk.lock().expect("not poisoned").take();
        if let Some(desk) = desk
            && let Err(error) = desk.sign_out().await
        {
            tracing::warn!(%error, "the session token could not be deleted from the keyring");
        }
        settings::remember_agent(app, None);
        self.redraw_tray(app, &Indicator::offline());
        let _ = app.emit(events::SIGNED_OUT, ());
    }

    fn attach<R: Runtime>(&self, app: &AppHandle<R>, desk: Desk) {
        let updates = desk.updates();
        tracing::info!("signed in");
        *self.desk.lock().expect("not poisoned") = Some(desk.clone());
        let indicator = Indicator::new(&desk.snapshot());
        self.redraw_tray(app, &indicator);
        tauri::async_runtime::spawn(forward(
            app.clone(),
            desk,
            updates,
            indicator,
            self.redraw.clone(),
        ));
    }
}

/// Carries one desk's updates until it is signed out. The window gets a snapshot first (taken
/// after subscribing: the updates that follow are all newer or already in it, and applying one
/// again changes nothing), then every update in order; a fresh snapshot when it falls behind or
/// asks for one.
async fn forward<R: Runtime>(
    app: AppHandle<R>,
    desk: Desk,
    mut updates: tokio::sync::broadcast::Receiver<Update>,
    mut indicator: Indicator,
    redraw: Arc<Notify>,
) {
    let _ = app.emit(events::SNAPSHOT, desk.snapshot());
    loop {
        let received = tokio::select! {
            received = updates.recv() => received,
            () = redraw.notified() => Err(RecvError::Lagged(0)),
        };
        let update = match received {
            Ok(update) => update,
            Err(RecvError::Lagged(_)) => {
                let snapshot = desk.snapshot();
                indicator = Indicator::new(&snapshot);
                let _ = app.emit(events::SNAPSHOT, &snapshot);
                continue;
            }
            Err(RecvError::Closed) => return,
        };
        let shell = app.state::<Shell>();
        // A desk signed out (or replaced by another sign-in) stops here.
        let current = shell.desk().map(|current| current.session_account());
        if current.as_deref() != Some(desk.session_account().as_str()) {
            return;
        }
        let _ = app.emit(events::UPDATE, &update);
        match &update {
            Update::Notify { notification } => {
                let conversation = notification.conversation.clone();
                let answering = desk.clone();
                let raising = app.clone();
                let on_choice = move |choice| {
                    tauri::async_runtime::spawn(async move {
                        let done = match choice {
                            Choice::Accept => answering.answer(&conversation, Answer::Accept).await,
                            Choice::Reject => answering.answer(&conversation, Answer::Reject).await,
                            Choice::Open => answering.open(&conversation).await,
                        };
                        match done {
                            Err(error) => {
                                tracing::warn!(%error, %conversation, "the notification's action was not carried out")
                            }
                            Ok(()) if choice != Choice::Reject => {
                                window::raise_on(&raising, &conversation)
                            }
                            Ok(()) => {}
                        }
                    });
                };
                let labels = shell.labels();
                shell
                    .notifications
                    .show(notification, &labels, switchboard_desk::now(), on_choice)
                    .await;
            }
            Update::Dismiss { id, .. } => shell.notifications.close(id).await,
            _ => {}
        }
        // The idle reasons in the tray's menu come with the profile.
        if indicator.apply(&update) || matches!(update, Update::Profile { .. }) {
            shell.redraw_tray(&app, &indicator);
        }
    }
}
