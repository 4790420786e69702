//! `manifests.html` prints one A4 page per run: the bundled demo is planned,
//! its manifests are rendered to PDF by headless Chromium, and the PDF's
//! pages are counted.
//!
//! Needs `chromium` (Debian package; `.ci/run` installs it). Without it the
//! test says so and passes, except under CI (`CI=true`), where it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn chromium() -> Option<PathBuf> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

#[test]
fn demo_manifests_print_one_page_per_run() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "chromium is missing under CI: .ci/run should have installed it (apt-get install chromium)"
        );
        eprintln!("SKIPPED demo_manifests_print_one_page_per_run: chromium is not installed (apt-get install chromium)");
        return;
    };
    let out = std::env::temp_dir().join(format!("senroute-manifests-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let o = Command::new(env!("CARGO_BIN_EXE_senroute"))
        .current_dir(root())
        .args(["demo", "--time-limit", "3s", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The demo plans the day: a page per AM run, then per PM run.
    let day: senroute_model::DayPlan =
        serde_json::from_str(&std::fs::read_to_string(out.join("plan.json")).unwrap()).unwrap();
    let runs = day.am.routes.len() + day.pm.routes.len();
    assert!(runs > 5, "{runs} runs");
    let html = std::fs::read_to_string(out.join("manifests.html")).unwrap();
    // Readable stops: schools by name, pick-ups by pupil; needs in words.
    assert!(!html.contains("Home of"));
    assert!(html.contains("Drop at ") && html.contains("Pick up "));
    assert!(html.contains("Wheelchair") && html.contains("Passenger assistant"));

    let pdf = out.join("manifests.pdf");
    let o = Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-pdf-header-footer",
        ])
        .arg(format!(
            "--user-data-dir={}",
            out.join("chromium-profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", out.join("manifests.html").display()))
        .output()
        .unwrap();
    assert!(
        pdf.exists(),
        "chromium wrote no PDF: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let bytes = std::fs::read(&pdf).unwrap();
    let boxes = page_boxes(&bytes);
    assert_eq!(
        boxes.len(),
        runs,
        "manifests.pdf has {} pages for {runs} runs",
        boxes.len(),
    );
    // Each page is A4 (595 × 842 points).
    for (w, h) in boxes {
        assert!(
            (w - 595.0).abs() < 2.0 && (h - 842.0).abs() < 2.0,
            "{w} × {h}"
        );
    }
    std::fs::remove_dir_all(&out).ok();
}

/// Width and height of every page of a PDF: each `/Type /Page` object's
/// `/MediaBox`. Chromium (Skia) writes page objects as plain dictionaries
/// (only content and fonts are compressed), so no PDF library is needed;
/// should that change, the count would be 0 and the test fails loudly.
fn page_boxes(pdf: &[u8]) -> Vec<(f64, f64)> {
    let text = String::from_utf8_lossy(pdf);
    let mut out = Vec::new();
    let mut rest: &str = &text;
    while let Some(at) = rest.find("/Type") {
        rest = &rest[at + 5..];
        let after = rest.trim_start();
        let Some(tail) = after.strip_prefix("/Page") else {
            continue;
        };
        if tail.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            continue; // `/Pages`, the page tree
        }
        // The page's dictionary: back to its `obj`, on to its `endobj`.
        let start = text.len() - rest.len();
        let obj_start = text[..start].rfind(" obj").unwrap_or(0);
        let obj_end = start + text[start..].find("endobj").unwrap_or(text.len() - start);
        let dict = &text[obj_start..obj_end];
        let mb = dict
            .find("/MediaBox")
            .map(|i| &dict[i + 9..])
            .and_then(|s| Some(&s[s.find('[')? + 1..s.find(']')?]))
            .expect("a page without a /MediaBox");
        let v: Vec<f64> = mb.split_whitespace().map(|x| x.parse().unwrap()).collect();
        out.push((v[2] - v[0], v[3] - v[1]));
    }
    out
}
