//! A fake release host on 127.0.0.1, laid out like GitHub's releases: files under
//! `/releases/download/vVERSION/NAME`, and `/releases/latest` redirecting to the newest
//! release's tag page. It serves a folder the test fills, so what the installer downloads
//! is what `scripts/package.sh` and `scripts/checksums.sh` really produced.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::fake_github::http::{Handler, Request, Response, Server};

/// The running fake; stops when dropped.
pub struct FakeRelease {
    server: Server,
    host: Arc<Host>,
}

struct Host {
    /// Holds `download/vVERSION/…`, as on the real host.
    root: PathBuf,
    /// What `/releases/latest` redirects to (`vVERSION`), if anything.
    latest: Option<String>,
    /// Every request target, in order.
    log: Mutex<Vec<String>>,
}

impl FakeRelease {
    /// Serves `root` (which holds `download/vVERSION/…`); `latest` is the tag
    /// `/releases/latest` points at.
    pub fn start(root: &Path, latest: Option<&str>) -> FakeRelease {
        let host = Arc::new(Host {
            root: root.to_owned(),
            latest: latest.map(str::to_owned),
            log: Mutex::new(Vec::new()),
        });
        let server = Server::start(Arc::clone(&host) as Arc<dyn Handler>)
            .expect("start the fake release host");
        FakeRelease { server, host }
    }

    /// The releases page, as `TFNOTIFY_RELEASES_URL` takes it.
    pub fn releases_url(&self) -> String {
        format!("http://{}/releases", self.server.addr)
    }

    /// The request targets seen so far.
    pub fn requests(&self) -> Vec<String> {
        self.host.log.lock().expect("log lock").clone()
    }
}

impl Handler for Host {
    fn handle(&self, request: &Request) -> Response {
        self.log
            .lock()
            .expect("log lock")
            .push(request.target.clone());
        if request.method != "GET" && request.method != "HEAD" {
            return status(405);
        }
        let path = request.target.split('?').next().unwrap_or("");
        if path == "/releases/latest" {
            return match &self.latest {
                Some(tag) => Response {
                    status: 302,
                    headers: vec![("Location".into(), format!("/releases/tag/{tag}"))],
                    body: Vec::new(),
                },
                None => status(404),
            };
        }
        if let Some(tag) = path.strip_prefix("/releases/tag/") {
            return Response {
                status: 200,
                headers: vec![("Content-Type".into(), "text/html".into())],
                body: format!("<h1>{tag}</h1>").into_bytes(),
            };
        }
        let Some(relative) = path.strip_prefix("/releases/") else {
            return status(404);
        };
        if relative
            .split('/')
            .any(|part| part.is_empty() || part == "..")
        {
            return status(400);
        }
        match std::fs::read(self.root.join(relative)) {
            Ok(body) => Response {
                status: 200,
                headers: vec![("Content-Type".into(), "application/octet-stream".into())],
                body,
            },
            Err(_) => status(404),
        }
    }
}

fn status(code: u16) -> Response {
    Response {
        status: code,
        headers: vec![("Content-Type".into(), "text/plain".into())],
        body: b"Not Found".to_vec(),
    }
}
