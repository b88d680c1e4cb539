//! `x837 serve`: a local web page (bound to 127.0.0.1 only) where a person drops an 837,
//! picks a profile, and gets the worklist and the downloads of the corrected file, the
//! split-off rejected claims and the JSON report. Uploads are bounded; the scrub runs on
//! a temporary directory removed before the response; the results stay in memory only;
//! the log names no patient (no file name, no content, no query: method, path shape,
//! status, sizes and time).

mod job;
mod page;
mod store;

use std::io::{self, Cursor};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tiny_http::{Header, Method, Request, Response, StatusCode};

use super::{Console, Status};
pub use job::safe_name;
use store::{Outcome, Store};

/// The port when none is given.
pub const DEFAULT_PORT: u16 = 8837;
/// The largest upload taken when none is given, in bytes (256 MB, about 440,000 claims).
pub const DEFAULT_MAX_UPLOAD: u64 = 256_000_000;
/// Requests answered at once (scrubs run one at a time).
const WORKERS: usize = 4;

/// The options of `x837 serve`.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// 0: any free port (said on standard error).
    pub port: u16,
    pub max_upload: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            port: DEFAULT_PORT,
            max_upload: DEFAULT_MAX_UPLOAD,
        }
    }
}

/// A bound server, not yet answering.
pub struct Server {
    http: tiny_http::Server,
    port: u16,
    options: Options,
    profiles: Vec<(String, String)>,
    store: Mutex<Store>,
    /// Held while a scrub runs: one at a time, so memory stays bounded.
    scrubbing: Mutex<()>,
}

/// An answer and the words of its log line.
type Answer = (Response<Cursor<Arc<[u8]>>>, String);

