//! The pages in a real browser: Debian's Chromium, headless, driven over WebDriver
//! (chromedriver, with fantoccini). The worklist renders with the right counts, a filter
//! hides the right rows, the search finds a claim, sorting by amount sorts; the page with
//! `<script>` in CLM01 runs no script but its own; `x837 serve` takes a file through its
//! page and hands back the corrected file byte for byte as `x837 scrub` writes it.
//! A screenshot of each page goes to target/browser/ for review.
//!
//! Needs `chromium` and `chromium-driver` (`.ci/run` installs them). Without them the
//! test says so in one line and checks nothing; under CI (`CI` set) it fails instead.

#![allow(clippy::unwrap_used)]

mod common;

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const DRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver, stopped on drop.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Where the screenshots and pages go: target/browser (of `CARGO_TARGET_DIR`, if set).
fn out_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| common::root().join("target"));
    let dir = target.join("browser");
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Starts chromedriver on a free port, or says why not.
fn driver() -> Option<(Driver, u16)> {
    let missing: Vec<&str> = [CHROMIUM, DRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if !missing.is_empty() {
        let why = format!(
            "browser tests not run: {} missing (apt-get install chromium chromium-driver)",
            missing.join(", ")
        );
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("{why}");
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(DRIVER)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let d = Driver(child);
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some((d, port))
}

async fn browser(port: u16, profile: &Path) -> Client {
    let args = [
        "--headless".to_string(),
        // As root (CI) Chromium's sandbox cannot start; the pages are the test's own.
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        // No network here: nothing in the background tries.
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-default-apps".into(),
        "--no-first-run".into(),
        "--window-size=1400,1100".into(),
        format!("--user-data-dir={}", profile.display()),
    ];
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": { "binary": CHROMIUM, "args": args }
    });
    let Value::Object(caps) = caps else {
        unreachable!()
    };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .unwrap()
}

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap()
}

async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    let path = out_dir().join(name);
    fs::write(&path, png).unwrap();
    eprintln!("screenshot: {}", path.display());
}

