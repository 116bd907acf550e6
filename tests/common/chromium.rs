//! Debian's Chromium in headless mode, to look at the HTML report as a browser shows it.
//!
//! Each run gets a fresh profile and every switch that stops the browser from reaching
//! the network on its own (updates, sync, QUIC), so what a page loads is only what it
//! asks for, and the report's policy allows nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Where Debian's `chromium` package puts the browser.
const CHROMIUM: &str = "/usr/bin/chromium";

/// The browser, or `None` after saying on stderr that the test is skipped and why.
pub fn find(test: &str) -> Option<Chromium> {
    let path = PathBuf::from(CHROMIUM);
    if path.is_file() {
        Some(Chromium { path })
    } else {
        eprintln!(
            "{test}: skipped: chromium not installed (apt-get install chromium; .ci/run installs it)"
        );
        None
    }
}

/// A headless Chromium.
pub struct Chromium {
    path: PathBuf,
}

/// What one page load gave back, and how long the browser took from start to exit.
pub struct Loaded {
    pub output: Output,
    pub wall: Duration,
}

impl Chromium {
    /// The DOM of the page at `file` once loaded and its scripts have run, serialised.
    pub fn dump_dom(&self, file: &Path, fragment: &str) -> (String, Duration) {
        let loaded = self.run(&["--dump-dom".to_owned()], file, fragment);
        let dom = String::from_utf8_lossy(&loaded.output.stdout).into_owned();
        (dom, loaded.wall)
    }

    /// A PNG of the top of the page at `file`, `width` × `height` pixels, written to `png`.
    pub fn screenshot(&self, file: &Path, png: &Path, width: u32, height: u32) {
        self.run(
            &[
                format!("--screenshot={}", png.display()),
                format!("--window-size={width},{height}"),
                "--hide-scrollbars".to_owned(),
            ],
            file,
            "",
        );
    }

    /// The page at `file` printed to PDF, as its bytes.
    pub fn print_to_pdf(&self, file: &Path, fragment: &str) -> Vec<u8> {
        let dir = tempfile::tempdir().expect("pdf dir");
        let pdf = dir.path().join("page.pdf");
        self.run(
            &[
                format!("--print-to-pdf={}", pdf.display()),
                "--no-pdf-header-footer".to_owned(),
            ],
            file,
            fragment,
        );
        std::fs::read(&pdf).expect("pdf written")
    }

    fn run(&self, extra: &[String], file: &Path, fragment: &str) -> Loaded {
        let profile = tempfile::tempdir().expect("profile dir");
        let url = format!("file://{}{fragment}", file.display());
        let started = Instant::now();
        let output = Command::new(&self.path)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(&url)
            .env_clear()
            .env("HOME", profile.path())
            .stdin(Stdio::null())
            .output()
            .expect("run chromium");
        let wall = started.elapsed();
        assert!(
            output.status.success(),
            "chromium failed on {url}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Loaded { output, wall }
    }
}
