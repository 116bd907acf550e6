//! The HTML report (`--output report.html`), written by the real binary from real Terraform
//! output and looked at in a real browser (Debian's headless Chromium): the resources and
//! counts it shows, hostile texts kept as text, masks, the filters in the address, and the
//! load time of a 50,000-resource plan. Without Chromium the browser tests say they are
//! skipped and why.

mod common;

use std::path::{Path, PathBuf};

use common::chromium;
use common::run::{Test, fixture};

/// Runs `tfnotify plan --output FILE` (plus `args`) on `input` in a clean environment and
/// returns the file's path and text.
fn write_report(dir: &Path, name: &str, input: Vec<u8>, args: &[&str]) -> (PathBuf, String) {
    let path = dir.join(name);
    let ran = Test::new()
        .args(["plan", "--quiet", "--output"])
        .args([path.as_os_str()])
        .args(args)
        .stdin(input)
        .dir(dir)
        .env("HOME", dir)
        .run();
    assert!(
        matches!(ran.code, Some(0 | 1)),
        "tfnotify failed: {}",
        ran.stderr
    );
    let text = std::fs::read_to_string(&path).expect("report written");
    (path, text)
}

/// The value of `attribute="…"` on the first element that has it.
fn attribute(dom: &str, attribute: &str) -> Option<String> {
    let start = dom.find(&format!("{attribute}=\""))? + attribute.len() + 2;
    let end = dom[start..].find('"')? + start;
    Some(dom[start..end].to_owned())
}

/// The text of the element with `id`, up to its first tag.
fn text_of(dom: &str, id: &str) -> Option<String> {
    let start = dom.find(&format!("id=\"{id}\""))?;
    let open = dom[start..].find('>')? + start + 1;
    let end = dom[open..].find('<')? + open;
    Some(dom[open..end].to_owned())
}

/// How many resource rows the browser drew.
fn rows(dom: &str) -> usize {
    dom.matches("<details class=\"res\"").count()
}

#[test]
fn the_extension_or_the_flag_chooses_html_and_markdown_stays_the_default() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = fixture("1.11/plan_mixed.txt");
    let (_, html) = write_report(dir.path(), "report.HTML", input.clone(), &[]);
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    let (_, forced) = write_report(
        dir.path(),
        "report.txt",
        input.clone(),
        &["--output-format", "html"],
    );
    assert!(forced.starts_with("<!DOCTYPE html>"));
    let (_, markdown) = write_report(dir.path(), "summary.md", input, &[]);
    assert!(markdown.contains("Plan: 1 to import, 12 to add, 5 to change, 7 to destroy."));
    assert!(!markdown.contains("<!DOCTYPE"), "{markdown}");

    let ran = Test::new()
        .args(["plan", "--output-format", "html"])
        .stdin(fixture("1.11/plan_mixed.txt"))
        .run();
    assert_eq!(ran.code, Some(2), "{}", ran.stderr);
    assert!(ran.stderr.contains("--output <FILE>"), "{}", ran.stderr);
}

#[test]
fn the_page_of_a_small_plan_is_stable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, html) = write_report(
        dir.path(),
        "report.html",
        fixture("1.11/plan_destroy_removed_from_config.txt"),
        &[],
    );
    let mut settings = insta::Settings::clone_current();
    // The inline style and script are the crate's own files; the page around them and the
    // data are what each report changes.
    settings.add_filter(r"(?s)<style>.*?</style>", "<style>[page.css]</style>");
    settings.add_filter(r"(?s)<script>.*?</script>", "<script>[page.js]</script>");
    settings.add_filter(r"'sha256-[A-Za-z0-9+/=]+'", "'sha256-[hash]'");
    settings.bind(|| insta::assert_snapshot!(html));
}

#[test]
fn a_secret_in_a_diff_and_an_error_never_reaches_the_page() {
    let dir = tempfile::tempdir().expect("temp dir");
    let secret = r#"Pa"ss\w0rd&<db>${env}"#;
    let path = dir.path().join("report.html");
    let ran = Test::new()
        .args(["plan", "--quiet", "--output"])
        .args([path.as_os_str()])
        .stdin(fixture("1.11/plan_precondition_secret.txt"))
        .env("HOME", dir.path())
        .env("TFNOTIFY_MASKS", "env:DB_PASSWORD")
        .env("DB_PASSWORD", secret)
        .run();
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    let html = std::fs::read_to_string(&path).expect("report written");
    assert!(!html.contains("w0rd"), "{html}");
    assert!(html.contains("terraform_data.database"));
    assert!(html.contains("***"));
}

