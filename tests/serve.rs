//! `x837 serve` over plain HTTP: the upload page, an upload answered with the worklist
//! and downloads that are byte for byte what `x837 scrub` writes, the bounds and
//! refusals, and no file left behind. (tests/browser.rs drives the same in Chromium.)

#![allow(clippy::unwrap_used)]

mod common;

use std::fs;
use std::process::Command;

use common::serve::Served;

fn synth(dir: &std::path::Path, name: &str, claims: &str, rate: &str) -> std::path::PathBuf {
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

#[test]
fn an_upload_gives_the_worklist_and_the_command_lines_files() {
    let dir = tempfile::tempdir().unwrap();
    let batch = synth(dir.path(), "batch-14.x12", "600", "0.5");
    let tmp = tempfile::tempdir().unwrap();
    let s = Served::start_in(tmp.path(), &[]);

    let home = s.request("GET", "/", &[], b"");
    assert_eq!(home.status, 200);
    assert!(
        home.text().contains("Drop an 837 file here"),
        "{}",
        home.text()
    );
    assert!(home.text().contains("cpt-lumbar"));

    let body = fs::read(&batch).unwrap();
    let up = s.request(
        "POST",
        "/scrub?profile=default&split=1&name=batch-14.x12",
        &[],
        &body,
    );
    assert_eq!(up.status, 200, "{}", up.text());
    let v: serde_json::Value = serde_json::from_slice(&up.body).unwrap();
    let page = v["page"].as_str().unwrap().to_string();
    assert!(
        page.starts_with("/r/") && page.len() == "/r/".len() + 32 + 1,
        "{page}"
    );

    // Nothing of the upload is left on disk once answered.
    assert_eq!(
        fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "files left behind"
    );

    let worklist = s.request("GET", &page, &[], b"");
    assert_eq!(worklist.status, 200);
    let w = worklist.text();
    assert!(w.contains("id=\"downloads\"") && w.contains("Claims that need a person"));
    assert!(w.contains("<code>batch-14.x12</code>"));
    assert!(!w.contains(&tmp.path().to_string_lossy().to_string()));

    // The command line on the same file.
    let cli = tempfile::tempdir().unwrap();
    fs::copy(&batch, cli.path().join("batch-14.x12")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_x837"))
        .current_dir(cli.path())
        .args([
            "scrub",
            "batch-14.x12",
            "-o",
            "corrected.x12",
            "--split-rejected",
            "rejected",
            "--report",
            "report.json",
            "-q",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let corrected = s.request("GET", &format!("{page}corrected"), &[], b"");
    assert_eq!(corrected.status, 200);
    assert_eq!(
        corrected.header("content-disposition"),
        Some("attachment; filename=\"corrected-batch-14.x12\"")
    );
    assert!(
        corrected.body == fs::read(cli.path().join("corrected.x12")).unwrap(),
        "the corrected file differs from the command line's"
    );
    let rejected = s.request("GET", &format!("{page}rejected"), &[], b"");
    assert_eq!(rejected.status, 200);
    assert!(
        rejected.body == fs::read(cli.path().join("rejected/batch-14.x12")).unwrap(),
        "the rejected claims differ"
    );
    let json = s.request("GET", &format!("{page}report.json"), &[], b"");
    let served: serde_json::Value = serde_json::from_slice(&json.body).unwrap();
    let local: serde_json::Value =
        serde_json::from_slice(&fs::read(cli.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(served["summary"], local["summary"]);
    assert_eq!(served["findings"], local["findings"]);
    assert!(served["summary"]["claims_split_off"].as_u64().unwrap() > 0);
    let alone = s.request("GET", &format!("{page}worklist.html"), &[], b"");
    assert!(
        alone.text().starts_with("<!DOCTYPE html>") && !alone.text().contains("id=\"downloads\"")
    );

    // The log says what was asked and how it went, never what the file is called.
    let log = s.log_text();
    assert!(log.contains("POST /scrub 200"), "{log}");
    assert!(log.contains("GET /r/*/corrected 200"), "{log}");
    assert!(
        !log.contains("batch-14") && !log.contains(&page[3..35]),
        "{log}"
    );
}

#[test]
fn uploads_are_bounded_and_strangers_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let s = Served::start_in(tmp.path(), &["--max-upload", "1"]);
    let big = vec![b'x'; 1_000_001];
    let r = s.request("POST", "/scrub?name=a.x12", &[], &big);
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(r.text().contains("larger than this server takes"));
    let r = s.request("POST", "/scrub?name=a.x12", &[], b"");
    assert_eq!(r.status, 422, "{}", r.text());
    let r = s.request("POST", "/scrub?name=a.x12&profile=nosuch", &[], b"ISA");
    assert_eq!(r.status, 400);
    let r = s.request(
        "POST",
        "/scrub?name=notes.txt",
        &[],
        b"these are not claims\n",
    );
    assert_eq!(r.status, 422, "{}", r.text());
    let msg = r.text();
    assert!(
        msg.contains("notes.txt") && !msg.contains(&tmp.path().to_string_lossy().to_string()),
        "{msg}"
    );
    // Cut short: its claims are left out, and the page says why above the worklist.
    let sample = fs::read(common::root().join("samples/837p-j2326.x12")).unwrap();
    let r = s.request(
        "POST",
        "/scrub?name=cut.x12",
        &[],
        &sample[..sample.len() - 30],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let page = s
        .request("GET", v["page"].as_str().unwrap(), &[], b"")
        .text();
    assert!(
        page.contains("id=\"messages\"") && page.contains("cut.x12: interchange"),
        "{page}"
    );
    assert!(page.contains("left out"), "{page}");
    let r = s.request("GET", "/", &[("Host", "attacker.example:80")], b"");
    assert_eq!(r.status, 421);
    let r = s.request(
        "POST",
        "/scrub?name=a.x12",
        &[("Origin", "http://attacker.example")],
        b"ISA",
    );
    assert_eq!(r.status, 403);
    assert_eq!(
        s.request("GET", "/r/0123456789abcdef0123456789abcdef/", &[], b"")
            .status,
        404
    );
    assert_eq!(s.request("GET", "/nothing", &[], b"").status, 404);
    assert_eq!(
        fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "files left behind"
    );
}
