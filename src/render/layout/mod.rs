//! From blocks to pages, in one pass: every block is measured with the real fonts (shaped
//! words), broken into lines, and the lines into pages. The result is plain positioned boxes
//! (glyph runs, rules and fills, link areas), each carrying its place in the document's
//! structure (heading, paragraph, list item, table cell with its header, figure with its
//! description) or marked as an artifact (running header and footer, repeated table headers,
//! borders). [`super::writer`] turns them into krilla calls; nothing here knows PDF.
//!
//! Afterwards, the numbers that depend on the whole layout are filled in: "Page N of M" and the
//! contents' page numbers (their space is reserved while laying out, so nothing moves).

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};

use super::context::{Extras, Ratings};
use super::fonts::{Glyph, Shaped, Shaper, Style};
use super::markup::Block;

/// A4, in points.
pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
const MM: f32 = 72.0 / 25.4;
const LEFT: f32 = 18.0 * MM;
const RIGHT: f32 = PAGE_W - 18.0 * MM;
const BOTTOM: f32 = PAGE_H - 20.0 * MM;
const BASE: f32 = 11.0;
const SMALL: f32 = 9.0;
const TABLE: f32 = 10.0;
const LEADING: f32 = 1.3;
const PAD: f32 = 1.5 * MM;

pub const DRAFT_MARK: &str = "DRAFT - not ready to send";

/// The most pages a pack may have: far beyond any real request (a typical pack has 25), and
/// what keeps time and memory bounded whatever a case holds.
pub const MAX_PAGES: usize = 1000;

/// An RGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour(pub u8, pub u8, pub u8);

pub const BLACK: Colour = Colour(0, 0, 0);
const HEADING: Colour = Colour(0, 45, 98);
const RED: Colour = Colour(180, 0, 0);
const GREY: Colour = Colour(90, 90, 90);
const RULE: Colour = Colour(140, 140, 140);
const HEAD_FILL: Colour = Colour(230, 236, 245);

/// What a piece of the document is, for the structure tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Tag {
    /// The root: the document.
    Document,
    /// A heading, its level and its text.
    Heading(u8, String),
    Paragraph,
    List,
    ListItem,
    Label,
    ListBody,
    Table,
    Row,
    /// A header cell; `row` when it heads a row (key-value tables), else a column.
    HeaderCell {
        row: bool,
    },
    Cell,
    /// A drawing, with the text that says what it shows.
    Figure(String),
    Contents,
    ContentsItem,
    Link,
}

/// A node of the structure tree.
#[derive(Debug, Clone)]
pub struct Node {
    pub tag: Tag,
    pub children: Vec<Child>,
}

/// A node's child, in reading order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Child {
    Node(usize),
    /// A sequence of content on one page (a marked-content id, see [`Mark::Content`]).
    Content(usize),
    /// A link area (see [`Item::Link`]).
    Annotation(usize),
}

/// What content is: part of a structure node, or an artifact of the page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mark {
    Content(usize),
    /// Running header and footer, page numbers, repeated table headers, the draft mark.
    Pagination,
    /// Borders, rules and fills that only decorate.
    Decoration,
}

/// Glyphs of one font, drawn from `x` along the baseline.
#[derive(Debug, Clone)]
pub struct GlyphRun {
    pub style: Style,
    pub font: usize,
    pub x: f32,
    /// The text the glyphs print; each glyph's range is into it.
    pub text: String,
    pub glyphs: Vec<Glyph>,
}

/// One line of text.
#[derive(Debug, Clone)]
pub struct TextLine {
    /// The baseline.
    pub y: f32,
    pub size: f32,
    pub colour: Colour,
    pub runs: Vec<GlyphRun>,
}

/// A positioned box.
#[derive(Debug, Clone)]
pub enum Item {
    Text(TextLine),
    /// A filled and/or stroked rectangle.
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<Colour>,
        stroke: Option<Colour>,
    },
    /// Rectangles drawn as one shape (a table row's cell frames).
    Rects {
        rects: Vec<(f32, f32, f32, f32)>,
        fill: Option<Colour>,
        stroke: Option<Colour>,
    },
    /// A straight line.
    Line {
        from: (f32, f32),
        to: (f32, f32),
        colour: Colour,
        width: f32,
    },
    /// A clickable area that goes to heading `heading`; `id` is its [`Child::Annotation`].
    Link {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        heading: usize,
        id: usize,
        alt: String,
    },
}

/// A positioned box and its mark.
#[derive(Debug, Clone)]
pub struct Placed {
    pub item: Item,
    pub mark: Mark,
}

/// A heading's place: for the outline, the contents and its links.
#[derive(Debug, Clone)]
pub struct HeadingAt {
    pub level: u8,
    pub text: String,
    pub page: usize,
    pub y: f32,
}

/// The laid-out pack.
#[derive(Debug, Default)]
pub struct Laid {
    pub pages: Vec<Vec<Placed>>,
    /// The structure tree; node 0 is the document.
    pub nodes: Vec<Node>,
    pub headings: Vec<HeadingAt>,
    /// How many marked-content sequences and link areas there are.
    pub contents: usize,
    pub links: usize,
}

/// A word ready to place: its text and shaped glyphs, at one style.
#[derive(Clone)]
struct Word {
    text: Arc<str>,
    shaped: Arc<Shaped>,
    style: Style,
}

/// One line of words, before placing.
struct LineOf {
    words: Vec<Word>,
    width: f32,
}

/// A contents page number to fill in once the layout is done.
struct PageRef {
    page: usize,
    /// Where among the page's items it goes (right after its entry's text).
    at: usize,
    heading: usize,
    right: f32,
    y: f32,
    style: Style,
    size: f32,
    mark: Mark,
}

