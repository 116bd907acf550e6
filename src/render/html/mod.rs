//! The HTML report (`--output report.html`): one self-contained page to look at a run in
//! a browser.
//!
//! The page loads nothing from anywhere: its style and script are inline, and a
//! Content-Security-Policy allows exactly those two (by hash) and nothing else, so opening
//! it makes no network request even if a Terraform text tried to. Everything Terraform
//! wrote is untrusted: it reaches the page HTML-escaped, or as JSON read by the script and
//! set as text, never as markup; and every text is masked before it is written.
//!
//! The headline (banners, counts, bars, diagnostics) is plain HTML and reads without the
//! script; the resource list is drawn by the script from data (see [`data`]), in chunks,
//! so fifty thousand resources open in about a second.

mod data;

use std::fmt::Write as _;
use std::io;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::mask::Masker;
use crate::model::{Action, Counts, Diagnostic, Report};

const STYLE: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

/// How many drifted objects the page lists; drift is context, and a long list of it
/// would push the plan down.
const DRIFT_SHOWN: usize = 1_000;

/// Writes the whole page for `report` to `out`, each Terraform text masked before it is
/// escaped (so a secret is found in the form Terraform printed it); whoever gives `out`
/// masks it once more as a whole. The resource data, most of a large page, goes to `out`
/// as it is made, one row or diff a line, so it is never held whole.
pub fn write_html(report: &Report, masker: &Masker, out: &mut dyn io::Write) -> io::Result<()> {
    let text = |s: &str| escape(&masker.mask(s));
    let title = format!("{} {}", report.tool.display_name(), report.command.as_str());
    let mut page = String::with_capacity(64 * 1024);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src '{}'; script-src '{}'; base-uri 'none'; form-action 'none'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <title>{}: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        csp_hash(STYLE),
        csp_hash(SCRIPT),
        escape(&title),
        escape(&headline(report.counts)),
    );
    let _ = writeln!(page, "<header>\n<h1>{}</h1>", escape(&title));
    let result = report
        .result
        .as_deref()
        .unwrap_or_else(|| report.outcome.as_str());
    let _ = writeln!(
        page,
        "<p class=\"result\" id=\"result\">{}</p>\n</header>",
        text(result)
    );
    banners(&mut page, report, &text);
    counts(&mut page, report.counts);
    bars(&mut page, report);
    diagnostics(&mut page, "Errors", "error", &report.errors, &text);
    diagnostics(&mut page, "Warnings", "warning", &report.warnings, &text);
    if !report.notices.is_empty() {
        page.push_str("<section id=\"notices\">\n<h2>Notices</h2>\n<ul>\n");
        for notice in &report.notices {
            let _ = writeln!(page, "<li>{}</li>", text(notice));
        }
        page.push_str("</ul>\n</section>\n");
    }
    if let Some(lists) = resources(&mut page, report, masker) {
        out.write_all(page.as_bytes())?;
        page.clear();
        data::write_data(out, report, &lists, masker)?;
        let _ = writeln!(page, "</script>\n<script>{SCRIPT}</script>");
    }
    drift(&mut page, report, &text);
    outputs(&mut page, report, &text);
    page.push_str("</body>\n</html>\n");
    out.write_all(page.as_bytes())
}

