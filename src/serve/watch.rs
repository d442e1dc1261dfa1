//! Watching a site's sources. Events are debounced, so that a save which writes a temporary
//! file and renames it over the old one (as Excel and WPS do) is one change, and changes
//! that arrive during a rebuild are folded into the next one.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify_debouncer_full::notify::{self, EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};

/// Under the site's root, what a build reads besides `site.toml`.
pub(crate) const WATCHED_DIRS: [&str; 4] = ["content", "templates", "themes", "static"];

/// Quiet time after the last event before a rebuild starts: long enough to catch the
/// rename that ends a save (a save's writes and rename follow each other within a few
/// milliseconds), short enough that the sample's edit-to-reload stays under 100 ms. A
/// save that still comes as two rebuilds costs little: the second one renders only what
/// changed.
const DEBOUNCE: Duration = Duration::from_millis(15);

/// Stops watching when dropped.
pub(crate) struct Watcher {
    stop: mpsc::Sender<Message>,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.stop.send(Message::Stop);
    }
}

/// Calls `rebuild` with the changed paths on a thread of its own after each settled change
/// under `root` that a build would see. `root` must be absolute.
pub(crate) fn spawn(
    root: &Path,
    mut rebuild: impl FnMut(&[PathBuf]) + Send + 'static,
) -> notify::Result<Watcher> {
    let (tx, rx) = mpsc::channel::<Message>();
    let events = tx.clone();
    let mut debouncer = new_debouncer(DEBOUNCE, None, move |res: DebounceEventResult| {
        let _ = events.send(Message::Events(res));
    })?;
    // The root itself only for `site.toml` and for watched folders created later.
    debouncer.watch(root, RecursiveMode::NonRecursive)?;
    for dir in WATCHED_DIRS {
        let dir = root.join(dir);
        if dir.is_dir() {
            debouncer.watch(&dir, RecursiveMode::Recursive)?;
        }
    }
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        while let Ok(message) = rx.recv() {
            let mut paths = Vec::new();
            let mut pending = Some(message);
            // Everything that arrived while the last build ran is one more build.
            while let Some(message) = pending.take().or_else(|| rx.try_recv().ok()) {
                match message {
                    Message::Stop => return,
                    // Reading is not changing: the build itself opens every source.
                    Message::Events(Ok(events)) => paths.extend(
                        events
                            .into_iter()
                            .filter(|e| !matches!(e.kind, EventKind::Access(_)))
                            .flat_map(|e| e.event.paths),
                    ),
                    Message::Events(Err(_)) => {}
                }
            }
            for path in &paths {
                // A watched folder made after the start (a new `templates/`) is watched too.
                if path.parent() == Some(root.as_path())
                    && path.is_dir()
                    && path
                        .file_name()
                        .is_some_and(|n| WATCHED_DIRS.iter().any(|d| n == *d))
                {
                    let _ = debouncer.watch(path, RecursiveMode::Recursive);
                }
            }
            paths.retain(|p| affects_build(&root, p));
            paths.sort();
            paths.dedup();
            if !paths.is_empty() {
                rebuild(&paths);
            }
        }
    });
    Ok(Watcher { stop: tx })
}

enum Message {
    Events(DebounceEventResult),
    Stop,
}

/// Whether a change at `path` can change the built site: `site.toml` or anything in the
/// watched folders, except the lock and temporary files of office programs and editors.
pub(crate) fn affects_build(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let mut parts = rel.components();
    let Some(first) = parts.next() else {
        return false;
    };
    let first = first.as_os_str();
    let watched = if parts.next().is_none() {
        first == "site.toml" || WATCHED_DIRS.iter().any(|d| first == *d)
    } else {
        WATCHED_DIRS.iter().any(|d| first == *d)
    };
    watched
        && !path
            .file_name()
            .map(|n| n.to_string_lossy())
            .is_some_and(|n| scratch_file(&n))
}

/// Files that office programs and editors write beside the one being edited.
fn scratch_file(name: &str) -> bool {
    name.starts_with("~$") // Excel and WPS lock files
        || name.starts_with(".~lock.") // LibreOffice
        || name.starts_with('.') // editors' swap and backup files, .DS_Store
        || name.ends_with('~')
        || name == "4913" // vim's write test
        || [".tmp", ".swp", ".swx", ".part", ".crdownload"]
            .iter()
            .any(|ext| name.to_ascii_lowercase().ends_with(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_count_and_scratch_files_do_not() {
        let root = Path::new("/site");
        let yes = |p: &str| affects_build(root, &root.join(p));
        assert!(yes("site.toml"));
        assert!(yes("content/红管家台账.xlsx"));
        assert!(yes("content/visits/2018-11.csv"));
        assert!(yes("templates/base.html"));
        assert!(yes("themes/default/static/assets/style.css"));
        assert!(yes("static/logo.png"));
        assert!(yes("content"));
        assert!(!yes("content/~$红管家台账.xlsx"));
        assert!(!yes("content/.~lock.台账.xlsx#"));
        assert!(!yes("content/~WRL0003.tmp"));
        assert!(!yes("content/.visits.csv.swp"));
        assert!(!yes("content/visits.csv~"));
        assert!(!yes("public/index.html"));
        assert!(!yes("README.md"));
        assert!(!yes("notes/site.toml"));
        assert!(!affects_build(root, Path::new("/elsewhere/site.toml")));
    }
}