struct Layouter<'s, 'f> {
    shaper: &'s mut Shaper<'f>,
    out: Laid,
    y: f32,
    top: f32,
    /// Blocks put on the current page (for page breaks that would leave an empty page).
    placed_on_page: bool,
    refs: Vec<PageRef>,
    /// The level of the last heading in the structure tree.
    last_level: u8,
}

/// Lays out `blocks`; the contents list uses the headings of `blocks`.
pub fn layout(
    blocks: &[Block],
    extras: &Extras,
    draft: bool,
    shaper: &mut Shaper,
) -> Result<Laid, String> {
    let top = if draft { 28.0 * MM } else { 20.0 * MM };
    let mut l = Layouter {
        shaper,
        out: Laid {
            nodes: vec![Node {
                tag: Tag::Document,
                children: Vec::new(),
            }],
            ..Laid::default()
        },
        y: top,
        top,
        placed_on_page: false,
        refs: Vec::new(),
        last_level: 0,
    };
    l.out.pages.push(Vec::new());
    let headings: Vec<(u8, String)> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, text } => Some((*level, text.clone())),
            _ => None,
        })
        .collect();
    let mut section = String::from("the start of the pack");
    for block in blocks {
        if let Block::Heading { text, .. } = block {
            section = format!("the section \"{text}\"");
        }
        l.block(block, extras, &headings)?;
        if l.out.pages.len() > MAX_PAGES {
            return Err(format!(
                "the pack would be longer than {MAX_PAGES} pages (reached in {section}); \
                 shorten the text there, or put long reports in a PDF listed in evidence.yaml"
            ));
        }
    }
    l.finish(extras, draft);
    Ok(l.out)
}

fn fold_words(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace()
}

impl<'s, 'f> Layouter<'s, 'f> {
    fn page(&self) -> usize {
        self.out.pages.len() - 1
    }

    fn new_page(&mut self) {
        self.out.pages.push(Vec::new());
        self.y = self.top;
        self.placed_on_page = false;
    }

    /// Starts a new page unless `h` fits below the cursor (or the page is still empty).
    fn room(&mut self, h: f32) {
        if self.y + h > BOTTOM && self.placed_on_page {
            self.new_page();
        }
    }

    fn node(&mut self, parent: usize, tag: Tag) -> usize {
        let id = self.out.nodes.len();
        self.out.nodes.push(Node {
            tag,
            children: Vec::new(),
        });
        self.out.nodes[parent].children.push(Child::Node(id));
        id
    }

    /// The mark for new content of `node` on the current page: the node's last content
    /// sequence when it is the last thing placed on this page, else a new one.
    fn content(&mut self, node: usize) -> Mark {
        let page = self.page();
        if let (Some(Child::Content(last)), Some(p)) = (
            self.out.nodes[node].children.last(),
            self.out.pages[page].last(),
        ) {
            if p.mark == Mark::Content(*last) {
                return Mark::Content(*last);
            }
        }
        let id = self.out.contents;
        self.out.contents += 1;
        self.out.nodes[node].children.push(Child::Content(id));
        Mark::Content(id)
    }

    fn put(&mut self, item: Item, mark: Mark) {
        let page = self.page();
        self.out.pages[page].push(Placed { item, mark });
        self.placed_on_page = true;
    }

    fn words(&mut self, text: &str, style: Style) -> Vec<Word> {
        fold_words(text)
            .map(|w| Word {
                text: Arc::from(w),
                shaped: self.shaper.word(style, w),
                style,
            })
            .collect()
    }

    /// Breaks words into lines no wider than `width` points at `size`; a word wider than the
    /// line is cut between its characters.
    fn lines(&mut self, words: Vec<Word>, size: f32, width: f32) -> Vec<LineOf> {
        let mut out: Vec<LineOf> = Vec::new();
        let mut current = LineOf {
            words: Vec::new(),
            width: 0.0,
        };
        // A hair of tolerance, so a word measured to fit exactly is not cut by rounding.
        let width = width.max(size) + 0.01;
        for word in words {
            let space = self.shaper.space(word.style) * size;
            let w = word.shaped.width * size;
            let pieces = if w > width {
                cut(&word, width / size)
            } else {
                vec![word]
            };
            for piece in pieces {
                let w = piece.shaped.width * size;
                let extra = if current.words.is_empty() {
                    w
                } else {
                    space + w
                };
                if current.width + extra > width && !current.words.is_empty() {
                    out.push(std::mem::replace(
                        &mut current,
                        LineOf {
                            words: Vec::new(),
                            width: 0.0,
                        },
                    ));
                    current.width = w;
                } else {
                    current.width += extra;
                }
                current.words.push(piece);
            }
        }
        if !current.words.is_empty() {
            out.push(current);
        }
        out
    }

    /// The glyph runs of a line, starting at `x`: words in visual order (a stretch of
    /// right-to-left words is reversed), one run per change of font, spaces as glyphs so the
    /// text copies with its spaces.
    fn runs(&mut self, line: &LineOf, x: f32, size: f32) -> Vec<GlyphRun> {
        let mut order: Vec<usize> = (0..line.words.len()).collect();
        let mut i = 0;
        while i < order.len() {
            if line.words[i].shaped.rtl {
                let mut j = i;
                while j + 1 < order.len() && line.words[j + 1].shaped.rtl {
                    j += 1;
                }
                order[i..=j].reverse();
                i = j + 1;
            } else {
                i += 1;
            }
        }
        let mut runs: Vec<GlyphRun> = Vec::new();
        let mut pen = x;
        for (k, &w) in order.iter().enumerate() {
            let word = &line.words[w];
            if k > 0 {
                // The space belongs to the run before it, in that run's font.
                let space = self.shaper.space_shaped(word.style);
                if let (Some(run), Some(sr)) = (runs.last_mut(), space.runs.first()) {
                    if let Some(g) = sr.glyphs.first() {
                        let start = run.text.len() as u32;
                        run.text.push(' ');
                        let font_space = if run.font == sr.font {
                            g.id
                        } else {
                            self.shaper.space_glyph(run.style, run.font)
                        };
                        run.glyphs.push(Glyph {
                            id: font_space,
                            advance: g.advance,
                            x_offset: 0.0,
                            y_offset: 0.0,
                            start,
                            end: start + 1,
                        });
                    }
                }
                pen += self.shaper.space(word.style) * size;
            }
            for r in &word.shaped.runs {
                let text = &word.text[r.start..r.end];
                let same = runs
                    .last()
                    .is_some_and(|last| last.font == r.font && last.style == word.style);
                if !same {
                    runs.push(GlyphRun {
                        style: word.style,
                        font: r.font,
                        x: pen,
                        text: String::new(),
                        glyphs: Vec::new(),
                    });
                }
                let run = runs.last_mut().expect("pushed");
                let base = run.text.len() as u32;
                run.text.push_str(text);
                for g in &r.glyphs {
                    run.glyphs.push(Glyph {
                        start: base + g.start - r.start as u32,
                        end: base + g.end - r.start as u32,
                        ..*g
                    });
                    pen += g.advance * size;
                }
            }
        }
        runs
    }