/// The `'sha256-…'` source of an inline element's content, as CSP matches it.
fn csp_hash(content: &str) -> String {
    let digest = Sha256::digest(content.as_bytes());
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// How much of the planned changes the parser keeps for an HTML report, which shows each
/// resource's diff: a 100,000-resource plan prints about 40 MiB of them.
pub const HTML_CHANGES_KEPT: usize = 64 * 1024 * 1024;

/// Escapes text for HTML content and quoted attribute values, as Go's
/// `template.HTMLEscapeString` (the templates' `html`) does.
fn escape(text: &str) -> String {
    // Without a cap the escape always completes.
    crate::template::html_escape(text, usize::MAX).unwrap_or_default()
}

/// The counts in Terraform's words, for the page's title.
fn headline(counts: Counts) -> String {
    format!(
        "{} to add, {} to change, {} to destroy",
        counts.add, counts.change, counts.destroy
    )
}

/// The destroy and protected banners, before anything else.
fn banners(page: &mut String, report: &Report, text: &impl Fn(&str) -> String) {
    if !report.protected.is_empty() {
        page.push_str(
            "<section class=\"banner\" id=\"protected-banner\" role=\"alert\">\n<strong>Protected resources are destroyed or replaced</strong>\n<ul>\n",
        );
        for change in &report.protected {
            let _ = writeln!(
                page,
                "<li><code>{}</code> <span class=\"{}\">{}</span></li>",
                text(&change.address),
                change.action.as_str(),
                data::label(change.action)
            );
        }
        page.push_str("</ul>\n</section>\n");
    }
    if report.has_destroy {
        let n = report.counts.destroy;
        let (headline, advice) = if report.command.is_apply_like() {
            (
                format!("This run destroyed resources ({n} destroyed)"),
                "The Destroy and Replace groups below list them.",
            )
        } else {
            (
                format!("This plan destroys resources ({n} to destroy)"),
                "Check the Destroy and Replace groups below before applying.",
            )
        };
        let _ = writeln!(
            page,
            "<section class=\"banner warn\" id=\"destroy-banner\" role=\"alert\"><strong>{headline}</strong>{advice}</section>"
        );
    }
}

/// The headline counts.
fn counts(page: &mut String, counts: Counts) {
    page.push_str("<dl class=\"counts\" id=\"counts\">\n");
    let mut items = vec![
        ("add", "To add", counts.add),
        ("change", "To change", counts.change),
        ("destroy", "To destroy", counts.destroy),
    ];
    if counts.import > 0 {
        items.push(("import", "To import", counts.import));
    }
    if counts.forget > 0 {
        items.push(("forget", "To forget", counts.forget));
    }
    for (id, name, n) in items {
        let _ = writeln!(
            page,
            "<div><dt>{name}</dt><dd id=\"count-{id}\">{n}</dd></div>"
        );
    }
    page.push_str("</dl>\n");
}

/// One bar per action, as long as its share of the resources; SVG, so it needs neither
/// inline style (which the policy forbids) nor the script.
fn bars(page: &mut String, report: &Report) {
    let mut per_action = [0_usize; Action::ALL.len()];
    for change in report.resources.iter() {
        per_action[change.action as usize] += 1;
    }
    let most = per_action.iter().copied().max().unwrap_or(0);
    if most == 0 {
        return;
    }
    page.push_str("<div class=\"bars\" id=\"bars\">\n");
    for action in data::GROUP_ORDER {
        let n = per_action[action as usize];
        if n == 0 {
            continue;
        }
        #[allow(clippy::cast_precision_loss)] // a width in percent needs no more precision
        let width = (n as f64 * 100.0 / most as f64).max(0.5);
        let class = action.as_str();
        let _ = writeln!(
            page,
            "<span class=\"{class}\">{}</span><svg viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{n}\"><rect class=\"track\" width=\"100\" height=\"10\"/><rect class=\"{class}\" width=\"{width:.1}\" height=\"10\"/></svg><span class=\"n\" id=\"bar-{class}\">{n}</span>",
            data::label(action)
        );
    }
    page.push_str("</div>\n");
}

/// Errors or warnings, each with Terraform's detail under its headline.
fn diagnostics(
    page: &mut String,
    heading: &str,
    class: &str,
    list: &[Diagnostic],
    text: &impl Fn(&str) -> String,
) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(
        page,
        "<section id=\"{class}s\">\n<h2>{heading} ({})</h2>",
        list.len()
    );
    let open = if class == "error" { " open" } else { "" };
    for diagnostic in list {
        let _ = write!(
            page,
            "<details class=\"diag {class}\"{open}><summary>{}</summary>",
            text(&diagnostic.summary)
        );
        if let Some(address) = &diagnostic.address {
            let _ = write!(page, "<p>with <code>{}</code></p>", text(address));
        }
        if !diagnostic.detail.is_empty() {
            let _ = write!(page, "<pre>{}</pre>", text(&diagnostic.detail));
        }
        page.push_str("</details>\n");
    }
    page.push_str("</section>\n");
}

/// The resource list up to its data: the filters, and the opening of the data element,
/// which the data and the script follow; the lists the filters offer, none when there is
/// no resource to list.
fn resources(page: &mut String, report: &Report, masker: &Masker) -> Option<data::Lists> {
    page.push_str("<section id=\"resources\">\n<h2>Resources</h2>\n");
    if report.resources.is_empty() {
        page.push_str("<p id=\"shown\">No resource changes.</p>\n</section>\n");
        return None;
    }
    let lists = data::lists(report);
    page.push_str("<form id=\"filters\">\n<fieldset><legend>Actions</legend>\n");
    for action in &lists.actions {
        let name = action.as_str();
        let _ = writeln!(
            page,
            "<label><input type=\"checkbox\" data-action=\"{name}\" checked> <span class=\"{name}\">{}</span></label>",
            data::label(*action)
        );
    }
    page.push_str("</fieldset>\n");
    if lists.modules.len() > 1 {
        page.push_str("<label>Module <select id=\"module-filter\">\n<option value=\"-1\">All modules</option>\n");
        for (i, module) in lists.modules.iter().enumerate() {
            let _ = writeln!(
                page,
                "<option value=\"{i}\">{}</option>",
                escape(&masker.mask(module))
            );
        }
        page.push_str("</select></label>\n");
    }
    page.push_str("</form>\n");
    let _ = writeln!(
        page,
        "<p id=\"shown\">{} resources</p>\n<div id=\"groups\"></div>\n<noscript><p>The resource list needs JavaScript; the counts above do not.</p></noscript>",
        report.resources.len()
    );
    if report.resources_omitted > 0 {
        let _ = writeln!(
            page,
            "<p class=\"muted\">{} more resources were counted but not listed (tfnotify lists up to {}).</p>",
            report.resources_omitted,
            crate::model::MAX_RESOURCES
        );
    }
    page.push_str("</section>\n<script type=\"application/json\" id=\"tfnotify-data\">");
    Some(lists)
}

