//! The fonts of the pack: which font prints each character, and the shaped words.
//!
//! Atkinson Hyperlegible Next is the main face; Noto Sans (Latin, Greek, Cyrillic, Vietnamese)
//! prints what it lacks, character by character; fonts the user adds (`--font FILE`, or `fonts:`
//! in the profile) come after, for scripts no bundled font covers. A character none of them has
//! is reported (rule `font-coverage`) and never drawn as a blank box in silence.
//!
//! Text is shaped with harfrust (ligatures, combining marks, right-to-left scripts), one
//! distinct word at a time: the shaped words are cached, so a word that occurs a thousand times
//! is shaped once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

const ATKINSON_REGULAR: &[u8] = include_bytes!("../../fonts/AtkinsonHyperlegibleNext-Regular.ttf");
const ATKINSON_BOLD: &[u8] = include_bytes!("../../fonts/AtkinsonHyperlegibleNext-Bold.ttf");
const NOTO_REGULAR: &[u8] = include_bytes!("../../fonts/NotoSans-Regular.ttf");
const NOTO_BOLD: &[u8] = include_bytes!("../../fonts/NotoSans-Bold.ttf");

/// The largest font file `--font` accepts.
pub const MAX_FONT_BYTES: u64 = 64 * 1024 * 1024;
/// The most fonts added to the bundled ones (the profile's `fonts:` and `--font` together): a
/// font for each script a case may use, with room to spare.
pub const MAX_ADDED_FONTS: usize = 16;
/// The most bytes the added fonts may come to together. Each is held in memory twice over
/// (the file and its shaping tables), so this bounds what fonts can take.
pub const MAX_ADDED_FONT_TOTAL: u64 = 128 * 1024 * 1024;

/// Why a font cannot be used. The messages name the file, as the user gave it.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("cannot read the font {}: {reason}", path.display())]
    Unreadable { path: PathBuf, reason: String },
    #[error("the font {} is not a file", path.display())]
    NotAFile { path: PathBuf },
    #[error("the font {} is larger than {} MB", path.display(), MAX_FONT_BYTES / (1024 * 1024))]
    TooLarge { path: PathBuf },
    #[error(
        "{count} fonts are named (the profile's fonts and --font together); ehcpack adds at most {}",
        MAX_ADDED_FONTS
    )]
    TooMany { count: usize },
    #[error(
        "the added fonts come to more than {} MB at {} (the profile's fonts and --font together); add only the fonts the cases need",
        MAX_ADDED_FONT_TOTAL / (1024 * 1024),
        path.display()
    )]
    TooLargeTogether { path: PathBuf },
    #[error("{name} is not a TrueType or OpenType font")]
    NotAFont { name: String },
    #[error("{name} is a font without a character map")]
    NoCharacterMap { name: String },
    #[error("{name} is a font that cannot be embedded in a PDF")]
    NotEmbeddable { name: String },
    /// What was wrong with the font's contents, and which file it was.
    #[error("{error} ({})", path.display())]
    InFile {
        path: PathBuf,
        error: Box<FontError>,
    },
}

/// For callers whose errors are still messages.
impl From<FontError> for String {
    fn from(e: FontError) -> String {
        e.to_string()
    }
}

/// One font file: its bytes, its name and the characters it can print.
#[derive(Clone)]
pub struct FontFile {
    pub name: String,
    bytes: Arc<Vec<u8>>,
    /// The shaper's tables for the font, read once.
    shaping: Arc<harfrust::ShaperData>,
    /// The krilla font (subset when written).
    pub(crate) pdf: krilla::text::Font,
}

impl std::fmt::Debug for FontFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FontFile")
            .field("name", &self.name)
            .finish()
    }
}

impl FontFile {
    fn new(name: &str, bytes: Vec<u8>) -> Result<FontFile, FontError> {
        let bytes = Arc::new(bytes);
        let font = harfrust::FontRef::new(&bytes).map_err(|_| FontError::NotAFont {
            name: name.to_string(),
        })?;
        if !skrifa::MetadataProvider::charmap(&font).has_map() {
            return Err(FontError::NoCharacterMap {
                name: name.to_string(),
            });
        }
        let shaping = Arc::new(harfrust::ShaperData::new(&font));
        let pdf = krilla::text::Font::new(bytes.clone().into(), 0).ok_or_else(|| {
            FontError::NotEmbeddable {
                name: name.to_string(),
            }
        })?;
        Ok(FontFile {
            name: name.to_string(),
            bytes,
            shaping,
            pdf,
        })
    }

