//! `--format html` rendered by a real browser: headless Debian Chromium (installed by
//! scripts/setup-audit.sh), run as the built binary's user would open the page, from a file.
//!
//! Checked: the DOM after the page's script ran shows the findings and rule codes; hostile
//! data in the registry shows as text and creates no element; no request leaves the page (an
//! HTTP proxy the browser must use records every connection, and a control page shows it
//! would see one); a screenshot is not blank; `--history` over two runs draws the trend.
//!
//! A missing Chromium fails these tests; `REGLINT_SKIP_BROWSER_TESTS=1` skips them (and says so).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::json;

/// What the browser must not turn into markup, and where the hostile item would send a request
/// if it did.
const HOSTILE_NAME: &str = "<img src=x onerror=\"document.title='pwned'\">";

fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser"]
        .into_iter()
        .find_map(|name| {
            Command::new("sh")
                .args(["-c", &format!("command -v {name}")])
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        });
    if found.is_none() && std::env::var("REGLINT_SKIP_BROWSER_TESTS").as_deref() == Ok("1") {
        eprintln!("skipped: Chromium is missing and REGLINT_SKIP_BROWSER_TESTS=1");
        return None;
    }
    Some(found.expect(
        "Chromium is missing: run scripts/setup-audit.sh (or set REGLINT_SKIP_BROWSER_TESTS=1)",
    ))
}

/// Headless Chromium with the flags of shared testing notes, a fresh profile, and every request
/// sent to `proxy` (loopback included).
fn browser(bin: &Path, profile: &Path, proxy: u16) -> Command {
    let mut cmd = Command::new(bin);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .arg(format!("--proxy-server=http://127.0.0.1:{proxy}"))
    .arg("--proxy-bypass-list=<-loopback>");
    cmd
}

/// A proxy that answers 502 to everything and records the first line of each request.
fn proxy() -> (u16, Requests) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Requests::default();
    let record = seen.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut buf = [0u8; 4096];
            let n = conn.read(&mut buf).unwrap_or(0);
            let first = String::from_utf8_lossy(&buf[..n])
                .lines()
                .next()
                .unwrap_or("")
                .to_string();
            record.0.lock().unwrap().push(first);
            let _ = conn.write_all(
                b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    (port, seen)
}

/// The requests a proxy saw.
#[derive(Debug, Clone, Default)]
struct Requests(Arc<Mutex<Vec<String>>>);

impl Requests {
    fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    /// The requests that are not the browser's own: Chromium calls its vendor's time, update
    /// and account services by itself (`clients2.google.com/time`, `update.googleapis.com`,
    /// `accounts.google.com`) whatever page it shows, even with the flags that quiet it.
    fn of_pages(&self) -> Vec<String> {
        let own = [".google.com", ".googleapis.com", ".gvt1.com"];
        self.all()
            .into_iter()
            .filter(|r| {
                let target = r.split(' ').nth(1).unwrap_or("");
                let host = target
                    .trim_start_matches("http://")
                    .trim_start_matches("https://")
                    .split(['/', ':'])
                    .next()
                    .unwrap_or("");
                !own.iter().any(|d| host.ends_with(d))
            })
            .collect()
    }
}

fn url(page: &Path) -> String {
    format!("file://{}", page.display())
}

/// The DOM after scripts ran, and how long Chromium took.
fn dump_dom(bin: &Path, dir: &Path, proxy: u16, target: &str) -> (String, f64) {
    let profile = tempfile::tempdir_in(dir).unwrap();
    let started = Instant::now();
    let out = browser(bin, profile.path(), proxy)
        .arg("--dump-dom")
        .arg(target)
        .output()
        .unwrap();
    let secs = started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (String::from_utf8(out.stdout).unwrap(), secs)
}

fn reglint() -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin!("reglint"));
    cmd.env("NO_COLOR", "1");
    cmd
}

/// A registry whose data tries to inject markup and requests in every field the page shows.
fn hostile_registry(dir: &Path, proxy: u16) -> PathBuf {
    let beacon = format!("<img src=\"http://127.0.0.1:{proxy}/leak\">");
    let items = json!([
        {"agent_id": "PEGHWIVI5Y", "alias_id": "IO1GTTHP0M\"", "name": HOSTILE_NAME,
         "description": format!("</script><script>document.title='pwned'</script>{beacon}"),
         "agent_type": "bedrock_agent", "account_id": "843074507558", "region": "us-east-1",
         "enabled": true, "capabilities": ["billing"]},
        {"agent_id": format!("{beacon}X"), "alias_id": "R4ND0MAL1S", "name": "triage",
         "description": "d", "agent_type": "bedrock_agent",
         "account_id": format!("<b>{beacon}</b>"), "region": "us-east-1", "enabled": true,
         "capabilities": "ticket triage"}
    ]);
    let path = dir.join("hostile.json");
    std::fs::write(&path, serde_json::to_string_pretty(&items).unwrap()).unwrap();
    path
}