#[test]
fn hostile_names_diffs_and_warnings_stay_text_in_the_browser() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, html) = write_report(
        dir.path(),
        "report.html",
        fixture("1.11/plan_html_hostile.txt"),
        &[],
    );
    // In the file: two script elements (the data and ours), nothing Terraform wrote as markup.
    assert_eq!(html.matches("<script").count(), 2, "{html}");
    for markup in [
        "<img",
        "<iframe",
        "<marquee",
        "</details><b>",
        "<script>alert",
    ] {
        assert!(!html.contains(markup), "{markup} in {html}");
    }
    let Some(browser) = chromium::find("hostile_names_diffs_and_warnings_stay_text_in_the_browser")
    else {
        return;
    };
    let (dom, _) = browser.dump_dom(&path, "");
    assert_eq!(rows(&dom), 6, "{dom}");
    assert_eq!(dom.matches("<script").count(), 2, "{dom}");
    for markup in ["<img", "<iframe", "<marquee", "<b>gone", "src=\""] {
        assert!(!dom.contains(markup), "{markup} in {dom}");
    }
    assert!(dom.contains("<title>Terraform plan: 4 to add, 1 to change, 1 to destroy</title>"));
    for address in [
        r#"terraform_data.doomed["&lt;/details&gt;&lt;b&gt;gone&lt;/b&gt;"]"#,
        r#"terraform_data.hostile["&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"]"#,
        r#"terraform_data.hostile["quote\"'&amp;amp;"]"#,
        "module.edge.terraform_data.cdn",
    ] {
        assert!(dom.contains(address), "{address} missing from {dom}");
    }
    assert!(dom.contains("&lt;marquee&gt;warning with markup&lt;/marquee&gt;"));
}

#[test]
fn the_browser_shows_every_resource_the_counts_and_the_banners() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, _) = write_report(
        dir.path(),
        "report.html",
        fixture("1.11/plan_mixed.txt"),
        &["--protect", "terraform_data.tls_*"],
    );
    let Some(browser) =
        chromium::find("the_browser_shows_every_resource_the_counts_and_the_banners")
    else {
        return;
    };
    let (dom, _) = browser.dump_dom(&path, "");
    assert_eq!(rows(&dom), 23, "{dom}");
    assert_eq!(
        text_of(&dom, "shown").as_deref(),
        Some("23 of 23 resources shown")
    );
    for (id, n) in [
        ("count-add", "12"),
        ("count-change", "5"),
        ("count-destroy", "7"),
        ("count-import", "1"),
        ("bar-delete", "2"),
        ("bar-replace", "5"),
        ("bar-create", "7"),
    ] {
        assert_eq!(text_of(&dom, id).as_deref(), Some(n), "{id}");
    }
    let protected = dom
        .find("id=\"protected-banner\"")
        .expect("protected banner");
    let destroy = dom.find("id=\"destroy-banner\"").expect("destroy banner");
    let counts = dom.find("id=\"counts\"").expect("counts");
    assert!(protected < destroy && destroy < counts);
    assert!(dom.contains("<code>terraform_data.tls_certificate</code>"));
    assert!(dom.contains("Check block assertion failed"));

    // Filters come from the address: the Destroy group alone, then one module alone.
    let (dom, _) = browser.dump_dom(&path, "#actions=delete");
    assert_eq!(
        text_of(&dom, "shown").as_deref(),
        Some("2 of 23 resources shown")
    );
    assert_eq!(rows(&dom), 2);
    let (dom, _) = browser.dump_dom(&path, "#module=module.db");
    let shown = text_of(&dom, "shown").expect("shown");
    assert_eq!(
        rows(&dom).to_string(),
        shown.split(' ').next().unwrap_or("")
    );
    assert!(rows(&dom) > 0 && rows(&dom) < 23, "{shown}");
    assert!(!dom.contains("<code>terraform_data.bastion</code>"));

    // `#open=ADDRESS` draws that resource's diff, which the page keeps as data till then.
    let tainted = "<pre>  # terraform_data.tls_certificate is tainted, so must be replaced";
    assert!(!dom.contains(tainted));
    let (dom, _) = browser.dump_dom(&path, "#open=terraform_data.tls_certificate");
    assert_eq!(dom.matches("<pre>  # ").count(), 1, "{dom}");
    assert!(dom.contains(tainted), "{dom}");
    // The whole block, nested lines included, with Terraform's quotes as text.
    assert!(
        dom.contains("\n          - domain = \"example.com\"\n"),
        "{dom}"
    );

    // Printing opens every drawn resource with its diff: the 23 diffs of this plan take
    // about ten pages where the closed list fits on the first two, as with no group shown.
    let pages = |pdf: &[u8]| {
        pdf.windows(11)
            .filter(|w| w.starts_with(b"/Type /Page") && !w.ends_with(b"s"))
            .count()
    };
    let all = pages(&browser.print_to_pdf(&path, ""));
    let none = pages(&browser.print_to_pdf(&path, "#actions="));
    eprintln!("printed: {all} pages with every resource, {none} with none");
    assert!(all >= 6 && none <= 2, "{all} and {none} pages");

    // The picture the docs show.
    let png = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-report.png");
    browser.screenshot(&path, &png, 1000, 1100);
    let bytes = std::fs::read(&png).expect("screenshot");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
}