    /// Reads a font the user names; the error says which file and why.
    pub fn load(path: &Path) -> Result<FontFile, FontError> {
        let path_buf = path.to_path_buf();
        let meta = std::fs::metadata(path).map_err(|e| FontError::Unreadable {
            path: path_buf.clone(),
            reason: e.to_string(),
        })?;
        if !meta.is_file() {
            return Err(FontError::NotAFile { path: path_buf });
        }
        if meta.len() > MAX_FONT_BYTES {
            return Err(FontError::TooLarge { path: path_buf });
        }
        let bytes =
            crate::read::read_capped(path, MAX_FONT_BYTES).map_err(|e| FontError::Unreadable {
                path: path_buf.clone(),
                reason: e.to_string(),
            })?;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into(),
        );
        FontFile::new(&name, bytes).map_err(|e| FontError::InFile {
            path: path_buf,
            error: Box::new(e),
        })
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// The regular and bold chains: main face, fallback, then the user's fonts.
#[derive(Debug, Clone)]
pub struct Fonts {
    pub regular: Vec<FontFile>,
    pub bold: Vec<FontFile>,
    /// The user's fonts, as named (for messages).
    pub added: Vec<PathBuf>,
}

fn bundled() -> &'static (FontFile, FontFile, FontFile, FontFile) {
    static BUNDLED: OnceLock<(FontFile, FontFile, FontFile, FontFile)> = OnceLock::new();
    BUNDLED.get_or_init(|| {
        let load = |name: &str, bytes: &[u8]| {
            FontFile::new(name, bytes.to_vec()).expect("the bundled fonts are valid")
        };
        (
            load("AtkinsonHyperlegibleNext-Regular", ATKINSON_REGULAR),
            load("AtkinsonHyperlegibleNext-Bold", ATKINSON_BOLD),
            load("NotoSans-Regular", NOTO_REGULAR),
            load("NotoSans-Bold", NOTO_BOLD),
        )
    })
}

impl Default for Fonts {
    fn default() -> Fonts {
        Fonts::bundled()
    }
}

impl Fonts {
    /// The bundled fonts only.
    pub fn bundled() -> Fonts {
        let (ar, ab, nr, nb) = bundled().clone();
        Fonts {
            regular: vec![ar, nr],
            bold: vec![ab, nb],
            added: Vec::new(),
        }
    }

    /// The bundled fonts and the user's, in the order given (the first that has a character
    /// prints it).
    pub fn with_added(paths: &[PathBuf]) -> Result<Fonts, FontError> {
        if paths.len() > MAX_ADDED_FONTS {
            return Err(FontError::TooMany { count: paths.len() });
        }
        let mut fonts = Fonts::bundled();
        let mut total = 0u64;
        for path in paths {
            // Counted from the file's size before it is read, and again from what was read.
            let size = std::fs::metadata(path).map_or(0, |m| m.len());
            if total.saturating_add(size) > MAX_ADDED_FONT_TOTAL {
                return Err(too_large_fonts(path));
            }
            let file = FontFile::load(path)?;
            total = total.saturating_add(file.bytes().len() as u64);
            if total > MAX_ADDED_FONT_TOTAL {
                return Err(too_large_fonts(path));
            }
            fonts.regular.push(file.clone());
            fonts.bold.push(file);
            fonts.added.push(path.clone());
        }
        Ok(fonts)
    }

    /// The characters of `text` no font can print, each once.
    pub fn uncovered(&self, text: &str) -> Vec<char> {
        let faces = Faces::new(self);
        let mut out: Vec<char> = Vec::new();
        for c in text.chars() {
            if !needs_no_glyph(c) && faces.pick(Style::Regular, c).is_none() && !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }
}

fn too_large_fonts(at: &Path) -> FontError {
    FontError::TooLargeTogether {
        path: at.to_path_buf(),
    }
}

// Which characters need no glyph, and how a message names one, are the rules' too.
pub use crate::rules::glyphs::{describe, needs_no_glyph};

/// The rules ask the pack's fonts what they can print through this, never through render.
impl crate::rules::glyphs::GlyphCoverage for Fonts {
    fn covers(&self) -> Box<dyn Fn(char) -> bool + '_> {
        let faces = Faces::new(self);
        Box::new(move |c| faces.pick(Style::Regular, c).is_some())
    }
}

