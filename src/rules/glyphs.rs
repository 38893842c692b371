//! What the pack's fonts can print, as the rules see it (rule `font-coverage`). Render's fonts
//! implement [`GlyphCoverage`], so the rules never depend on the PDF renderer.

/// The fonts a pack is printed with, asked only which characters they have.
pub trait GlyphCoverage: std::fmt::Debug + Send + Sync {
    /// Whether a character prints (in the regular style), as a test built once and asked for
    /// many characters: reading the fonts' character maps is not free.
    fn covers(&self) -> Box<dyn Fn(char) -> bool + '_>;
}

/// Characters that are not printed as glyphs: spaces, line breaks, other controls, and
/// zero-width format characters (joiners, marks of direction).
pub fn needs_no_glyph(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}')
}

/// `U+1EC5 ễ`: how a message names a character.
pub fn describe(c: char) -> String {
    use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};
    // The character itself only when it is something to see: never a control, format
    // (bidirectional) or private-use character, a space or a lone combining mark.
    match c.general_category_group() {
        GeneralCategoryGroup::Letter
        | GeneralCategoryGroup::Number
        | GeneralCategoryGroup::Punctuation
        | GeneralCategoryGroup::Symbol => format!("U+{:04X} {c}", c as u32),
        _ => format!("U+{:04X}", c as u32),
    }
}
