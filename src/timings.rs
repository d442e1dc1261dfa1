//! Wall time per stage, for `HONGGUANJIA_TIMINGS=1` and the benchmark.

use std::time::Instant;

/// Stages in the order they first ran.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    /// Stage, seconds, and the process's peak memory so far in MiB (Linux only).
    pub stages: Vec<(&'static str, f64, Option<u64>)>,
}

impl Timings {
    /// Ends a stage that started at `since`, and starts the next one now.
    pub(crate) fn lap(&mut self, stage: &'static str, since: &mut Instant) {
        let now = Instant::now();
        self.add(stage, (now - *since).as_secs_f64());
        *since = now;
    }

    /// Adds time to a stage; a stage that runs in several batches adds up.
    pub(crate) fn add(&mut self, stage: &'static str, seconds: f64) {
        let peak = peak_memory_mib();
        match self.stages.iter_mut().find(|(s, _, _)| *s == stage) {
            Some(entry) => {
                entry.1 += seconds;
                entry.2 = peak;
            }
            None => self.stages.push((stage, seconds, peak)),
        }
    }
}

/// The high-water mark of resident memory, from `/proc/self/status`.
fn peak_memory_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}
