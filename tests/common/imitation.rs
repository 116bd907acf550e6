//! Putting text where Terraform prints a module author's words, in the captures of
//! `tests/fixtures/scenarios/plan_injected_text`, exactly as Terraform would print it.
//! Shared by the injection tests and the `parse_injection` fuzz target.

/// The harmless message the captures were made with.
pub const NOTE: &str = "The replica count is below the recommended minimum.";

/// The harmless output value the apply captures were made with.
pub const OUTPUT_LINE: &str = "note = \"release notes\"";

/// `text` with the message line replaced by `lines`, framed as the capture frames it: at
/// column 0 without colour, after the frame and its escape codes with colour. `None` when
/// the capture has no such line.
pub fn with_message<S: AsRef<str>>(text: &str, lines: &[S]) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut replaced = false;
    for line in text.split_inclusive('\n') {
        match line.trim_end_matches('\n').strip_suffix(NOTE) {
            Some(prefix) if !prefix.contains('"') => {
                for injected in lines {
                    out.push_str(prefix);
                    out.push_str(injected.as_ref());
                    out.push('\n');
                }
                replaced = true;
            }
            _ => out.push_str(line),
        }
    }
    replaced.then_some(out)
}

/// `text` with the output value replaced by a heredoc of `lines` whose delimiter no line
/// is, as Terraform picks it. `None` when the capture has no such output.
pub fn with_output<S: AsRef<str>>(text: &str, lines: &[S]) -> Option<String> {
    let mut delimiter = String::from("EOT");
    while lines.iter().any(|l| l.as_ref() == delimiter) {
        delimiter.push('_');
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut replaced = false;
    for line in text.split_inclusive('\n') {
        match line.trim_end_matches('\n').strip_suffix(OUTPUT_LINE) {
            Some(prefix) if !prefix.contains(' ') => {
                out.push_str(prefix);
                out.push_str("note = <<");
                out.push_str(&delimiter);
                out.push('\n');
                for injected in lines {
                    out.push_str(injected.as_ref());
                    out.push('\n');
                }
                out.push_str(&delimiter);
                out.push('\n');
                replaced = true;
            }
            _ => out.push_str(line),
        }
    }
    replaced.then_some(out)
}
