//! Wall time per stage and bytes per kind of output, for `HONGGUANJIA_TIMINGS=1`,
//! `build -v` and the benchmark.

use std::collections::BTreeMap;
use std::time::Instant;

/// Stages in the order they first ran.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    /// Stage, seconds, and the process's peak memory so far in MiB (Linux only).
    pub stages: Vec<(&'static str, f64, Option<u64>)>,
    /// Files and bytes handed to the sink, by kind of output (`Page::kind`).
    pub outputs: BTreeMap<&'static str, (usize, u64)>,
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

impl Timings {
    /// Counts one file of `kind` handed to the sink.
    pub(crate) fn output(&mut self, kind: &'static str, bytes: usize) {
        let entry = self.outputs.entry(kind).or_default();
        entry.0 += 1;
        entry.1 += bytes as u64;
    }

    /// Kinds of output, most bytes first (then by name, so that the order is stable).
    pub fn outputs_by_size(&self) -> Vec<(&'static str, usize, u64)> {
        let mut list: Vec<_> = self
            .outputs
            .iter()
            .map(|(kind, (files, bytes))| (*kind, *files, *bytes))
            .collect();
        list.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
        list
    }
}

/// The high-water mark of resident memory, from `/proc/self/status`.
fn peak_memory_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}