fn html_report(registry: &Path, page: &Path, extra: &[&str]) {
    let out = reglint()
        .arg("check")
        .arg(registry)
        .args(["--select", "ALL", "--format", "html", "--output"])
        .arg(page)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_page_shows_findings_as_text_and_no_request_leaves_it() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (port, seen) = proxy();
    let registry = hostile_registry(dir.path(), port);
    let page = dir.path().join("report.html");
    html_report(&registry, &page, &[]);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains(
        "content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\""
    ));
    assert!(
        !html.contains("<img"),
        "raw markup from the data in the file"
    );

    let (dom, _) = dump_dom(&bin, dir.path(), port, &url(&page));
    for code in ["RG101", "RG003", "RG102"] {
        assert!(
            dom.contains(&format!("<span class=\"gname\">{code}</span>")),
            "{code} group missing"
        );
        assert!(
            dom.contains(&format!("<td class=\"rule\">{code}</td>")),
            "{code} row missing"
        );
    }
    assert!(
        dom.contains("Exit status 1"),
        "header without the exit status"
    );
    assert!(dom.contains("<td class=\"account\">843074507558</td>"));
    // The hostile texts are there, as text.
    assert!(
        dom.contains("&lt;img src=\\\"http://127.0.0.1:"),
        "hostile key not shown as text"
    );
    assert!(
        dom.contains("&lt;b&gt;&lt;img"),
        "hostile account not shown as text"
    );
    assert!(!dom.contains("<img"), "an element was created from data");
    assert!(!dom.contains("<b>"), "an element was created from data");
    assert!(!dom.contains("<title>pwned"), "a script from the data ran");
    assert_eq!(
        seen.of_pages(),
        Vec::<String>::new(),
        "the page made a request"
    );
}

#[test]
fn the_request_detector_sees_a_page_that_loads_from_outside() {
    // Control for the test above: the same browser and proxy see a request from a page without
    // reglint's policy that loads an image, so zero requests there means none was made.
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (port, seen) = proxy();
    let page = dir.path().join("leaky.html");
    std::fs::write(
        &page,
        format!(
            "<!DOCTYPE html><html><body><img src=\"http://127.0.0.1:{port}/x.png\"></body></html>"
        ),
    )
    .unwrap();
    dump_dom(&bin, dir.path(), port, &url(&page));
    assert!(
        seen.of_pages().iter().any(|r| r.contains("/x.png")),
        "the proxy saw no request from the page: {:?}",
        seen.all()
    );
}

#[test]
fn the_filter_in_the_address_narrows_the_list() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (port, seen) = proxy();
    let registry = hostile_registry(dir.path(), port);
    let page = dir.path().join("report.html");
    html_report(&registry, &page, &[]);
    let (all, _) = dump_dom(&bin, dir.path(), port, &url(&page));
    let (only, _) = dump_dom(&bin, dir.path(), port, &format!("{}#q=rg003", url(&page)));
    assert!(all.contains("<span class=\"gname\">RG101</span>"));
    assert!(only.contains("<span class=\"gname\">RG003</span>"));
    assert!(
        !only.contains("<span class=\"gname\">RG101</span>"),
        "the filter kept RG101"
    );
    assert_eq!(
        seen.of_pages(),
        Vec::<String>::new(),
        "a request left the page"
    );
}

#[test]
fn a_screenshot_of_the_page_is_not_blank() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (port, seen) = proxy();
    let registry = hostile_registry(dir.path(), port);
    let page = dir.path().join("report.html");
    html_report(&registry, &page, &[]);
    let shot = dir.path().join("shot.png");
    let profile = tempfile::tempdir_in(dir.path()).unwrap();
    let out = browser(&bin, profile.path(), port)
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1280,1000")
        .arg(url(&page))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1280, 1000));
    let pixel = info.color_type.samples();
    let pixels = &buf[..info.buffer_size()];
    let mut colours = std::collections::HashSet::new();
    let mut dark = 0usize;
    for p in pixels.chunks(pixel) {
        colours.insert(p[..3].to_vec());
        dark += usize::from(p[..3].iter().map(|c| *c as u32).sum::<u32>() < 300);
    }
    assert!(colours.len() > 16, "{} colours", colours.len());
    assert!(dark > 1000, "only {dark} dark pixels: no text drawn");
    assert_eq!(
        seen.of_pages(),
        Vec::<String>::new(),
        "a request left the page"
    );
}

#[test]
fn history_over_two_runs_draws_the_trend_chart() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (port, seen) = proxy();
    let registry = hostile_registry(dir.path(), port);
    let history = dir.path().join("audits.jsonl");
    let page = dir.path().join("report.html");
    let h = history.display().to_string();
    html_report(&registry, &page, &["--history", &h]);
    let text = std::fs::read_to_string(&registry).unwrap();
    std::fs::write(&registry, text.replace("IO1GTTHP0M\\\"", "IO1GTTHP0M")).unwrap();
    html_report(&registry, &page, &["--history", &h]);
    let (dom, _) = dump_dom(&bin, dir.path(), port, &url(&page));
    assert!(dom.contains("<svg id=\"trend-chart\""), "no chart");
    assert_eq!(
        dom.matches("<circle").count(),
        4,
        "two runs of errors and warnings"
    );
    let errors = dom.split("<polyline class=\"errors\"").nth(1).unwrap();
    let points = errors
        .split("points=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert_eq!(points.split(' ').count(), 2, "{points}");

    let out = reglint()
        .arg("history")
        .arg(&history)
        .args(["--format", "html", "--output"])
        .arg(dir.path().join("history.html"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let (dom, _) = dump_dom(
        &bin,
        dir.path(),
        port,
        &url(&dir.path().join("history.html")),
    );
    assert!(dom.contains("<svg id=\"trend-chart\""));
    assert!(
        dom.contains("<td>RG101</td><td>3</td><td>2</td>"),
        "rule trend missing"
    );
    assert!(dom.contains("RG101 -1"), "change missing");
    assert_eq!(
        seen.of_pages(),
        Vec::<String>::new(),
        "a request left the page"
    );
}

#[test]
fn the_page_can_be_written_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let registry = hostile_registry(dir.path(), 9);
    let out = reglint()
        .arg("check")
        .arg(&registry)
        .args(["--format", "html"])
        .output()
        .unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.trim_end().ends_with("</html>"));
    assert!(page.contains("\"RG101\""));
    assert!(!page.contains("<img"));
}