/// Regular or bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    Regular,
    Bold,
}

/// One font, ready to shape and to say which characters it has.
pub struct Face<'a> {
    shaper: harfrust::Shaper<'a>,
    charmap: skrifa::charmap::Charmap<'a>,
}

impl<'a> Face<'a> {
    fn new(file: &'a FontFile) -> Face<'a> {
        let font = harfrust::FontRef::new(file.bytes()).expect("checked when loaded");
        Face {
            shaper: file.shaping.shaper(&font).build(),
            charmap: skrifa::MetadataProvider::charmap(&font),
        }
    }

    /// The glyph for `c`, if the font has one.
    pub fn glyph_index(&self, c: char) -> Option<u16> {
        self.charmap
            .map(c)
            .map(|g| u16::try_from(g.to_u32()).unwrap_or(0))
            .filter(|g| *g != 0)
    }

    fn units_per_em(&self) -> i32 {
        self.shaper.units_per_em()
    }
}

/// The parsed faces of a [`Fonts`], borrowed for one render.
pub struct Faces<'a> {
    regular: Vec<Face<'a>>,
    bold: Vec<Face<'a>>,
}

impl<'a> Faces<'a> {
    pub fn new(fonts: &'a Fonts) -> Faces<'a> {
        Faces {
            regular: fonts.regular.iter().map(Face::new).collect(),
            bold: fonts.bold.iter().map(Face::new).collect(),
        }
    }

    fn chain(&self, style: Style) -> &[Face<'a>] {
        match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
        }
    }

    /// The index of the first font of the chain that has `c`.
    pub fn pick(&self, style: Style, c: char) -> Option<usize> {
        self.chain(style)
            .iter()
            .position(|f| f.glyph_index(c).is_some())
    }
}

/// One shaped glyph, in units of the font size (multiply by the size for points).
#[derive(Debug, Clone, Copy)]
pub struct Glyph {
    pub id: u16,
    pub advance: f32,
    pub x_offset: f32,
    pub y_offset: f32,
    /// The byte range of the word's text this glyph's cluster covers.
    pub start: u32,
    pub end: u32,
}

/// A run of glyphs from one font.
#[derive(Debug, Clone)]
pub struct Run {
    /// Index into the style's chain.
    pub font: usize,
    pub glyphs: Vec<Glyph>,
    /// The byte range of the word the run covers.
    pub start: usize,
    pub end: usize,
    pub rtl: bool,
}

/// A shaped word: its runs, its width at size 1, and the characters no font has.
#[derive(Debug, Clone)]
pub struct Shaped {
    pub runs: Vec<Run>,
    pub width: f32,
    pub rtl: bool,
}

/// Shapes words, each distinct word once.
pub struct Shaper<'a> {
    faces: Faces<'a>,
    /// Shaped words, regular and bold (the key is shared with every [`Shaper::word_and_text`]).
    cache: [HashMap<Arc<str>, Arc<Shaped>>; 2],
    /// The shaped space, regular and bold.
    spaces: [Option<Arc<Shaped>>; 2],
    /// Shaping plans by weight, font, direction and script: made once, not per word.
    plans: HashMap<(Style, usize, harfrust::Direction, harfrust::Script), harfrust::ShapePlan>,
    /// Characters no font has, in the order met.
    pub missing: Vec<char>,
}