    /// Places `lines` from the cursor in `x..x+width`, each on a new page when it does not fit.
    #[allow(clippy::too_many_arguments)]
    fn place_lines(
        &mut self,
        lines: &[LineOf],
        x: f32,
        width: f32,
        size: f32,
        colour: Colour,
        align: Align,
        node: usize,
    ) {
        let lh = size * LEADING;
        for line in lines {
            self.room(lh);
            let lx = match align {
                Align::Left => x,
                Align::Centre => x + (width - line.width) / 2.0,
            };
            let runs = self.runs(line, lx, size);
            let mark = self.content(node);
            self.put(
                Item::Text(TextLine {
                    y: self.y + size * 0.95,
                    size,
                    colour,
                    runs,
                }),
                mark,
            );
            self.y += lh;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn text_block(
        &mut self,
        text: &str,
        style: Style,
        size: f32,
        colour: Colour,
        align: Align,
        parent: usize,
        tag: Tag,
    ) -> usize {
        let node = self.node(parent, tag);
        let words = self.words(text, style);
        let lines = self.lines(words, size, RIGHT - LEFT);
        self.place_lines(&lines, LEFT, RIGHT - LEFT, size, colour, align, node);
        node
    }

    fn gap(&mut self, pt: f32) {
        if self.placed_on_page {
            self.y += pt;
        }
    }

    fn block(
        &mut self,
        block: &Block,
        extras: &Extras,
        headings: &[(u8, String)],
    ) -> Result<(), String> {
        match block {
            Block::Heading { level, text } => {
                let (size, before) = match level {
                    1 => (18.0, 6.0),
                    2 => (14.0, 8.0),
                    _ => (12.0, 5.0),
                };
                self.gap(before);
                // Keep with what follows: the heading and about four lines after it.
                let words = self.words(text, Style::Bold);
                let lines = self.lines(words, size, RIGHT - LEFT);
                let h = lines.len() as f32 * size * LEADING + 4.0 * BASE * LEADING;
                self.room(h);
                self.out.headings.push(HeadingAt {
                    level: *level,
                    text: text.clone(),
                    page: self.page(),
                    y: self.y,
                });
                // In the structure a heading never skips a level going down (a `###` straight
                // after a `#` is tagged H2), whatever the templates write.
                let tagged = (*level).min(self.last_level + 1);
                self.last_level = tagged;
                let node = self.node(0, Tag::Heading(tagged, text.clone()));
                self.place_lines(&lines, LEFT, RIGHT - LEFT, size, HEADING, Align::Left, node);
                self.y += 3.0;
            }
            Block::Paragraph(text) => {
                self.text_block(
                    text,
                    Style::Regular,
                    BASE,
                    BLACK,
                    Align::Left,
                    0,
                    Tag::Paragraph,
                );
                self.y += 5.0;
            }
            Block::Strong(text) => {
                self.text_block(
                    text,
                    Style::Bold,
                    BASE,
                    BLACK,
                    Align::Left,
                    0,
                    Tag::Paragraph,
                );
                self.y += 5.0;
            }
            Block::Note(text) => {
                let node = self.node(0, Tag::Paragraph);
                let words = self.words(text, Style::Regular);
                let inset = 3.0 * MM;
                let lines = self.lines(words, BASE, RIGHT - LEFT - 2.0 * inset);
                self.room(BASE * LEADING + 2.0 * PAD);
                let mut start = (self.page(), self.y);
                self.y += PAD;
                let lh = BASE * LEADING;
                for line in &lines {
                    if self.y + lh + PAD > BOTTOM {
                        self.frame(start.1, self.y + PAD, start.0);
                        self.new_page();
                        start = (self.page(), self.y);
                        self.y += PAD;
                    }
                    self.place_lines(
                        std::slice::from_ref(line),
                        LEFT + inset,
                        RIGHT - LEFT - 2.0 * inset,
                        BASE,
                        BLACK,
                        Align::Left,
                        node,
                    );
                }
                self.y += PAD;
                self.frame(start.1, self.y, start.0);
                self.y += 5.0;
            }
            Block::Bullets(items) => {
                let list = self.node(0, Tag::List);
                let indent = 5.0 * MM;
                for item in items {
                    let li = self.node(list, Tag::ListItem);
                    let label = self.node(li, Tag::Label);
                    let body = self.node(li, Tag::ListBody);
                    let words = self.words(item, Style::Regular);
                    let lines = self.lines(words, BASE, RIGHT - LEFT - indent);
                    self.room(BASE * LEADING);
                    let bullet = self.words("•", Style::Regular);
                    let bl = LineOf {
                        width: bullet.iter().map(|w| w.shaped.width * BASE).sum(),
                        words: bullet,
                    };
                    let runs = self.runs(&bl, LEFT + 1.5 * MM, BASE);
                    let mark = self.content(label);
                    self.put(
                        Item::Text(TextLine {
                            y: self.y + BASE * 0.95,
                            size: BASE,
                            colour: BLACK,
                            runs,
                        }),
                        mark,
                    );
                    self.place_lines(
                        &lines,
                        LEFT + indent,
                        RIGHT - LEFT - indent,
                        BASE,
                        BLACK,
                        Align::Left,
                        body,
                    );
                }
                self.y += 5.0;
            }
            Block::KeyValue(rows) => {
                let rows: Vec<Vec<String>> = rows
                    .iter()
                    .map(|(k, v)| vec![k.clone(), v.clone()])
                    .collect();
                self.table(None, &rows, true);
                self.y += 6.0;
            }
            Block::Table { header, rows, .. } => {
                self.table(header.as_deref(), rows, false);
                self.y += 6.0;
            }
            Block::Title(text) => {
                self.text_block(
                    text,
                    Style::Bold,
                    24.0,
                    HEADING,
                    Align::Centre,
                    0,
                    Tag::Paragraph,
                );
                self.y += 6.0;
            }
            Block::Centre(text) => {
                self.text_block(
                    text,
                    Style::Regular,
                    14.0,
                    BLACK,
                    Align::Centre,
                    0,
                    Tag::Paragraph,
                );
            }
            Block::Mark(text) => {
                self.text_block(
                    text,
                    Style::Bold,
                    20.0,
                    RED,
                    Align::Centre,
                    0,
                    Tag::Paragraph,
                );
            }
            Block::Space(n) => {
                let n = if n.is_finite() {
                    n.clamp(0.0, 60.0) as f32
                } else {
                    1.0
                };
                self.y += n * BASE * LEADING;
                if self.y > BOTTOM {
                    self.new_page();
                }
            }
            Block::PageBreak => {
                if self.placed_on_page {
                    self.new_page();
                }
            }
            Block::Contents => self.contents(headings),
            Block::Timeline => self.timeline(extras),
            Block::ChartOutcomes => self.chart(&extras.ratings),
        }
        Ok(())
    }

    fn frame(&mut self, top: f32, bottom: f32, page: usize) {
        let item = Item::Rect {
            x: LEFT,
            y: top,
            w: RIGHT - LEFT,
            h: bottom - top,
            fill: None,
            stroke: Some(RULE),
        };
        self.out.pages[page].push(Placed {
            item,
            mark: Mark::Decoration,
        });
    }

    /// Column widths from the content: each column at least as wide as its longest word (so
    /// no header breaks inside a word), the rest shared by how much text each column has.
    fn column_widths(
        &mut self,
        header: Option<&[String]>,
        rows: &[Vec<String>],
        key: bool,
    ) -> Vec<f32> {
        let n = header
            .map(|h| h.len())
            .into_iter()
            .chain(rows.iter().map(Vec::len))
            .max()
            .unwrap_or(1)
            .max(1);
        let total = RIGHT - LEFT;
        let mut min = vec![0.0f32; n];
        let mut max = vec![0.0f32; n];
        let mut measure =
            |cells: &[String], bold: &dyn Fn(usize) -> bool, min: &mut [f32], max: &mut [f32]| {
                for (i, c) in cells.iter().enumerate().take(n) {
                    let style = if bold(i) { Style::Bold } else { Style::Regular };
                    let space = self.shaper.space(style);
                    let mut whole = 0.0f32;
                    let mut longest = 0.0f32;
                    for (k, w) in fold_words(c).enumerate() {
                        let width = self.shaper.word(style, w).width;
                        longest = longest.max(width);
                        whole += width + if k > 0 { space } else { 0.0 };
                    }
                    min[i] = min[i].max(longest * TABLE + 2.0 * PAD);
                    max[i] = max[i].max(whole * TABLE + 2.0 * PAD);
                }
            };
        if let Some(h) = header {
            measure(h, &|_| true, &mut min, &mut max);
        }
        // Very long tables: the first rows are enough to judge the widths.
        for r in rows.iter().take(200) {
            measure(r, &|i| key && i == 0, &mut min, &mut max);
        }
        // A key column never takes more than 40% of the width.
        if key && n == 2 {
            let k = max[0].min(total * 0.4).max(min[0].min(total * 0.4));
            return vec![k, total - k];
        }
        let sum_max: f32 = max.iter().sum();
        if sum_max <= total {
            // Everything fits on one line: share the spare width by content.
            let spare = total - sum_max;
            return max
                .iter()
                .map(|m| m + spare * m / sum_max.max(1.0))
                .collect();
        }
        // A column may not have more than half the width as its minimum (a long word wraps),
        // and a short column (a date, a rating) gets its whole text on one line if it can.
        for (m, x) in min.iter_mut().zip(&max) {
            *m = m.max(x.min(total * 0.12)).min(total * 0.5);
        }
        let sum_min: f32 = min.iter().sum();
        if sum_min >= total {
            return min.iter().map(|m| m * total / sum_min).collect();
        }
        let spare = total - sum_min;
        let want: Vec<f32> = max
            .iter()
            .zip(&min)
            .map(|(a, b)| (a - b).max(0.0))
            .collect();
        let sum_want: f32 = want.iter().sum::<f32>().max(1.0);
        min.iter()
            .zip(&want)
            .map(|(m, w)| m + spare * w / sum_want)
            .collect()
    }

    /// A table: header cells head their column (or, in a key-value table, the key heads its
    /// row); the header row repeats on each page the table continues on; a row taller than
    /// the space left is split between its lines rather than leave a near-empty page.
    fn table(&mut self, header: Option<&[String]>, rows: &[Vec<String>], key: bool) {
        let widths = self.column_widths(header, rows, key);
        let table = self.node(0, Tag::Table);
        let lh = TABLE * LEADING;
        let head_lines = header.map(|h| self.cell_lines(h, &widths, &|_| true));
        let head_h = head_lines.as_ref().map_or(0.0, |h| row_height(h, lh));
        // The header and the first row (or two lines of it) together.
        let first_h = rows.first().map_or(0.0, |_| 2.0 * lh + 2.0 * PAD);
        self.room(head_h + first_h);
        if let Some(h) = &head_lines {
            let tr = self.node(table, Tag::Row);
            let cells: Vec<usize> = (0..widths.len())
                .map(|_| self.node(tr, Tag::HeaderCell { row: false }))
                .collect();
            self.row(h, &widths, &cells, None);
        }
        for r in rows {
            let lines = self.cell_lines(r, &widths, &|i| key && i == 0);
            let tr = self.node(table, Tag::Row);
            let cells: Vec<usize> = (0..widths.len())
                .map(|i| {
                    let tag = if key && i == 0 {
                        Tag::HeaderCell { row: true }
                    } else {
                        Tag::Cell
                    };
                    self.node(tr, tag)
                })
                .collect();
            let repeat = head_lines.as_deref();
            self.row(&lines, &widths, &cells, repeat);
        }
    }

    fn cell_lines(
        &mut self,
        cells: &[String],
        widths: &[f32],
        bold: &dyn Fn(usize) -> bool,
    ) -> Vec<Vec<LineOf>> {
        widths
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let text = cells.get(i).map(String::as_str).unwrap_or("");
                let style = if bold(i) { Style::Bold } else { Style::Regular };
                let words = self.words(text, style);
                self.lines(words, TABLE, w - 2.0 * PAD)
            })
            .collect()
    }

