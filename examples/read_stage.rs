//! Times the stage 读取+检查+统计 alone: reads, checks and aggregates a site folder
//! (`Site::load`) and stops, so that `/usr/bin/time` gives the stage's own processor time
//! (`cargo run --release --example read_stage -- <site folder>`). Prints the seconds it
//! took as `read_stage_seconds=N`, then every message, as `check` would sort them.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // As `hongguanjia` itself does (see main.rs): with transparent huge pages the stage's
    // system time measured the kernel zeroing 2 MiB pages, not the program.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    let root = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let mut diags = hongguanjia::diagnostics::Diagnostics::new();
    let started = std::time::Instant::now();
    let site = hongguanjia::site::Site::load(std::path::Path::new(&root), &mut diags);
    let seconds = started.elapsed().as_secs_f64();
    println!("read_stage_seconds={seconds:.2}");
    if let Some(site) = &site {
        println!("records={:?}", site.records_read());
    }
    for d in diags.sorted() {
        println!("{d}");
    }
    // Freeing a city's records is not part of the stage.
    std::mem::forget(site);
}
