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

mod charts;
mod table;
mod text;
pub use text::{RunAt, Runs};

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

/// A line's words, placed from `x` along the baseline. The writer makes them glyph runs
/// ([`text::Runs`]) as it draws them: a long pack keeps one entry per word here, not its
/// glyphs (a megabyte of text is a million glyphs).
#[derive(Debug, Clone)]
pub struct LineText {
    pub x: f32,
    pub words: Vec<Word>,
}

/// The space of a style: its shape, and its glyph in each font of the style's chain.
#[derive(Debug, Clone, Default)]
pub struct Space {
    pub shaped: Option<Arc<Shaped>>,
    pub glyphs: Vec<u16>,
}

/// One line of text.
#[derive(Debug, Clone)]
pub struct TextLine {
    /// The baseline.
    pub y: f32,
    pub size: f32,
    pub colour: Colour,
    pub runs: LineText,
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
    /// The spaces between words, regular and bold.
    pub spaces: [Space; 2],
}

/// A word ready to place: its text and shaped glyphs, at one style.
#[derive(Debug, Clone)]
pub struct Word {
    pub text: Arc<str>,
    pub shaped: Arc<Shaped>,
    pub style: Style,
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

/// Why the pack could not be laid out.
#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    /// `section`: where the limit was reached ("the section \"...\"", or the start).
    #[error(
        "the pack would be longer than {MAX_PAGES} pages (reached in {section}); shorten the \
         text there, or put long reports in a PDF listed in evidence.yaml"
    )]
    TooLong { section: String },
}

/// Lays out `blocks`; the contents list uses the headings of `blocks`.
pub fn layout(
    blocks: &[Block],
    extras: &Extras,
    draft: bool,
    shaper: &mut Shaper,
) -> Result<Laid, LayoutError> {
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
            return Err(LayoutError::TooLong { section });
        }
    }
    l.finish(extras, draft);
    for style in [Style::Regular, Style::Bold] {
        l.out.spaces[style as usize] = Space {
            shaped: Some(l.shaper.space_shaped(style)),
            glyphs: l.shaper.space_glyphs(style),
        };
    }
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
    ) -> Result<(), LayoutError> {
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
                self.place_lines(lines, LEFT, RIGHT - LEFT, size, HEADING, Align::Left, node);
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
                for line in lines {
                    if self.y + lh + PAD > BOTTOM {
                        self.frame(start.1, self.y + PAD, start.0);
                        self.new_page();
                        start = (self.page(), self.y);
                        self.y += PAD;
                    }
                    self.place_lines(
                        vec![line],
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
                        lines,
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
                lines,
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

#[derive(Debug, Clone, Copy)]
enum Align {
    Left,
    Centre,
}