    /// Places one row of cells (`nodes`, one per cell); splits it across pages when needed,
    /// repeating `header` at the top of each new page.
    fn row(
        &mut self,
        cells: &[Vec<LineOf>],
        widths: &[f32],
        nodes: &[usize],
        header: Option<&[Vec<LineOf>]>,
    ) {
        let lh = TABLE * LEADING;
        let height = row_height(cells, lh);
        let full = BOTTOM - self.top;
        let left = BOTTOM - self.y;
        // Move the whole row over when it fits on a fresh page and fewer than three of its
        // lines, or less than a third of a page, would stay here.
        if height > left && self.placed_on_page {
            let lines_here = ((left - 2.0 * PAD) / lh).floor();
            if height <= full - header.map_or(0.0, |h| row_height(h, lh))
                && (lines_here < 3.0 || left < full / 3.0)
            {
                self.continue_table(header, widths);
            }
        }
        let head_row = nodes
            .first()
            .is_some_and(|n| self.out.nodes[*n].tag == Tag::HeaderCell { row: false });
        let mut done = vec![0usize; cells.len()];
        let mut fresh = false;
        loop {
            let left = BOTTOM - self.y;
            let fit = ((left - 2.0 * PAD) / lh).floor().max(0.0) as usize;
            if fit == 0 && self.placed_on_page && !fresh {
                self.continue_table(header, widths);
                fresh = true;
                continue;
            }
            let rest = cells
                .iter()
                .zip(&done)
                .map(|(c, d)| c.len() - d)
                .max()
                .unwrap_or(0);
            let take = rest.min(fit.max(1));
            let h = take.max(1) as f32 * lh + 2.0 * PAD;
            let top = self.y;
            self.put(
                cell_frames(widths, top, h, head_row.then_some(HEAD_FILL)),
                Mark::Decoration,
            );
            let mut x = LEFT;
            for (i, w) in widths.iter().enumerate() {
                let end = (done[i] + take).min(cells[i].len());
                self.y = top + PAD;
                let colour = if head_row { HEADING } else { BLACK };
                for line in &cells[i][done[i]..end] {
                    let runs = self.runs(line, x + PAD, TABLE);
                    let mark = self.content(nodes[i]);
                    self.put(
                        Item::Text(TextLine {
                            y: self.y + TABLE * 0.95,
                            size: TABLE,
                            colour,
                            runs,
                        }),
                        mark,
                    );
                    self.y += lh;
                }
                done[i] = end;
                x += w;
            }
            self.y = top + h;
            if done.iter().zip(cells).all(|(d, c)| *d >= c.len()) {
                break;
            }
            self.continue_table(header, widths);
            fresh = true;
        }
    }

