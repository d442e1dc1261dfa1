//! For tests only: stop the write step at a chosen operation, as a crash or a full disk
//! would, to show that the next build repairs the output whatever the moment.
//!
//! Every operation of the write step that changes the disk (a file written, linked,
//! moved or removed, a folder made, the journal and the manifest written, the swap)
//! first calls [`step`] ([`removal`] for one that only frees space). With the
//! environment variable
//!
//! - `HONGGUANJIA_TEST_ABORT_AFTER=N`, the process aborts (like `kill -9`: no clean-up
//!   runs) instead of doing operation N + 1;
//! - `HONGGUANJIA_TEST_DISK_FULL_AFTER=N`, operation N + 1 fails with the error of a
//!   full disk (`ENOSPC`) instead, and every later one too but removals, as on a disk
//!   that stays full.
//!
//! Neither is meant for users; docs/architecture.md names them for whoever writes tests.

use std::io;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

enum Fault {
    Abort(u64),
    DiskFull(u64),
}

fn fault() -> Option<&'static Fault> {
    static FAULT: OnceLock<Option<Fault>> = OnceLock::new();
    FAULT
        .get_or_init(|| {
            let number = |name: &str| std::env::var(name).ok()?.trim().parse::<u64>().ok();
            number("HONGGUANJIA_TEST_ABORT_AFTER")
                .map(Fault::Abort)
                .or_else(|| number("HONGGUANJIA_TEST_DISK_FULL_AFTER").map(Fault::DiskFull))
        })
        .as_ref()
}

/// Called before each operation of the write step that changes the disk; an error (only
/// ever under test) is to be handled as the operation's own.
pub(crate) fn step() -> io::Result<()> {
    count(true)
}

/// Called before each removal: as [`step`], but a full disk still lets files go.
pub(crate) fn removal() -> io::Result<()> {
    count(false)
}

fn count(takes_space: bool) -> io::Result<()> {
    let Some(fault) = fault() else {
        return Ok(());
    };
    static DONE: AtomicU64 = AtomicU64::new(0);
    let done = DONE.fetch_add(1, Ordering::SeqCst);
    match *fault {
        Fault::Abort(n) if done >= n => std::process::abort(),
        Fault::DiskFull(n) if done >= n && takes_space => Err(io::Error::new(
            io::ErrorKind::StorageFull,
            "No space left on device (simulated)",
        )),
        _ => Ok(()),
    }
}
