//! The laid-out pack into PDF, with krilla: each positioned box becomes a drawing call inside
//! its marked content (or an artifact), the structure tree is built from the layout's nodes,
//! and the outline, links, metadata and embedded files are added. krilla subsets the fonts and
//! checks the file against PDF/UA-1 and PDF/A-3a when the pack claims them.

use std::num::NonZeroU16;

use chrono::{Datelike, NaiveDate};
use krilla::color::rgb;
use krilla::configure::{Accessibility, Archival, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, ListNumbering, Node as TagNode, SpanTag,
    TableHeaderScope, Tag, TagGroup, TagKind, TagTree,
};
use krilla::text::{GlyphId, KrillaGlyph};
use krilla::{Document, SerializeSettings};

use super::fonts::{Fonts, Style};
use super::layout::{
    Child, Colour, Item, Laid, Mark, Runs, Space, Tag as LTag, TextLine, PAGE_H, PAGE_W,
};

/// Why krilla could not write the pack.
#[derive(Debug, thiserror::Error)]
pub enum WriterError {
    /// krilla's description of its configuration error.
    #[error("cannot configure the PDF writer: {0}")]
    Configure(String),
    #[error("bad page size")]
    PageSize,
    #[error("two embedded files are both named {0}")]
    SameName(String),
    /// krilla's validators' findings, joined with `; `.
    #[error("the pack would not meet PDF/UA-1 and PDF/A-3a: {0}")]
    Conformance(String),
    /// krilla's description of any other error.
    #[error("cannot write the pack: {0}")]
    Write(String),
}

/// A file carried inside the pack.
pub struct Attached {
    /// The name in the PDF (`case/pupil.yaml`).
    pub name: String,
    pub mime: &'static str,
    pub description: String,
    pub data: Vec<u8>,
}

/// An outline line that is not a heading of the pack (an attached report).
pub struct ExtraOutline {
    /// Through the redactor: only [`crate::privacy::Redacted`] text reaches the outline.
    pub title: crate::privacy::Redacted,
    /// Placed under this heading's outline entry.
    pub under: usize,
}

/// What the PDF says about itself.
pub struct Meta<'a> {
    /// Through the redactor: only [`crate::privacy::Redacted`] text reaches the metadata.
    pub title: &'a crate::privacy::Redacted,
    pub date: Option<NaiveDate>,
    /// Claim PDF/UA-1 and PDF/A-3a (and have krilla check them).
    pub conformance: bool,
}

fn colour(c: Colour) -> rgb::Color {
    rgb::Color::new(c.0, c.1, c.2)
}