    /// A new page for a table that goes on: its header row again, as an artifact (a screen
    /// reader has read it once already).
    fn continue_table(&mut self, header: Option<&[Vec<LineOf>]>, widths: &[f32]) {
        self.new_page();
        let Some(h) = header else { return };
        let lh = TABLE * LEADING;
        let height = row_height(h, lh);
        let top = self.y;
        self.put(
            cell_frames(widths, top, height, Some(HEAD_FILL)),
            Mark::Pagination,
        );
        let mut x = LEFT;
        for (i, w) in widths.iter().enumerate() {
            self.y = top + PAD;
            for line in &h[i] {
                let runs = self.runs(line, x + PAD, TABLE);
                self.put(
                    Item::Text(TextLine {
                        y: self.y + TABLE * 0.95,
                        size: TABLE,
                        colour: HEADING,
                        runs,
                    }),
                    Mark::Pagination,
                );
                self.y += lh;
            }
            x += w;
        }
        self.y = top + height;
    }

    /// The contents: one entry per level 1 and 2 heading, each a link to the heading, with
    /// its page number filled in once the layout is done.
    fn contents(&mut self, headings: &[(u8, String)]) {
        let toc = self.node(0, Tag::Contents);
        let lh = BASE * LEADING;
        let number_w = self.shaper.word(Style::Bold, "0000").width * BASE;
        for (i, (level, text)) in headings.iter().enumerate() {
            if *level > 2 {
                continue;
            }
            let item = self.node(toc, Tag::ContentsItem);
            let link = self.node(item, Tag::Link);
            let (style, indent) = if *level == 1 {
                (Style::Bold, 0.0)
            } else {
                (Style::Regular, 6.0 * MM)
            };
            let words = self.words(text, style);
            let lines = self.lines(words, BASE, RIGHT - LEFT - indent - number_w - 4.0 * MM);
            self.room(lines.len().max(1) as f32 * lh + 1.6 * MM);
            self.y += 0.8 * MM;
            let top = self.y;
            let page = self.page();
            self.place_lines(
                &lines,
                LEFT + indent,
                RIGHT - LEFT,
                BASE,
                BLACK,
                Align::Left,
                link,
            );
            // The page number's place; its text comes when every page is known.
            let mark = self.content(link);
            let at = self.out.pages[self.page()].len();
            self.refs.push(PageRef {
                page: self.page(),
                at,
                heading: i,
                right: RIGHT,
                y: top + BASE * 0.95,
                style,
                size: BASE,
                mark,
            });
            let id = self.out.links;
            self.out.links += 1;
            self.out.nodes[link].children.push(Child::Annotation(id));
            self.out.pages[page].push(Placed {
                item: Item::Link {
                    x: LEFT + indent,
                    y: top - 1.0,
                    w: RIGHT - LEFT - indent,
                    h: (self.y - top).max(lh) + 2.0,
                    heading: i,
                    id,
                    alt: format!("Go to {text}"),
                },
                mark: Mark::Decoration,
            });
            self.y += 0.8 * MM;
        }
        self.y += 6.0;
    }