impl Server {
    /// Binds 127.0.0.1:`port`.
    pub fn bind(options: Options) -> io::Result<Server> {
        let http =
            tiny_http::Server::http(("127.0.0.1", options.port)).map_err(io::Error::other)?;
        let port = http
            .server_addr()
            .to_ip()
            .map_or(options.port, |a| a.port());
        let profiles = (crate::scrub::catalog::catalog().profiles.iter())
            .map(|(name, p)| (name.clone(), p.admin_code.clone()))
            .collect();
        // Results kept: four of the largest uploads (and what they make), at least 1 GB.
        let keep = usize::try_from(options.max_upload.saturating_mul(4))
            .unwrap_or(usize::MAX)
            .max(1 << 30);
        Ok(Server {
            http,
            port,
            options,
            profiles,
            store: Mutex::new(Store::new(keep)),
            scrubbing: Mutex::new(()),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Answers requests until the process ends; `log` takes one line per request.
    pub fn run(&self, log: &(dyn Fn(&str) + Sync)) {
        std::thread::scope(|s| {
            for _ in 0..WORKERS {
                s.spawn(|| {
                    while let Ok(mut req) = self.http.recv() {
                        let started = Instant::now();
                        let line = format!("{} {}", req.method(), path_shape(req.url()));
                        let (resp, words) = match self.checked(&req) {
                            Err(a) => a,
                            Ok(()) => self.route(&mut req),
                        };
                        log(&format!(
                            "{line} {} {words} {:.2} s",
                            resp.status_code().0,
                            started.elapsed().as_secs_f64()
                        ));
                        let _ = req.respond(resp);
                    }
                });
            }
        });
    }

    /// Refuses a request not addressed to this server by name (another site's page
    /// reaching it through a DNS name that points here) or posted from another origin.
    fn checked(&self, req: &Request) -> Result<(), Answer> {
        let header = |name: &str| {
            (req.headers().iter())
                .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
                .map(|h| h.value.as_str().to_string())
        };
        let here = [
            format!("127.0.0.1:{}", self.port),
            format!("localhost:{}", self.port),
        ];
        if !header("Host").is_some_and(|h| here.contains(&h)) {
            return Err(text(421, "this server answers to 127.0.0.1 only"));
        }
        if let Some(origin) = header("Origin")
            && *req.method() == Method::Post
            && !here.iter().any(|h| origin == format!("http://{h}"))
        {
            return Err(text(403, "uploads come from this server's own page only"));
        }
        Ok(())
    }

    fn route(&self, req: &mut Request) -> Answer {
        let url = req.url().to_string();
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        match (req.method(), path) {
            (Method::Get, "/") => html(200, page::upload(&self.profiles, self.options.max_upload)),
            (Method::Post, "/scrub") => self.scrub(req, query),
            (Method::Get, p) if p.starts_with("/r/") => self.result(&p[3..]),
            (Method::Get | Method::Head, _) => {
                html(404, page::error(404, "There is nothing here."))
            }
            _ => text(405, "not a method this server takes"),
        }
    }

    /// `POST /scrub?profile=P&split=1&name=N` with the file as the body.
    fn scrub(&self, req: &mut Request, query: &str) -> Answer {
        let max = self.options.max_upload;
        match req.body_length() {
            None => return json_error(411, "send the file with its length (Content-Length)"),
            Some(n) if n as u64 > max => {
                return json_error(
                    413,
                    &format!(
                        "the file is larger than this server takes ({max} bytes; see --max-upload)"
                    ),
                );
            }
            Some(_) => {}
        }
        let arg = |k: &str| {
            (query.split('&'))
                .filter_map(|kv| kv.split_once('='))
                .find(|(key, _)| *key == k)
                .map(|(_, v)| decode(v))
        };
        let profile = arg("profile").unwrap_or_else(|| "default".into());
        if !self.profiles.iter().any(|(p, _)| *p == profile) {
            return json_error(400, "no such profile");
        }
        let ask = job::Ask {
            name: safe_name(&arg("name").unwrap_or_default()),
            profile,
            split: arg("split").is_none_or(|s| s != "0"),
        };
        let token = match store::token() {
            Ok(t) => t,
            Err(e) => return json_error(500, &format!("no random token: {e}")),
        };
        let banner = |o: &Outcome| page::banner(&token, o);
        let done = {
            let _one = self.scrubbing.lock().unwrap_or_else(|p| p.into_inner());
            job::run(&ask, req.as_reader(), max, &banner)
        };
        match done {
            Ok(o) => {
                let words = format!("{} bytes in", req.body_length().unwrap_or(0));
                if let Ok(mut s) = self.store.lock() {
                    s.put(&token, o);
                }
                let body = serde_json::json!({ "page": format!("/r/{token}/") }).to_string();
                (
                    respond(200, "application/json", body.into_bytes().into(), None),
                    words,
                )
            }
            Err(job::Refused::Input(m)) => json_error(422, &m),
            Err(job::Refused::Server(m)) => json_error(500, &m),
        }
    }

    /// `GET /r/TOKEN/` and its downloads.
    fn result(&self, rest: &str) -> Answer {
        let (token, file) = rest.split_once('/').unwrap_or((rest, ""));
        let found = self.store.lock().ok().and_then(|mut s| s.get(token));
        let Some(o) = found else {
            return html(
                404,
                page::error(
                    404,
                    "This result is gone (results are kept for an hour, the last few only): scrub the file again.",
                ),
            );
        };
        let stem = o.name.rsplit_once('.').map_or(o.name.as_str(), |(s, _)| s);
        let save = |f: &str| Some(page::download_name(f, &o.name, stem));
        let (body, kind, name) = match file {
            "" => (Some(Arc::clone(&o.page)), "text/html; charset=utf-8", None),
            "corrected" => (o.corrected.clone(), "application/edi-x12", save(file)),
            "rejected" => (o.rejected.clone(), "application/edi-x12", save(file)),
            "report.json" => (Some(Arc::clone(&o.json)), "application/json", save(file)),
            "worklist.html" => (
                Some(Arc::clone(&o.worklist)),
                "text/html; charset=utf-8",
                save(file),
            ),
            _ => (None, "", None),
        };
        match body {
            Some(b) => {
                let words = format!("{} bytes out", b.len());
                (respond(200, kind, b, name.as_deref()), words)
            }
            None => html(
                404,
                page::error(404, "There is no such file for this result."),
            ),
        }
    }
}

/// A request's path with a result's token left out, for the log.
fn path_shape(url: &str) -> String {
    let path = url.split('?').next().unwrap_or("");
    match path.strip_prefix("/r/") {
        Some(rest) => format!("/r/*/{}", rest.split_once('/').map_or("", |(_, f)| f)),
        None => path.chars().take(40).collect(),
    }
}

/// `%41+b` as `A b`.
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn respond(
    code: u16,
    kind: &str,
    body: Arc<[u8]>,
    save_as: Option<&str>,
) -> Response<Cursor<Arc<[u8]>>> {
    let len = body.len();
    let mut headers = vec![
        ("Content-Type", kind.to_string()),
        ("Cache-Control", "no-store".into()),
        ("X-Content-Type-Options", "nosniff".into()),
        ("Referrer-Policy", "no-referrer".into()),
        (
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src data:; form-action 'self'; frame-ancestors 'none'".into(),
        ),
    ];
    if let Some(name) = save_as {
        headers.push((
            "Content-Disposition",
            format!("attachment; filename=\"{name}\""),
        ));
    }
    let headers = (headers.into_iter())
        .filter_map(|(k, v)| Header::from_bytes(k.as_bytes(), v.as_bytes()).ok())
        .collect();
    Response::new(
        StatusCode(code),
        headers,
        Cursor::new(body),
        Some(len),
        None,
    )
}

fn html(code: u16, page: String) -> Answer {
    let len = page.len();
    (
        respond(
            code,
            "text/html; charset=utf-8",
            page.into_bytes().into(),
            None,
        ),
        format!("{len} bytes out"),
    )
}

fn text(code: u16, message: &str) -> Answer {
    (
        respond(
            code,
            "text/plain; charset=utf-8",
            message.as_bytes().into(),
            None,
        ),
        String::new(),
    )
}

fn json_error(code: u16, message: &str) -> Answer {
    let body = serde_json::json!({ "error": message }).to_string();
    (
        respond(code, "application/json", body.into_bytes().into(), None),
        String::new(),
    )
}

/// `x837 serve`: binds, says where, answers until stopped.
pub fn serve(options: Options, console: &dyn Console) -> Status {
    let server = match Server::bind(options) {
        Ok(s) => s,
        Err(e) => {
            console.say(&format!(
                "x837: cannot listen on 127.0.0.1:{}: {e}",
                options.port
            ));
            return Status::Failed;
        }
    };
    console.say(&format!(
        "x837 serve: open http://127.0.0.1:{}/ (this computer only; Ctrl-C stops it)",
        server.port()
    ));
    server.run(&|line| console.say(&format!("x837 serve: {line}")));
    Status::Clean
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_decode_and_tokens_stay_out_of_the_log() {
        assert_eq!(decode("a%20b+c%2Fd"), "a b c/d");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("%C3%A9"), "é");
        assert_eq!(path_shape("/r/0123abcd/corrected?x=1"), "/r/*/corrected");
        assert_eq!(path_shape("/r/0123abcd/"), "/r/*/");
        assert_eq!(path_shape("/scrub?name=smith.x12"), "/scrub");
    }
}