impl<'a> Shaper<'a> {
    pub fn new(fonts: &'a Fonts) -> Shaper<'a> {
        Shaper {
            faces: Faces::new(fonts),
            cache: [HashMap::new(), HashMap::new()],
            spaces: [None, None],
            plans: HashMap::new(),
            missing: Vec::new(),
        }
    }

    /// The shaped word (no spaces inside), from the cache when seen before.
    pub fn word(&mut self, style: Style, word: &str) -> Arc<Shaped> {
        self.word_and_text(style, word).1
    }

    /// The word's text and its shape, both from the cache when seen before (a long text
    /// repeats its words: one copy of each, not one per occurrence).
    pub fn word_and_text(&mut self, style: Style, word: &str) -> (Arc<str>, Arc<Shaped>) {
        // Very long words are not cached: they are rare, and each would hold its memory.
        if word.len() > 256 {
            return (Arc::from(word), Arc::new(self.shape(style, word)));
        }
        let k = style as usize;
        if let Some((text, s)) = self.cache[k].get_key_value(word) {
            return (text.clone(), s.clone());
        }
        let text: Arc<str> = Arc::from(word);
        let shaped = Arc::new(self.shape(style, word));
        self.cache[k].insert(text.clone(), shaped.clone());
        (text, shaped)
    }

    /// The glyph of a space in font `font` of the chain.
    pub fn space_glyph(&self, style: Style, font: usize) -> u16 {
        self.faces.chain(style)[font].glyph_index(' ').unwrap_or(0)
    }

    /// The glyph of a space in each font of the chain.
    pub fn space_glyphs(&self, style: Style) -> Vec<u16> {
        let chain = self.faces.chain(style);
        (0..chain.len())
            .map(|font| self.space_glyph(style, font))
            .collect()
    }

    /// The shaped space.
    pub fn space_shaped(&mut self, style: Style) -> Arc<Shaped> {
        let k = style as usize;
        if let Some(s) = &self.spaces[k] {
            return s.clone();
        }
        let s = Arc::new(self.shape(style, " "));
        self.spaces[k] = Some(s.clone());
        s
    }

    /// The width of a space at size 1.
    pub fn space(&mut self, style: Style) -> f32 {
        self.space_shaped(style).width
    }

    fn shape(&mut self, style: Style, word: &str) -> Shaped {
        // A word is set in one font when one font has all of it (the first such font of the
        // chain), so it reads and copies as one word; otherwise each character goes to the first
        // font that has it, and a combining mark stays with its base character's font when that
        // font has it too.
        let chain = self.faces.chain(style);
        let whole = chain.iter().position(|f| {
            word.chars()
                .all(|c| needs_no_glyph(c) || f.glyph_index(c).is_some())
        });
        let mut runs: Vec<(usize, usize, usize)> = Vec::new(); // (font, start, end)
        match whole {
            Some(f) => runs.push((f, 0, word.len())),
            None => {
                for (i, c) in word.char_indices() {
                    let end = i + c.len_utf8();
                    let current = runs.last().map(|r| r.0);
                    let font = if needs_no_glyph(c) {
                        current.unwrap_or(0)
                    } else {
                        let mark = is_mark(c);
                        match current {
                            Some(f) if mark && chain[f].glyph_index(c).is_some() => f,
                            _ => match self.faces.pick(style, c) {
                                Some(f) => f,
                                None => {
                                    if !self.missing.contains(&c) {
                                        self.missing.push(c);
                                    }
                                    // Printed with a visible replacement; reported.
                                    current.unwrap_or(0)
                                }
                            },
                        }
                    };
                    match runs.last_mut() {
                        Some(r) if r.0 == font => r.2 = end,
                        _ => runs.push((font, i, end)),
                    }
                }
            }
        }
        let mut out = Vec::with_capacity(runs.len());
        let mut width = 0.0;
        let mut any_rtl = false;
        for (font, start, end) in runs {
            let face = &self.faces.chain(style)[font];
            let upem = face.units_per_em() as f32;
            let replacement = ['\u{FFFD}', '\u{25A1}', '?']
                .iter()
                .find_map(|c| face.glyph_index(*c))
                .unwrap_or(0);
            let mut buffer = harfrust::UnicodeBuffer::new();
            buffer.push_str(&word[start..end]);
            buffer.guess_segment_properties();
            let direction = buffer.direction();
            let script = buffer.script();
            let rtl = direction == harfrust::Direction::RightToLeft;
            any_rtl |= rtl;
            let plan = self
                .plans
                .entry((style, font, direction, script))
                .or_insert_with(|| {
                    harfrust::ShapePlan::new(&face.shaper, direction, Some(script), None, &[])
                });
            let shaped = face
                .shaper
                .shape(buffer, harfrust::ShapeOptions::new().plan(Some(plan)));
            let infos = shaped.glyph_infos();
            let positions = shaped.glyph_positions();
            let len = end - start;
            // Cluster ends: the next larger cluster start, or the end of the run.
            let mut starts: Vec<u32> = infos.iter().map(|i| i.cluster).collect();
            starts.sort_unstable();
            starts.dedup();
            let mut glyphs = Vec::with_capacity(infos.len());
            for (info, pos) in infos.iter().zip(positions) {
                let next = starts
                    .binary_search(&info.cluster)
                    .ok()
                    .and_then(|k| starts.get(k + 1))
                    .copied()
                    .unwrap_or(len as u32);
                // A character no font has is drawn as the font's replacement character (or a
                // question mark), never as an invisible or empty .notdef box; the text keeps
                // the character itself.
                let id = match info.glyph_id {
                    0 => replacement,
                    id => id as u16,
                };
                let g = Glyph {
                    id,
                    advance: pos.x_advance as f32 / upem,
                    x_offset: pos.x_offset as f32 / upem,
                    y_offset: pos.y_offset as f32 / upem,
                    start: start as u32 + info.cluster,
                    end: start as u32 + next,
                };
                width += g.advance;
                glyphs.push(g);
            }
            out.push(Run {
                font,
                glyphs,
                start,
                end,
                rtl,
            });
        }
        Shaped {
            runs: out,
            width,
            rtl: any_rtl,
        }
    }
}

/// Combining marks (general category M), roughly: the blocks that hold them.
fn is_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0483}'..='\u{0489}'
        | '\u{0591}'..='\u{05BD}'
        | '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0900}'..='\u{0903}'
        | '\u{093A}'..='\u{094F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polish_and_vietnamese_are_covered_by_the_bundled_fonts() {
        let fonts = Fonts::bundled();
        assert!(fonts.uncovered("Łukasz Wiśniewski-Nguyễn").is_empty());
        assert!(fonts.uncovered("Дмитрий Ελένη").is_empty());
        assert_eq!(
            fonts.uncovered("Aisha عائشة"),
            "عائشة".chars().fold(Vec::new(), |mut v, c| {
                if !v.contains(&c) {
                    v.push(c)
                }
                v
            })
        );
    }

    #[test]
    fn the_fallback_prints_what_the_main_face_lacks() {
        let fonts = Fonts::bundled();
        let mut shaper = Shaper::new(&fonts);
        let word = shaper.word(Style::Regular, "Nguyễn");
        assert!(shaper.missing.is_empty());
        assert!(word.width > 0.0);
        // Every glyph is a real one, not .notdef.
        assert!(word.runs.iter().all(|r| r.glyphs.iter().all(|g| g.id != 0)));
    }

    #[test]
    fn right_to_left_words_are_shaped_with_an_added_font() {
        let font = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/fonts/NotoSansArabic-Regular.ttf");
        let fonts = Fonts::with_added(&[font]).unwrap();
        let mut shaper = Shaper::new(&fonts);
        let word = shaper.word(Style::Regular, "جوش");
        assert!(shaper.missing.is_empty());
        assert!(word.rtl);
        assert_eq!(word.runs.len(), 1);
        assert_eq!(
            word.runs[0].font, 2,
            "the added font, after the two bundled ones"
        );
        // Joined forms: glyphs in visual order (right to left), so the clusters come last first.
        let clusters: Vec<u32> = word.runs[0].glyphs.iter().map(|g| g.start).collect();
        assert!(clusters.windows(2).all(|w| w[0] >= w[1]), "{clusters:?}");
        assert!(word.runs[0].glyphs.iter().all(|g| g.id != 0));
        // Without the font: reported, and drawn with a visible replacement.
        let bundled = Fonts::bundled();
        let mut shaper = Shaper::new(&bundled);
        let word = shaper.word(Style::Regular, "جوش");
        assert_eq!(shaper.missing, vec!['ج', 'و', 'ش']);
        assert!(word.runs.iter().all(|r| r.glyphs.iter().all(|g| g.id != 0)));
    }

    #[test]
    fn words_are_shaped_once() {
        let fonts = Fonts::bundled();
        let mut shaper = Shaper::new(&fonts);
        let a = shaper.word(Style::Bold, "outcome");
        let b = shaper.word(Style::Bold, "outcome");
        assert!(Arc::ptr_eq(&a, &b));
    }
}