    /// Text drawn at a point (labels of drawings), as one line.
    #[allow(clippy::too_many_arguments)]
    fn label(
        &mut self,
        text: &str,
        x: f32,
        y: f32,
        size: f32,
        style: Style,
        colour: Colour,
        mark: Mark,
    ) -> f32 {
        let words = self.words(text, style);
        let width: f32 = {
            let space = self.shaper.space(style);
            words.iter().map(|w| w.shaped.width).sum::<f32>() * size
                + space * size * words.len().saturating_sub(1) as f32
        };
        let line = LineOf { words, width };
        let runs = self.runs(&line, x, size);
        self.put(
            Item::Text(TextLine {
                y: y + size * 0.95,
                size,
                colour,
                runs,
            }),
            mark,
        );
        width
    }

    fn width_of(&mut self, text: &str, style: Style, size: f32) -> f32 {
        let space = self.shaper.space(style);
        let words = self.words(text, style);
        words.iter().map(|w| w.shaped.width).sum::<f32>() * size
            + space * size * words.len().saturating_sub(1) as f32
    }

    fn bar(&mut self, x: f32, y: f32, w: f32, h: f32, colour: Colour, mark: Mark) {
        self.put(
            Item::Rect {
                x,
                y,
                w: w.max(0.5),
                h,
                fill: Some(colour),
                stroke: None,
            },
            mark,
        );
    }

    fn line(&mut self, from: (f32, f32), to: (f32, f32), colour: Colour, mark: Mark) {
        self.put(
            Item::Line {
                from,
                to,
                colour,
                width: 0.6,
            },
            mark,
        );
    }

    /// The plans on a time line, with the guidance and submission dates; a figure per page
    /// when there are more plans than a page holds.
    fn timeline(&mut self, extras: &Extras) {
        let plans = &extras.plans;
        if plans.is_empty() {
            return;
        }
        let row = 9.0 * MM;
        let width = RIGHT - LEFT;
        let x0 = LEFT + 22.0 * MM;
        let x1 = RIGHT - 4.0 * MM;
        let mut first = plans.iter().map(|p| p.start).min().expect("not empty");
        let mut last = plans
            .iter()
            .map(|p| p.review.unwrap_or(p.start))
            .chain(extras.guidance)
            .chain(extras.submission)
            .max()
            .expect("not empty");
        first = NaiveDate::from_ymd_opt(first.year(), first.month(), 1).unwrap_or(first);
        last += chrono::Duration::days(14);
        let span = (last - first).num_days().max(1) as f32;
        let x = |d: NaiveDate| x0 + (x1 - x0) * (d - first).num_days() as f32 / span;
        let per_page = (((BOTTOM - self.top) - 40.0 * MM) / row).floor().max(1.0) as usize;
        for chunk in plans.chunks(per_page) {
            let mut alt = String::from("Time line of the plans. ");
            for p in chunk {
                alt.push_str(&match (p.review, p.planned) {
                    (Some(r), true) => format!(
                        "{}: from {} to its planned review on {}. ",
                        p.label,
                        long_date(p.start),
                        long_date(r)
                    ),
                    (Some(r), false) => format!(
                        "{}: from {} to its review on {}. ",
                        p.label,
                        long_date(p.start),
                        long_date(r)
                    ),
                    (None, _) => format!(
                        "{}: from {}, with no review date. ",
                        p.label,
                        long_date(p.start)
                    ),
                });
            }
            if let Some(g) = extras.guidance {
                alt.push_str(&format!("Guidance date: {}. ", long_date(g)));
            }
            if let Some(s) = extras.submission {
                alt.push_str(&format!("Submission: {}.", long_date(s)));
            }
            let height = 22.0 * MM + row * chunk.len() as f32 + 10.0 * MM;
            self.room(height);
            let fig = self.node(0, Tag::Figure(alt.trim().to_string()));
            let mark = self.content(fig);
            let top = self.y;
            let axis = top + 8.0 * MM;
            self.line((x0, axis), (x1, axis), BLACK, mark);
            let month_w = (x1 - x0) * 30.44 / span;
            let label_w = self.width_of("Mar 2025", Style::Regular, SMALL);
            let every = ((label_w + 3.0 * MM) / month_w).ceil().max(1.0) as u32;
            let mut m = first;
            let mut k = 0;
            while m <= last {
                let mx = x(m);
                self.line((mx, axis - MM), (mx, axis + MM), BLACK, mark);
                if k % every == 0 {
                    let text = m.format("%b %Y").to_string();
                    self.label(
                        &text,
                        mx - 6.0 * MM,
                        top + MM,
                        SMALL,
                        Style::Regular,
                        BLACK,
                        mark,
                    );
                }
                k += 1;
                m = if m.month() == 12 {
                    NaiveDate::from_ymd_opt(m.year() + 1, 1, 1).unwrap_or(last)
                } else {
                    NaiveDate::from_ymd_opt(m.year(), m.month() + 1, 1).unwrap_or(last)
                };
                if m == last {
                    break;
                }
            }
            for (i, p) in chunk.iter().enumerate() {
                let y = top + 14.0 * MM + row * i as f32;
                self.label(&p.label, LEFT, y, SMALL, Style::Bold, BLACK, mark);
                let (a, b) = (x(p.start), x(p.review.unwrap_or(p.start)));
                self.bar(
                    a,
                    y + 1.2 * MM,
                    (b - a).max(0.5 * MM),
                    3.0 * MM,
                    HEADING,
                    mark,
                );
                let text = match p.review {
                    Some(r) if p.planned => format!(
                        "{} to review {} (planned)",
                        short_date(p.start),
                        short_date(r)
                    ),
                    Some(r) => format!("{} to review {}", short_date(p.start), short_date(r)),
                    None => format!("from {} (no review date)", short_date(p.start)),
                };
                let tw = self.width_of(&text, Style::Regular, SMALL);
                let tx = if a + tw < x1 { a } else { (x1 - tw).max(LEFT) };
                self.label(&text, tx, y + 4.6 * MM, SMALL, Style::Regular, BLACK, mark);
            }
            let bottom = top + 14.0 * MM + row * chunk.len() as f32;
            let mut note_y = bottom + MM;
            for (date, name, colour) in [
                (extras.guidance, "Guidance date", RED),
                (extras.submission, "Submission", Colour(0, 110, 0)),
            ] {
                if let Some(d) = date {
                    let gx = x(d);
                    let mut y = axis;
                    while y < bottom {
                        self.line((gx, y), (gx, (y + MM).min(bottom)), colour, mark);
                        y += 2.0 * MM;
                    }
                    let text = format!("{name}: {}", short_date(d));
                    let tw = self.width_of(&text, Style::Bold, SMALL);
                    let tx = (gx - tw / 2.0).clamp(LEFT, (LEFT + width - tw).max(LEFT));
                    self.label(&text, tx, note_y, SMALL, Style::Bold, colour, mark);
                    note_y += 4.5 * MM;
                }
            }
            self.y = note_y + 4.0 * MM;
        }
    }