fn synth(dir: &Path, name: &str, claims: &str, rate: &str) -> PathBuf {
    let p = dir.join(name);
    let out = common::x837(&[
        "synth",
        "--claims",
        claims,
        "--seed",
        "14",
        "--error-rate",
        rate,
        "-o",
        p.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    p
}

/// The visible claims of the worklist: their CLM01 (as the page keeps them, lower case).
async fn visible(c: &Client) -> Vec<String> {
    let v = js(c, "return [].slice.call(document.querySelectorAll('#wl-table tbody.claim')).filter(function(b){return b.offsetParent!==null;}).map(function(b){return b.dataset.clm;});").await;
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

fn count(s: &str) -> usize {
    s.replace(',', "")
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a count: {s:?}"))
}

async fn worklist(c: &Client, dir: &Path) {
    let input = synth(dir, "batch.x12", "1500", "0.3");
    let page = out_dir().join("worklist.html");
    let out = common::x837(&[
        "scrub",
        input.to_str().unwrap(),
        "--check",
        "-q",
        "--report",
        page.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let html = fs::read_to_string(&page).unwrap();
    c.goto(&format!("file://{}", page.display())).await.unwrap();
    shot(c, "worklist.png").await;
    assert_eq!(count(&text(c, "#sum-claims").await), 1500);
    let need = count(&text(c, "#sum-action").await);
    let all = visible(c).await;
    assert_eq!(all.len(), need, "every claim needing action is shown");
    assert_eq!(count(&text(c, "#shown").await), need);
    // A claim x837 changed, its advice unfolded: the before and after, one cell per element.
    let shown = js(c, "var b=document.querySelector('#wl-table tbody.claim .changes');if(!b)return false;var t=b.closest('tbody');var d=t.querySelector('details.fix');if(d)d.open=true;t.scrollIntoView();window.scrollBy(0,-120);return true;").await;
    assert_eq!(shown, json!(true), "no claim with a change is listed");
    let cells = js(c, "var r=document.querySelector('#wl-table .seg tr.before');return [].slice.call(r.cells).map(function(x){return x.offsetHeight;});").await;
    let heights: Vec<u64> = cells
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert!(
        heights.windows(2).all(|w| w[0] == w[1]),
        "an element wrapped: cell heights {heights:?}"
    );
    shot(c, "worklist-claim.png").await;
    js(c, "window.scrollTo(0,0);").await;
    // The fixed and clean sections start folded.
    assert_eq!(
        js(c, "return document.getElementById('fixed').open;").await,
        json!(false)
    );
    assert_eq!(
        js(c, "return document.getElementById('clean').open;").await,
        json!(false)
    );

    // The rule filter: exactly the claims with a finding of that rule stay.
    let rule = "place-of-service";
    let with_rule: Vec<String> = html
        .split("<tbody class=\"claim\"")
        .skip(1)
        .filter(|b| {
            let r = b.split("data-rules=\"").nth(1).unwrap();
            r[..r.find('"').unwrap()].split(' ').any(|x| x == rule)
        })
        .map(|b| {
            let r = b.split("data-clm=\"").nth(1).unwrap();
            r[..r.find('"').unwrap()].to_string()
        })
        .collect();
    assert!(!with_rule.is_empty() && with_rule.len() < need);
    c.find(Locator::Css("#f-rule"))
        .await
        .unwrap()
        .select_by_value(rule)
        .await
        .unwrap();
    let mut shown = visible(c).await;
    let mut expect = with_rule.clone();
    shown.sort();
    expect.sort();
    assert_eq!(shown, expect, "the {rule} filter");
    assert_eq!(count(&text(c, "#shown").await), expect.len());
    shot(c, "worklist-filtered.png").await;

    // The search box finds one claim by CLM01, whatever the case typed.
    c.find(Locator::Css("#reset"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(visible(c).await.len(), need);
    let wanted = &all[all.len() / 2];
    c.find(Locator::Css("#q"))
        .await
        .unwrap()
        .send_keys(&wanted.to_uppercase())
        .await
        .unwrap();
    assert_eq!(visible(c).await, vec![wanted.clone()], "searching {wanted}");
    shot(c, "worklist-search.png").await;

    // Sorting by amount, smallest first.
    c.find(Locator::Css("#reset"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("#sort"))
        .await
        .unwrap()
        .select_by_value("asc")
        .await
        .unwrap();
    let amounts = js(c, "return [].slice.call(document.querySelectorAll('#wl-table tbody.claim')).map(function(b){return parseFloat(b.dataset.billed);});").await;
    let amounts: Vec<f64> = amounts
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(
        amounts.windows(2).all(|w| w[0] <= w[1]),
        "not sorted smallest first"
    );
}

async fn escaped(c: &Client, dir: &Path) {
    let sample = fs::read_to_string(common::root().join("samples/837p-j2326.x12")).unwrap();
    let evil = sample
        .replace("CLM*CLAIM0001*", "CLM*<script>alert(1)</script>*")
        .replace("PI*PAYER01", "PI*\"><img src=x onerror=alert(2)>")
        .replace("ABK:G121", "ABK:G12.1<i>");
    let input = dir.join("evil.x12");
    fs::write(&input, evil).unwrap();
    let page = out_dir().join("escaped.html");
    common::x837(&[
        "scrub",
        input.to_str().unwrap(),
        "--check",
        "-q",
        "--report",
        page.to_str().unwrap(),
    ]);
    c.goto(&format!("file://{}", page.display())).await.unwrap();
    shot(c, "escaped.png").await;
    // No alert opened (WebDriver would refuse these calls), one script, no injected element.
    assert_eq!(js(c, "return document.scripts.length;").await, json!(1));
    assert_eq!(
        js(c, "return document.querySelectorAll('img,svg,i').length;").await,
        json!(0)
    );
    let clm = js(
        c,
        "var c=document.querySelector('#wl-table tbody.claim td.clm');return c?c.textContent:null;",
    )
    .await;
    assert_eq!(
        clm,
        json!("<script>alert(1)</script>"),
        "the claim is listed with its id as text"
    );
}

async fn served(c: &Client, dir: &Path) {
    let input = synth(dir, "served-batch.x12", "400", "0.5");
    let tmp = tempfile::tempdir().unwrap();
    let s = common::serve::Served::start_in(tmp.path(), &[]);
    c.goto(&s.url("/")).await.unwrap();
    shot(c, "serve-upload.png").await;
    let pick = c.find(Locator::Css("#file")).await.unwrap();
    pick.send_keys(input.to_str().unwrap()).await.unwrap();
    c.find(Locator::Css("#profile"))
        .await
        .unwrap()
        .select_by_value("default")
        .await
        .unwrap();
    c.find(Locator::Css("#go"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let downloads = c
        .wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Css("#downloads"))
        .await
        .unwrap();
    assert!(downloads.text().await.unwrap().contains("corrected file"));
    assert!(c.current_url().await.unwrap().path().starts_with("/r/"));
    shot(c, "serve-result.png").await;
    // The corrected file as the page links it, fetched by the page.
    let got = c.execute_async("var done=arguments[arguments.length-1];fetch(document.getElementById('dl-corrected').href).then(function(r){return r.arrayBuffer();}).then(function(b){done(Array.from(new Uint8Array(b)));});", vec![]).await.unwrap();
    let got: Vec<u8> = got
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as u8)
        .collect();
    let cli = dir.join("cli");
    fs::create_dir_all(&cli).unwrap();
    let out = common::x837(&[
        "scrub",
        input.to_str().unwrap(),
        "-q",
        "-o",
        cli.join("corrected.x12").to_str().unwrap(),
        "--split-rejected",
        cli.join("rejected").to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let want = fs::read(cli.join("corrected.x12")).unwrap();
    assert!(
        got == want,
        "the served corrected file ({} bytes) differs from the command line's ({} bytes)",
        got.len(),
        want.len()
    );
    assert_eq!(
        fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "serve left files behind"
    );
}

#[test]
fn the_pages_in_chromium() {
    let Some((_driver, port)) = driver() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = browser(port, &dir.path().join("profile")).await;
        let t = Instant::now();
        worklist(&c, dir.path()).await;
        escaped(&c, dir.path()).await;
        served(&c, dir.path()).await;
        eprintln!("browser checks took {:.1} s", t.elapsed().as_secs_f64());
        c.close().await.unwrap();
    });
}