fn fill(c: Colour) -> Fill {
    Fill {
        paint: colour(c).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

fn stroke(c: Colour, width: f32) -> Stroke {
    Stroke {
        paint: colour(c).into(),
        width,
        ..Stroke::default()
    }
}

fn date_time(d: NaiveDate) -> DateTime {
    DateTime::new(d.year().clamp(0, 9999) as u16)
        .month(d.month() as u8)
        .day(d.day() as u8)
        .hour(0)
        .minute(0)
        .second(0)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

/// Writes the pack as krilla writes it ([`super::compact`] finishes it). Each page's items are
/// dropped once drawn, so that krilla's page contents can take their memory.
pub fn write(
    mut laid: Laid,
    fonts: &Fonts,
    meta: &Meta,
    files: Vec<Attached>,
    extra_outline: &[ExtraOutline],
) -> Result<Vec<u8>, WriterError> {
    let mut settings = SerializeSettings {
        // The page contents are compressed by `compact`, with one compressor for all: krilla
        // sets up a new one for each page, which costs more than compressing the page.
        compress_content_streams: false,
        enable_tagging: true,
        xmp_metadata: true,
        ..SerializeSettings::default()
    };
    if meta.conformance {
        settings.configuration = ConfigurationBuilder::new()
            .with_accessibility_validator(Accessibility::UA1)
            .with_archival_validator(Archival::A3_A)
            .finish()
            .map_err(|e| WriterError::Configure(format!("{e:?}")))?;
    }
    let mut doc = Document::new_with(settings);
    // Each content sequence's identifiers, in drawing order.
    let mut contents: Vec<Vec<Identifier>> = vec![Vec::new(); laid.contents];
    let mut annotations: Vec<Option<Identifier>> = vec![None; laid.links];
    let size = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or(WriterError::PageSize)?;
    let mut text = TextCall::default();
    for (index, items) in std::mem::take(&mut laid.pages).into_iter().enumerate() {
        let mut page = doc.start_page_with(size.clone());
        let mut links = Vec::new();
        {
            let mut surface = page.surface();
            let mut open: Option<Mark> = None;
            for placed in &items {
                if let Item::Link { .. } = placed.item {
                    links.push(&placed.item);
                    continue;
                }
                if let (Item::Text(line), true) = (&placed.item, open == Some(placed.mark)) {
                    text.add(&mut surface, fonts, line, &laid.spaces);
                    continue;
                }
                text.flush(&mut surface, fonts);
                if open != Some(placed.mark) {
                    if open.is_some() {
                        surface.end_tagged();
                    }
                    let tag = match placed.mark {
                        Mark::Content(_) => match placed.item {
                            Item::Text(_) => ContentTag::Span(SpanTag::empty()),
                            _ => ContentTag::Other,
                        },
                        Mark::Pagination => {
                            ContentTag::Artifact(Artifact::with_kind(ArtifactType::PaginationOther))
                        }
                        Mark::Decoration => {
                            ContentTag::Artifact(Artifact::with_kind(ArtifactType::Layout))
                        }
                    };
                    let id = surface.start_tagged(tag);
                    if let Mark::Content(c) = placed.mark {
                        contents[c].push(id);
                    }
                    open = Some(placed.mark);
                }
                match &placed.item {
                    Item::Text(line) => text.add(&mut surface, fonts, line, &laid.spaces),
                    item => draw(&mut surface, item),
                }
            }
            text.flush(&mut surface, fonts);
            if open.is_some() {
                surface.end_tagged();
            }
            surface.finish();
        }
        for item in links {
            if let Item::Link {
                x,
                y,
                w,
                h,
                heading,
                id,
                alt,
            } = item
            {
                let Some(target) = laid.headings.get(*heading) else {
                    continue;
                };
                let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) else {
                    continue;
                };
                let dest = XyzDestination::new(target.page, Point::from_xy(0.0, target.y));
                let link = krilla::annotation::LinkAnnotation::new(
                    rect,
                    krilla::annotation::Target::Destination(krilla::destination::Destination::Xyz(
                        dest,
                    )),
                );
                let annotation = krilla::annotation::Annotation::new_link(link, Some(alt.clone()));
                annotations[*id] = Some(page.add_tagged_annotation(annotation));
            }
        }
        let _ = index;
        page.finish();
    }

    // The structure tree, from the layout's nodes.
    let mut tree = TagTree::new().with_lang(Some("en-GB".into()));
    for child in &laid.nodes[0].children {
        for n in tag_nodes(&laid, child, &mut contents, &mut annotations) {
            tree.push(n);
        }
    }
    doc.set_tag_tree(tree);

    // The outline: levels 1 and 2 of the headings, each at the heading's place.
    let mut outline = Outline::new();
    let mut top: Vec<OutlineNode> = Vec::new();
    let mut under: Vec<(usize, OutlineNode)> = Vec::new();
    let mut level1: Vec<usize> = Vec::new();
    for (i, h) in laid.headings.iter().enumerate() {
        if h.level > 2 {
            continue;
        }
        let node = OutlineNode::new(
            h.text.clone(),
            XyzDestination::new(h.page, Point::from_xy(0.0, h.y)),
        );
        if h.level == 1 || top.is_empty() {
            top.push(node);
            level1.push(i);
        } else {
            under.push((top.len() - 1, node));
        }
    }
    for extra in extra_outline {
        let Some(h) = laid.headings.get(extra.under) else {
            continue;
        };
        let node = OutlineNode::new(
            extra.title.to_string(),
            XyzDestination::new(h.page, Point::from_xy(0.0, h.y)),
        );
        // Under the level 1 heading at or before the one named.
        match level1.iter().rposition(|l| *l <= extra.under) {
            Some(p) => under.push((p, node)),
            None => top.push(node),
        }
    }
    let mut children: Vec<Vec<OutlineNode>> = (0..top.len()).map(|_| Vec::new()).collect();
    for (p, node) in under {
        children[p].push(node);
    }
    for (mut node, kids) in top.into_iter().zip(children) {
        for k in kids {
            node.push_child(k);
        }
        outline.push_child(node);
    }
    doc.set_outline(outline);

    let mut metadata = Metadata::new()
        .title(meta.title.to_string())
        .language("en-GB".into())
        .creator("ehcpack render".into())
        .producer(concat!("ehcpack ", env!("CARGO_PKG_VERSION")).into());
    if let Some(d) = meta.date {
        metadata = metadata.creation_date(date_time(d));
    }
    doc.set_metadata(metadata);

    for f in files {
        let file = EmbeddedFile {
            path: f.name.clone(),
            mime_type: MimeType::new(f.mime),
            description: Some(f.description),
            association_kind: AssociationKind::Source,
            data: f.data.into(),
            modification_date: meta.date.map(date_time),
            compress: None,
            location: None,
        };
        if doc.embed_file(file).is_none() {
            return Err(WriterError::SameName(f.name));
        }
    }
    let bytes = doc.finish().map_err(|e| match e {
        krilla::error::KrillaError::Validation(errors) => WriterError::Conformance(
            errors
                .iter()
                .map(|(e, _)| format!("{e:?}"))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => WriterError::Write(format!("{other:?}")),
    })?;
    Ok(bytes)
}

/// The `v` for which `from + v * size`, in `f32` as krilla reckons a pen position, lands
/// nearest `to` (exactly, when some value does), and where it lands.
fn step(from: f32, to: f32, size: f32) -> (f32, f32) {
    let land = |v: f32| from + v * size;
    let first = (to - from) / size;
    let mut best = (first, land(first));
    for next in [f32::next_up, f32::next_down] {
        let mut v = first;
        for _ in 0..16 {
            if best.1 == to {
                return best;
            }
            v = next(v);
            if (land(v) - to).abs() < (best.1 - to).abs() {
                best = (v, land(v));
            }
        }
    }
    best
}

/// Text drawn with one krilla call: the glyph runs of consecutive lines of one marked-content
/// sequence (a paragraph's lines on one page) that share a font, size and colour. krilla wraps
/// every call in its own graphics state, colour and text object (`q`, `cm`, `cs`, `scn`, `BT`
/// ... `ET`, `Q`: about 50 bytes a line before compression) and checks the call's glyphs as a
/// whole; within a call each line is a group of its own with its own text matrix, because its
/// glyphs are given the line's drop as their vertical offset (krilla starts a new group, and a
/// new text matrix, wherever that offset changes). The last glyph of a line advances krilla's
/// pen to the next line's start; an advance after a group's last glyph is never written, so
/// the lines read and copy exactly as when each was drawn on its own.
#[derive(Default)]
struct TextCall {
    /// Font (style and index in its chain), size and colour of the glyphs so far.
    key: Option<(Style, usize, u32, Colour)>,
    /// Where the first glyph starts (its baseline).
    start: (f32, f32),
    /// Where krilla's pen is after the glyphs so far and before the last, and their line's
    /// baseline.
    pen: f32,
    before_last: f32,
    line_y: f32,
    glyphs: Vec<KrillaGlyph>,
    text: String,
    /// The line's runs, made here line after line.
    runs: Runs,
}

/// One glyph run of a line, as [`Runs`] holds it.
struct RunRef<'a> {
    style: Style,
    font: usize,
    x: f32,
    text: &'a str,
    glyphs: &'a [super::fonts::Glyph],
}

impl TextCall {
    fn add(&mut self, surface: &mut Surface, fonts: &Fonts, line: &TextLine, spaces: &[Space; 2]) {
        let mut runs = std::mem::take(&mut self.runs);
        runs.of(&line.runs, line.size, spaces);
        for at in &runs.runs {
            let (text, glyphs) = runs.run(at);
            let run = RunRef {
                style: at.style,
                font: at.font,
                x: at.x,
                text,
                glyphs,
            };
            self.add_run(surface, fonts, line, &run);
        }
        self.runs = runs;
    }

    /// Adds one run to the call, or draws the call so far and starts another with it.
    fn add_run(&mut self, surface: &mut Surface, fonts: &Fonts, line: &TextLine, run: &RunRef) {
        let font_ok = match run.style {
            Style::Regular => fonts.regular.get(run.font),
            Style::Bold => fonts.bold.get(run.font),
        }
        .is_some();
        if !font_ok || run.glyphs.is_empty() {
            return;
        }
        let size = line.size;
        let key = (run.style, run.font, size.to_bits(), line.colour);
        // Glyphs in reverse order (right-to-left text) are drawn alone: krilla marks a
        // call as reversed only when all its glyphs are.
        let reversed =
            run.glyphs.len() > 1 && run.glyphs.windows(2).all(|w| w[0].start >= w[1].end);
        let joins = self.key == Some(key) && line.y != self.line_y && !reversed;
        let drop = if joins {
            // krilla's pen goes from the end of the line before to this run's start, and
            // the text matrix drops by this line's offset: each is the value that lands
            // nearest where the run starts, reckoned as krilla does.
            if let Some(last) = self.glyphs.last_mut() {
                (last.x_advance, self.pen) = step(self.before_last, run.x, size);
            }
            -step(self.start.1, line.y, size).0
        } else {
            self.flush(surface, fonts);
            self.key = Some(key);
            self.start = (run.x, line.y);
            self.pen = run.x;
            0.0
        };
        self.line_y = line.y;
        let base = self.text.len();
        self.text.push_str(run.text);
        for g in run.glyphs {
            self.glyphs.push(KrillaGlyph {
                glyph_id: GlyphId::new(u32::from(g.id)),
                text_range: base + g.start as usize..base + g.end as usize,
                x_advance: g.advance,
                x_offset: g.x_offset,
                y_offset: g.y_offset + drop,
                y_advance: 0.0,
                location: None,
            });
            self.before_last = self.pen;
            self.pen += g.advance * size;
        }
        if reversed {
            self.flush(surface, fonts);
        }
    }

    /// Draws the glyphs so far, if any.
    fn flush(&mut self, surface: &mut Surface, fonts: &Fonts) {
        let Some((style, font, size, colour)) = self.key.take() else {
            return;
        };
        let chain = match style {
            Style::Regular => &fonts.regular,
            Style::Bold => &fonts.bold,
        };
        if let (Some(font), false) = (chain.get(font), self.glyphs.is_empty()) {
            surface.set_fill(Some(fill(colour)));
            surface.set_stroke(None);
            surface.draw_glyphs(
                Point::from_xy(self.start.0, self.start.1),
                &self.glyphs,
                font.pdf.clone(),
                &self.text,
                f32::from_bits(size),
                false,
            );
        }
        self.glyphs.clear();
        self.text.clear();
    }
}

fn draw(surface: &mut Surface, item: &Item) {
    match item {
        // Drawn through [`TextCall`].
        Item::Text(_) => {}
        Item::Rect {
            x,
            y,
            w,
            h,
            fill: f,
            stroke: s,
        } => {
            let Some(rect) = Rect::from_xywh(*x, *y, w.max(0.01), h.max(0.01)) else {
                return;
            };
            let mut pb = PathBuilder::new();
            pb.push_rect(rect);
            let Some(path) = pb.finish() else { return };
            surface.set_fill(f.map(fill));
            surface.set_stroke(s.map(|c| stroke(c, 0.5)));
            surface.draw_path(&path);
        }
        Item::Rects {
            rects,
            fill: f,
            stroke: s,
        } => {
            let mut pb = PathBuilder::new();
            for (x, y, w, h) in rects {
                if let Some(rect) = Rect::from_xywh(*x, *y, w.max(0.01), h.max(0.01)) {
                    pb.push_rect(rect);
                }
            }
            let Some(path) = pb.finish() else { return };
            surface.set_fill(f.map(fill));
            surface.set_stroke(s.map(|c| stroke(c, 0.5)));
            surface.draw_path(&path);
        }
        Item::Line {
            from,
            to,
            colour: c,
            width,
        } => {
            let mut pb = PathBuilder::new();
            pb.move_to(from.0, from.1);
            pb.line_to(to.0, to.1);
            let Some(path) = pb.finish() else { return };
            surface.set_fill(None);
            surface.set_stroke(Some(stroke(*c, *width)));
            surface.draw_path(&path);
        }
        Item::Link { .. } => {}
    }
}

/// The krilla tag of a layout node.
fn kind(tag: &LTag) -> Option<TagKind> {
    Some(match tag {
        LTag::Document => return None,
        LTag::Heading(level, text) => Tag::Hn(
            NonZeroU16::new(u16::from((*level).max(1))).expect("not zero"),
            Some(text.clone()),
        )
        .into(),
        LTag::Paragraph => Tag::P.into(),
        LTag::List => Tag::L(ListNumbering::Disc).into(),
        LTag::ListItem => Tag::LI.into(),
        LTag::Label => Tag::Lbl.into(),
        LTag::ListBody => Tag::LBody.into(),
        LTag::Table => Tag::Table.into(),
        LTag::Row => Tag::TR.into(),
        LTag::HeaderCell { row } => Tag::TH(if *row {
            TableHeaderScope::Row
        } else {
            TableHeaderScope::Column
        })
        .into(),
        LTag::Cell => Tag::TD.into(),
        LTag::Figure(alt) => Tag::Figure(Some(alt.clone())).into(),
        LTag::Contents => Tag::TOC.into(),
        LTag::ContentsItem => Tag::TOCI.into(),
        LTag::Link => Tag::Link.into(),
    })
}

/// The tag nodes for one child of the layout's tree (a content sequence may have been drawn
/// in several pieces, each with its own identifier).
fn tag_nodes(
    laid: &Laid,
    child: &Child,
    contents: &mut [Vec<Identifier>],
    annotations: &mut [Option<Identifier>],
) -> Vec<TagNode> {
    match child {
        Child::Content(c) => std::mem::take(&mut contents[*c])
            .into_iter()
            .map(TagNode::from)
            .collect(),
        Child::Annotation(a) => annotations[*a]
            .take()
            .map(TagNode::from)
            .into_iter()
            .collect(),
        Child::Node(n) => {
            let node = &laid.nodes[*n];
            let Some(kind) = kind(&node.tag) else {
                return Vec::new();
            };
            let mut group = TagGroup::new(kind);
            for c in &node.children {
                for t in tag_nodes(laid, c, contents, annotations) {
                    group.push(t);
                }
            }
            vec![TagNode::from(group)]
        }
    }
}