/// The objects that changed outside of Terraform, closed: context, not the plan.
fn drift(page: &mut String, report: &Report, text: &impl Fn(&str) -> String) {
    if report.drift.is_empty() {
        return;
    }
    let _ = writeln!(
        page,
        "<section id=\"drift\">\n<h2>Changed outside of Terraform ({})</h2>\n<details><summary>Objects that changed since the last apply</summary>\n<ul>",
        report.drift.len()
    );
    for change in report.drift.iter().take(DRIFT_SHOWN) {
        let _ = writeln!(
            page,
            "<li><code>{}</code> <span class=\"{}\">{}</span></li>",
            text(&change.address),
            change.action.as_str(),
            if change.action == Action::Delete {
                "deleted"
            } else {
                "changed"
            }
        );
    }
    if report.drift.len() > DRIFT_SHOWN {
        let _ = writeln!(
            page,
            "<li class=\"muted\">and {} more</li>",
            report.drift.len() - DRIFT_SHOWN
        );
    }
    page.push_str("</ul>\n</details>\n</section>\n");
}

/// The root module's outputs that change.
fn outputs(page: &mut String, report: &Report, text: &impl Fn(&str) -> String) {
    if report.outputs.is_empty() {
        return;
    }
    page.push_str("<section id=\"outputs\">\n<h2>Outputs</h2>\n<ul>\n");
    for output in &report.outputs {
        let _ = writeln!(
            page,
            "<li><code>{}</code> <span class=\"{}\">{}</span></li>",
            text(&output.name),
            output.action.as_str(),
            data::label(output.action)
        );
    }
    page.push_str("</ul>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::{csp_hash, escape};
    use crate::mask::Masker;
    use crate::model::{Action, Command, Report, ResourceChange};
    use std::sync::Arc;

    /// The page as one text, as a browser reads the file.
    fn html(report: &Report, masker: &Masker) -> String {
        let mut page = Vec::new();
        super::write_html(report, masker, &mut page).expect("a Vec takes every byte");
        String::from_utf8(page).expect("the page is UTF-8")
    }

    #[test]
    fn escape_covers_markup_and_both_quotes() {
        assert_eq!(
            escape(r#"<a href='x'>"&"</a>"#),
            "&lt;a href=&#39;x&#39;&gt;&#34;&amp;&#34;&lt;/a&gt;"
        );
    }

    #[test]
    fn the_policy_hashes_the_inline_style_and_script_exactly() {
        let page = html(&Report::new(Command::Plan), &Masker::empty());
        assert!(page.contains(&format!("style-src '{}'", csp_hash(super::STYLE))));
        assert!(page.contains("default-src 'none'"));
        // The SHA-256 of the empty string, as `openssl dgst -sha256 -binary | base64` prints it.
        assert_eq!(
            csp_hash(""),
            "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    #[test]
    fn drift_is_listed_closed_after_the_plan() {
        let mut report = Report::new(Command::Plan);
        report.drift = vec![
            ResourceChange::new("aws_s3_bucket.logs", Action::Update),
            ResourceChange::new("aws_iam_role.<x>", Action::Delete),
        ];
        let page = html(&report, &Masker::empty());
        let drift = page.find("<section id=\"drift\">").expect("drift section");
        assert!(drift > page.find("id=\"resources\"").expect("resources"));
        assert!(page.contains("Changed outside of Terraform (2)"));
        assert!(
            page.contains(
                "<code>aws_iam_role.&lt;x&gt;</code> <span class=\"delete\">deleted</span>"
            )
        );
    }

    #[test]
    fn a_hostile_address_stays_text_everywhere() {
        let mut report = Report::new(Command::Plan);
        let address = r#"x.y["</script><script>alert(1)</script></details>'"]"#;
        report.resources = Arc::new(vec![ResourceChange::new(address, Action::Delete)]);
        report.protected.push(crate::model::ProtectedChange {
            address: address.to_owned(),
            action: Action::Delete,
        });
        let page = html(&report, &Masker::empty());
        assert_eq!(page.matches("<script").count(), 2, "{page}");
        assert!(!page.contains("</details>'"), "{page}");
    }
}