#[test]
fn fifty_thousand_resources_open_in_the_browser() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut plan = Vec::new();
    common::big_plan::write_plan(&mut plan, 50_000, 0).expect("generate");
    let (path, html) = write_report(dir.path(), "big.html", plan, &[]);
    // Every diff is kept, the middle of a 15 MB plan included.
    for i in [0, 25_000, 49_999] {
        let header = format!(
            "  # module.app[{}].terraform_data.svc[\\\"s-{i}\\\"] will be",
            i % 40
        );
        assert!(html.contains(&header), "no diff for resource {i}");
    }
    let Some(browser) = chromium::find("fifty_thousand_resources_open_in_the_browser") else {
        return;
    };
    let (dom, wall) = browser.dump_dom(&path, "");
    let ready: u64 = attribute(&dom, "data-ready-ms")
        .and_then(|ms| ms.parse().ok())
        .expect("the page says when it was ready");
    // The first frame's time, when the browser painted one before it dumped the DOM.
    let painted = attribute(&dom, "data-painted-ms").unwrap_or_else(|| "not recorded".into());
    eprintln!(
        "50,000 resources: {} MB page, list drawn {ready} ms and first frame {painted} ms after navigation; chromium ran {} ms (start-up and the DOM dump included)",
        html.len() / 1_000_000,
        wall.as_millis()
    );
    assert_eq!(
        text_of(&dom, "shown").as_deref(),
        Some("50000 of 50000 resources shown")
    );
    for (id, n) in [
        ("count-add", "35000"),
        ("count-change", "10000"),
        ("count-destroy", "10000"),
    ] {
        assert_eq!(text_of(&dom, id).as_deref(), Some(n), "{id}");
    }
    // The first chunk of each of the four groups is drawn; the rest waits for a click.
    assert_eq!(rows(&dom), 4 * 500);
    assert!(!dom.contains("<pre>"));

    // The last resource, deep in the Destroy group, can still be opened by its address.
    let (dom, _) = browser.dump_dom(
        &path,
        "#open=module.app%5B39%5D.terraform_data.svc%5B%22s-49999%22%5D",
    );
    assert!(
        dom.contains("<pre>  # module.app[39].terraform_data.svc[\"s-49999\"] will be destroyed"),
        "the last diff was not drawn"
    );
    assert_eq!(rows(&dom), 3 * 500 + 5000);
    // The target is 2 s; this bound only catches a page that stopped drawing lazily, on
    // a machine busy with other builds.
    assert!(ready < 10_000, "ready after {ready} ms");
}

#[test]
fn a_report_that_cannot_be_written_says_where_and_keeps_the_output() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("missing").join("report.html");
    let input = fixture("1.11/plan_mixed.txt");
    let ran = Test::new()
        .args(["plan", "--quiet", "--output"])
        .args([path.as_os_str()])
        .stdin(input.clone())
        .env("HOME", dir.path())
        .run();
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert_eq!(ran.stdout, input, "the pass-through is whole");
    assert_eq!(
        ran.stderr,
        format!(
            "tfnotify: error: could not write the HTML report to `{}`: No such file or directory (os error 2)\n  hint: give `--output` a file in a folder that exists and can be written\n",
            path.display()
        )
    );
}