    /// Stacked bars: how many outcomes were achieved, partly achieved or not, at each review.
    fn chart(&mut self, ratings: &[Ratings]) {
        if ratings.is_empty() {
            return;
        }
        let row = 8.0 * MM;
        let x0 = LEFT + 22.0 * MM;
        let colours = [
            ("achieved", Colour(0, 110, 60)),
            ("partly achieved", Colour(230, 150, 0)),
            ("not achieved", Colour(180, 0, 0)),
            ("not reviewed", Colour(150, 150, 150)),
        ];
        let max = ratings
            .iter()
            .map(|r| r.achieved + r.partly + r.not + r.unrated)
            .max()
            .unwrap_or(1)
            .max(1) as f32;
        let unit = (RIGHT - x0 - 62.0 * MM) / max;
        let per_page = (((BOTTOM - self.top) - 20.0 * MM) / row).floor().max(1.0) as usize;
        for chunk in ratings.chunks(per_page) {
            let mut alt = String::from("Bar chart of the outcome ratings at each plan's review. ");
            for r in chunk {
                alt.push_str(&format!("{}: {}. ", r.label, rating_text(r)));
            }
            self.room(12.0 * MM + row * chunk.len() as f32);
            let fig = self.node(0, Tag::Figure(alt.trim().to_string()));
            let mark = self.content(fig);
            let top = self.y;
            for (i, r) in chunk.iter().enumerate() {
                let y = top + row * i as f32;
                self.label(&r.label, LEFT, y + MM, SMALL, Style::Bold, BLACK, mark);
                let mut x = x0;
                for (n, (_, colour)) in [r.achieved, r.partly, r.not, r.unrated].iter().zip(colours)
                {
                    if *n == 0 {
                        continue;
                    }
                    let w = unit * *n as f32;
                    self.bar(x, y + MM, w - 0.6 * MM, 5.6 * MM, colour, mark);
                    x += w;
                }
                let text = rating_text(r);
                self.label(
                    &text,
                    x + 1.5 * MM,
                    y + MM,
                    SMALL,
                    Style::Regular,
                    BLACK,
                    mark,
                );
            }
            let key_y = top + row * chunk.len() as f32 + MM;
            let mut x = x0;
            for (name, colour) in colours {
                self.bar(x, key_y + MM, 4.0 * MM, 2.8 * MM, colour, mark);
                let w = self.label(
                    name,
                    x + 5.5 * MM,
                    key_y,
                    SMALL,
                    Style::Regular,
                    BLACK,
                    mark,
                );
                x += w + 12.0 * MM;
            }
            self.y = key_y + 8.0 * MM;
        }
    }

