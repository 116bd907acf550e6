//! The few terminal styles the summary uses, written out only when colour is on.

/// A foreground colour and weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Bold,
    Dim,
    Green,
    Yellow,
    BoldRed,
    Cyan,
    Magenta,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Bold => "1",
            Style::Dim => "2",
            Style::Green => "32",
            Style::Yellow => "33",
            Style::BoldRed => "1;31",
            Style::Cyan => "36",
            Style::Magenta => "35",
        }
    }
}

/// `text` wrapped in the escape codes for `style` when `color` is on.
pub(crate) fn paint(text: &str, style: Style, color: bool) -> String {
    if color {
        format!("\x1b[{}m{text}\x1b[0m", style.code())
    } else {
        text.to_owned()
    }
}
