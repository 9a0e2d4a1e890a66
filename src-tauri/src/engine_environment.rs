//! The web engine's start-up settings. WebKitGTK and JavaScriptCore read them from the
//! environment once, as their processes start, and a running process cannot safely change its own
//! environment: so the app settles them first, by executing itself again with what is missing.
//! A variable already set (by the user or the desktop) is left as it is.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::process::Command;

/// The settings missing from the environment (`current` answers what is set), given whether the
/// machine has a GPU render node.
pub(crate) fn missing(
    current: impl Fn(&str) -> Option<OsString>,
    has_render_node: bool,
) -> Vec<(&'static str, &'static str)> {
    let mut wanted = vec![
        // The window's script is small and the interpreter runs it well: without the JIT
        // compilers the web process keeps about 13 MiB less, and no writable code.
        ("JSC_useJIT", "0"),
        // The window never draws with GTK's OpenGL; without this GTK loads a GL driver at start
        // only to choose visuals.
        ("GDK_GL", "disable"),
    ];
    if !has_render_node {
        // Without a GPU (virtual desktops, remote sessions) WebKit's DMA-BUF renderer shows
        // nothing; its shared-memory path works everywhere.
        wanted.push(("WEBKIT_DISABLE_DMABUF_RENDERER", "1"));
        // Told there is no render device, the app process no longer loads a software GL driver
        // (about 20 MiB) only to find that out; the web process still renders as before.
        wanted.push(("WEBKIT_WEB_RENDER_DEVICE_FILE", "/dev/null"));
    }
    wanted.retain(|(name, _)| current(name).is_none());
    wanted
}

/// Whether the kernel offers a GPU render node (`/dev/dri/renderD*`).
fn has_render_node() -> bool {
    std::fs::read_dir("/dev/dri").is_ok_and(|entries| {
        entries
            .flatten()
            .any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// Executes the app again with the missing settings, keeping its arguments and process id.
/// Returns when nothing is missing, or when that fails (logged: the app then runs without them).
pub(crate) fn settle() {
    let missing = missing(|name| std::env::var_os(name), has_render_node());
    if missing.is_empty() {
        return;
    }
    let program = match std::env::current_exe() {
        Ok(program) => program,
        Err(error) => {
            tracing::warn!(%error, "the web engine starts without its settings");
            return;
        }
    };
    let mut args = std::env::args_os();
    let mut command = Command::new(&program);
    if let Some(name) = args.next() {
        command.arg0(name);
    }
    let error = command.args(args).envs(missing).exec();
    tracing::warn!(%error, program = %program.display(), "the web engine starts without its settings");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unset(_: &str) -> Option<OsString> {
        None
    }

    #[test]
    fn without_a_gpu_the_engine_is_told_there_is_no_render_device() {
        assert_eq!(
            missing(unset, false),
            [
                ("JSC_useJIT", "0"),
                ("GDK_GL", "disable"),
                ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
                ("WEBKIT_WEB_RENDER_DEVICE_FILE", "/dev/null"),
            ]
        );
    }

    #[test]
    fn with_a_gpu_the_engine_finds_its_own_way_to_it() {
        assert_eq!(
            missing(unset, true),
            [("JSC_useJIT", "0"), ("GDK_GL", "disable")]
        );
    }

    #[test]
    fn what_is_already_set_is_kept_so_the_app_executes_itself_at_most_once() {
        let user = |name: &str| (name == "JSC_useJIT").then(|| OsString::from("1"));
        assert_eq!(
            missing(user, false),
            [
                ("GDK_GL", "disable"),
                ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
                ("WEBKIT_WEB_RENDER_DEVICE_FILE", "/dev/null"),
            ]
        );
        let everything = |_: &str| Some(OsString::from("set"));
        assert!(missing(everything, false).is_empty());
    }
}