    /// The running header and footer of every page, and the contents' page numbers.
    fn finish(&mut self, extras: &Extras, draft: bool) {
        let total = self.out.pages.len();
        let mut refs = std::mem::take(&mut self.refs);
        // Inserted from the last, so each place stays where it was.
        refs.sort_by_key(|r| std::cmp::Reverse((r.page, r.at)));
        for r in refs {
            let number = self
                .out
                .headings
                .get(r.heading)
                .map_or(String::new(), |h| (h.page + 1).to_string());
            let w = self.width_of(&number, r.style, r.size);
            let words = self.words(&number, r.style);
            let line = LineOf { words, width: w };
            let runs = self.runs(&line, r.right - w, r.size);
            self.out.pages[r.page].insert(
                r.at,
                Placed {
                    item: Item::Text(TextLine {
                        y: r.y,
                        size: r.size,
                        colour: BLACK,
                        runs,
                    }),
                    mark: r.mark,
                },
            );
        }
        let left = format!("EHC needs assessment request - pupil {}", extras.initials);
        for page in 0..total {
            let mut items = Vec::new();
            std::mem::swap(&mut items, &mut self.out.pages[page]);
            // The artifacts first, so each page reads header, body, footer.
            let mark = Mark::Pagination;
            let header_y = 12.0 * MM - SMALL;
            self.out.pages[page] = Vec::new();
            // Draw on this page (`put` writes to the last page; use a scratch page).
            self.out.pages.push(Vec::new());
            self.label(&left, LEFT, header_y, SMALL, Style::Regular, GREY, mark);
            let right = "OFFICIAL-SENSITIVE";
            let w = self.width_of(right, Style::Bold, SMALL);
            self.label(right, RIGHT - w, header_y, SMALL, Style::Bold, GREY, mark);
            self.line((LEFT, 14.5 * MM), (RIGHT, 14.5 * MM), GREY, mark);
            if draft {
                let w = self.width_of(DRAFT_MARK, Style::Bold, 14.0);
                self.label(
                    DRAFT_MARK,
                    (PAGE_W - w) / 2.0,
                    17.0 * MM,
                    14.0,
                    Style::Bold,
                    RED,
                    mark,
                );
            }
            let head = self.out.pages.pop().unwrap_or_default();
            self.out.pages.push(Vec::new());
            let footer = format!("Page {} of {total}", page + 1);
            let w = self.width_of(&footer, Style::Regular, SMALL);
            let fy = PAGE_H - 12.0 * MM - SMALL;
            self.label(
                &footer,
                (PAGE_W - w) / 2.0,
                fy,
                SMALL,
                Style::Regular,
                GREY,
                mark,
            );
            if draft {
                let w = self.width_of(DRAFT_MARK, Style::Bold, SMALL);
                self.label(DRAFT_MARK, RIGHT - w, fy, SMALL, Style::Bold, RED, mark);
            }
            let foot = self.out.pages.pop().unwrap_or_default();
            let mut all = head;
            all.extend(items);
            all.extend(foot);
            self.out.pages[page] = all;
        }
    }
}

/// The frames of a row's cells, as one drawing.
fn cell_frames(widths: &[f32], top: f32, h: f32, fill: Option<Colour>) -> Item {
    let mut rects = Vec::with_capacity(widths.len());
    let mut x = LEFT;
    for w in widths {
        rects.push((x, top, *w, h));
        x += w;
    }
    Item::Rects {
        rects,
        fill,
        stroke: Some(RULE),
    }
}

fn row_height(cells: &[Vec<LineOf>], lh: f32) -> f32 {
    cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * lh + 2.0 * PAD
}

#[derive(Debug, Clone, Copy)]
enum Align {
    Left,
    Centre,
}

/// Cuts a word into pieces no wider than `max` (at size 1), between clusters.
fn cut(word: &Word, max: f32) -> Vec<Word> {
    use super::fonts::Run;
    /// A piece being built: its runs, width and the text range it covers.
    struct Piece {
        runs: Vec<Run>,
        width: f32,
        lo: usize,
        hi: usize,
    }
    let empty = || Piece {
        runs: Vec::new(),
        width: 0.0,
        lo: usize::MAX,
        hi: 0,
    };
    let finish = |p: Piece, out: &mut Vec<Word>| {
        if p.runs.is_empty() || p.lo >= p.hi {
            return;
        }
        let lo = p.lo;
        let mut runs = p.runs;
        for r in &mut runs {
            r.start -= lo;
            r.end -= lo;
            for g in &mut r.glyphs {
                g.start -= lo as u32;
                g.end -= lo as u32;
            }
        }
        out.push(Word {
            text: Arc::from(&word.text[lo..p.hi]),
            shaped: Arc::new(Shaped {
                runs,
                width: p.width,
                rtl: word.shaped.rtl,
            }),
            style: word.style,
        });
    };
    let mut out = Vec::new();
    let mut piece = empty();
    for run in &word.shaped.runs {
        let mut k = 0;
        while k < run.glyphs.len() {
            // One cluster: the glyphs that share a start.
            let c_start = run.glyphs[k].start;
            let mut j = k;
            let mut w = 0.0;
            while j < run.glyphs.len() && run.glyphs[j].start == c_start {
                w += run.glyphs[j].advance;
                j += 1;
            }
            let lo = c_start as usize;
            let hi = run.glyphs[k..j]
                .iter()
                .map(|g| g.end)
                .max()
                .unwrap_or(c_start) as usize;
            if piece.width + w > max && !piece.runs.is_empty() {
                finish(std::mem::replace(&mut piece, empty()), &mut out);
            }
            if piece.runs.last().is_none_or(|r| r.font != run.font) {
                piece.runs.push(Run {
                    font: run.font,
                    glyphs: Vec::new(),
                    start: lo,
                    end: hi,
                    rtl: run.rtl,
                });
            }
            let r = piece.runs.last_mut().expect("pushed");
            r.glyphs.extend_from_slice(&run.glyphs[k..j]);
            r.start = r.start.min(lo);
            r.end = r.end.max(hi);
            piece.lo = piece.lo.min(lo);
            piece.hi = piece.hi.max(hi);
            piece.width += w;
            k = j;
        }
    }
    finish(piece, &mut out);
    out
}

fn short_date(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

fn long_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

fn rating_text(r: &Ratings) -> String {
    format!(
        "{} achieved, {} partly, {} not{}",
        r.achieved,
        r.partly,
        r.not,
        if r.unrated > 0 {
            format!(", {} not reviewed", r.unrated)
        } else {
            String::new()
        }
    )
}
