//! From blocks to pages, with genpdf: the running header and footer, headings that remember
//! their page (for the contents and the outline), tables, and the drawn time line and chart.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::rc::Rc;

use chrono::{Datelike, NaiveDate};
use genpdf::elements::{FrameCellDecorator, PageBreak, Paragraph, TableLayout, UnorderedList};
use genpdf::fonts::{FontData, FontFamily};
use genpdf::style::{Color, Style, StyledString};
use genpdf::{Alignment, Context, Element, Margins, Mm, Position, RenderResult, Size};

use super::context::{Extras, Ratings};
use super::markup::Block;

pub(super) const REGULAR: &[u8] = include_bytes!("../../fonts/AtkinsonHyperlegible-Regular.ttf");
pub(super) const BOLD: &[u8] = include_bytes!("../../fonts/AtkinsonHyperlegible-Bold.ttf");

const BASE_SIZE: u8 = 11;
const TABLE_SIZE: u8 = 10;
const HEADING: Color = Color::Rgb(0, 45, 98);
const RED: Color = Color::Rgb(180, 0, 0);
const GREY: Color = Color::Rgb(90, 90, 90);
pub const DRAFT_MARK: &str = "DRAFT - not ready to send";

/// A heading's place in the pack, found by laying it out.
#[derive(Debug, Clone)]
pub struct Entry {
    pub level: u8,
    pub text: String,
    pub page: usize,
}

/// What one layout pass found out.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub entries: Vec<Entry>,
    pub pages: usize,
    /// Table rows that broke across a page; the next pass starts them on a new page.
    pub split_rows: BTreeSet<usize>,
}

/// The font family. With `embed`, regular and bold are embedded; without, every face is
/// measured from the same font data but written as a PDF base font, which is much quicker for
/// the passes that only find page numbers (and those PDFs are thrown away). Italics are never
/// used (they read less well), so they are never embedded.
fn font_family(embed: bool) -> Result<FontFamily<FontData>, String> {
    use genpdf::fonts::FontData as F;
    use printpdf::BuiltinFont as B;
    let load = |bytes: &[u8], builtin: Option<B>| {
        F::new(bytes.to_vec(), builtin).map_err(|e| format!("cannot load the font: {e}"))
    };
    Ok(FontFamily {
        regular: load(REGULAR, (!embed).then_some(B::Helvetica))?,
        bold: load(BOLD, (!embed).then_some(B::HelveticaBold))?,
        italic: load(REGULAR, Some(B::HelveticaOblique))?,
        bold_italic: load(BOLD, Some(B::HelveticaBoldOblique))?,
    })
}

/// Running header and footer on every page; counts the pages.
struct Decorator {
    page: Rc<Cell<usize>>,
    /// The height of a fresh page's writable area.
    full: Rc<Cell<Mm>>,
    initials: String,
    total: usize,
    draft: bool,
}

impl genpdf::PageDecorator for Decorator {
    fn decorate_page<'a>(
        &mut self,
        context: &Context,
        mut area: genpdf::render::Area<'a>,
        style: Style,
    ) -> Result<genpdf::render::Area<'a>, genpdf::error::Error> {
        let page = self.page.get() + 1;
        self.page.set(page);
        area.add_margins(Margins::trbl(12, 18, 12, 18));
        let small = style.with_font_size(9).with_color(GREY);
        let width = area.size().width;
        let height = area.size().height;
        let fc = &context.font_cache;
        let left = format!("EHC needs assessment request - pupil {}", self.initials);
        area.print_str(fc, Position::new(0, 0), small, &left)?;
        let right = "OFFICIAL-SENSITIVE";
        let bold_small = small.bold();
        let w = bold_small.str_width(fc, right);
        area.print_str(fc, Position::new(width - w, 0), bold_small, right)?;
        let line_y = Mm::from(5.5);
        area.draw_line(
            vec![Position::new(0, line_y), Position::new(width, line_y)],
            Style::new().with_color(GREY),
        );
        let footer_y = height - Mm::from(5);
        let footer = if self.total > 0 {
            format!("Page {page} of {}", self.total)
        } else {
            format!("Page {page}")
        };
        let w = small.str_width(fc, &footer);
        area.print_str(
            fc,
            Position::new((width - w) / 2.0, footer_y),
            small,
            &footer,
        )?;
        let mut top = Mm::from(8);
        if self.draft {
            let mark = style.with_font_size(14).bold().with_color(RED);
            let w = mark.str_width(fc, DRAFT_MARK);
            area.print_str(
                fc,
                Position::new((width - w) / 2.0, Mm::from(7)),
                mark,
                DRAFT_MARK,
            )?;
            let w = small.bold().with_color(RED).str_width(fc, DRAFT_MARK);
            area.print_str(
                fc,
                Position::new(width - w, footer_y),
                small.bold().with_color(RED),
                DRAFT_MARK,
            )?;
            top = Mm::from(16);
        }
        area.add_margins(Margins::trbl(top, 0, 10, 0));
        self.full.set(area.size().height);
        Ok(area)
    }
}

/// A heading: moves to the next page when too little room is left under it, and notes the
/// page it lands on.
struct Heading {
    inner: Para,
    index: usize,
    found: Rc<RefCell<Vec<Option<usize>>>>,
    page: Rc<Cell<usize>>,
    keep: Mm,
}

impl Element for Heading {
    fn render(
        &mut self,
        context: &Context,
        area: genpdf::render::Area<'_>,
        style: Style,
    ) -> Result<RenderResult, genpdf::error::Error> {
        let at_top = self.found.borrow()[self.index].is_none() && area.size().height < self.keep;
        if at_top {
            // Not enough room for the heading and a few lines after it: next page.
            return Ok(RenderResult {
                size: Size::new(0, 0),
                has_more: true,
            });
        }
        let result = self.inner.render(context, area, style)?;
        let mut found = self.found.borrow_mut();
        if found[self.index].is_none() && result.size.height > Mm::from(0) {
            found[self.index] = Some(self.page.get());
        }
        Ok(result)
    }
}

fn mm(v: f64) -> Mm {
    Mm::from(v as f32)
}

/// The plans on a time line, with the guidance date and the submission date marked.
struct Timeline {
    plans: Vec<(String, NaiveDate, Option<NaiveDate>, bool)>,
    guidance: Option<NaiveDate>,
    submission: Option<NaiveDate>,
    done: bool,
}

fn short_date(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

impl Element for Timeline {
    fn render(
        &mut self,
        context: &Context,
        area: genpdf::render::Area<'_>,
        style: Style,
    ) -> Result<RenderResult, genpdf::error::Error> {
        if self.done || self.plans.is_empty() {
            return Ok(RenderResult::default());
        }
        let row = 9.0;
        if let Some(later) = wait_for_room(&area, 22.0 + row * self.plans.len() as f64 + 10.0) {
            return Ok(later);
        }
        self.done = true;
        let fc = &context.font_cache;
        let small = style.with_font_size(9);
        let width: f64 = area.size().width.into();
        let label_w = 22.0;
        let x0 = label_w;
        let x1 = width - 4.0;
        let mut first = self.plans.iter().map(|p| p.1).min().unwrap();
        let mut last = self
            .plans
            .iter()
            .map(|p| p.2.unwrap_or(p.1))
            .chain(self.guidance)
            .chain(self.submission)
            .max()
            .unwrap();
        first = NaiveDate::from_ymd_opt(first.year(), first.month(), 1).unwrap_or(first);
        last += chrono::Duration::days(14);
        let span = (last - first).num_days().max(1) as f64;
        let x = |d: NaiveDate| x0 + (x1 - x0) * (d - first).num_days() as f64 / span;
        let line = |pts: &[(f64, f64)], color: Color| {
            area.draw_line(
                pts.iter()
                    .map(|(a, b)| Position::new(mm(*a), mm(*b)))
                    .collect(),
                Style::new().with_color(color),
            );
        };
        // Month ticks along the top axis.
        let axis_y = 8.0;
        line(&[(x0, axis_y), (x1, axis_y)], Color::Rgb(0, 0, 0));
        let mut m = first;
        let month_w = (x1 - x0) * 30.44 / span;
        let label: f64 = small.str_width(fc, "Mar 2025").into();
        let every = ((label + 3.0) / month_w).ceil().max(1.0) as u32;
        let mut k = 0;
        while m <= last {
            let mx = x(m);
            line(
                &[(mx, axis_y - 1.0), (mx, axis_y + 1.0)],
                Color::Rgb(0, 0, 0),
            );
            if k % every == 0 {
                let text = m.format("%b %Y").to_string();
                area.print_str(fc, Position::new(mm(mx - 6.0), mm(1.0)), small, &text)?;
            }
            k += 1;
            m = if m.month() == 12 {
                NaiveDate::from_ymd_opt(m.year() + 1, 1, 1).unwrap()
            } else {
                NaiveDate::from_ymd_opt(m.year(), m.month() + 1, 1).unwrap()
            };
        }
        // One bar per plan: a heavy line from start to review, with the dates.
        for (i, (label, start, review, planned)) in self.plans.iter().enumerate() {
            let y = 14.0 + row * i as f64;
            area.print_str(fc, Position::new(mm(0.0), mm(y)), small.bold(), label)?;
            let (a, b) = (x(*start), x(review.unwrap_or(*start)));
            for t in 0..9 {
                let yy = y + 1.2 + t as f64 * 0.35;
                line(&[(a, yy), (b.max(a + 0.5), yy)], HEADING);
            }
            let text = match review {
                Some(r) if *planned => format!(
                    "{} to review {} (planned)",
                    short_date(*start),
                    short_date(*r)
                ),
                Some(r) => format!("{} to review {}", short_date(*start), short_date(*r)),
                None => format!("from {} (no review date)", short_date(*start)),
            };
            let tw: f64 = small.str_width(fc, &text).into();
            let tx = if a + tw < x1 { a } else { (x1 - tw).max(0.0) };
            area.print_str(fc, Position::new(mm(tx), mm(y + 4.6)), small, &text)?;
        }
        let bottom = 14.0 + row * self.plans.len() as f64;
        let mut note_y = bottom + 1.0;
        for (date, name, color) in [
            (self.guidance, "Guidance date", RED),
            (self.submission, "Submission", Color::Rgb(0, 110, 0)),
        ] {
            if let Some(d) = date {
                let gx = x(d);
                for dy in (0..((bottom - axis_y) as usize)).step_by(2) {
                    let y = axis_y + dy as f64;
                    line(&[(gx, y), (gx, y + 1.0)], color);
                }
                let text = format!("{name}: {}", short_date(d));
                let tw: f64 = small.str_width(fc, &text).into();
                let tx = (gx - tw / 2.0).clamp(0.0, (width - tw).max(0.0));
                area.print_str(
                    fc,
                    Position::new(mm(tx), mm(note_y)),
                    small.bold().with_color(color),
                    &text,
                )?;
                note_y += 4.5;
            }
        }
        Ok(RenderResult {
            size: Size::new(area.size().width, mm(note_y + 4.0)),
            has_more: false,
        })
    }
}

/// Stacked bars: how many outcomes were achieved, partly achieved or not, at each review.
struct Chart {
    ratings: Vec<Ratings>,
    done: bool,
}

impl Element for Chart {
    fn render(
        &mut self,
        context: &Context,
        area: genpdf::render::Area<'_>,
        style: Style,
    ) -> Result<RenderResult, genpdf::error::Error> {
        if self.done || self.ratings.is_empty() {
            return Ok(RenderResult::default());
        }
        let row = 8.0;
        if let Some(later) = wait_for_room(&area, 12.0 + row * self.ratings.len() as f64) {
            return Ok(later);
        }
        self.done = true;
        let fc = &context.font_cache;
        let small = style.with_font_size(9);
        let width: f64 = area.size().width.into();
        let x0 = 22.0;
        let max = self
            .ratings
            .iter()
            .map(|r| r.achieved + r.partly + r.not + r.unrated)
            .max()
            .unwrap_or(1)
            .max(1) as f64;
        let unit = (width - x0 - 62.0) / max;
        let colours = [
            ("achieved", Color::Rgb(0, 110, 60)),
            ("partly achieved", Color::Rgb(230, 150, 0)),
            ("not achieved", Color::Rgb(180, 0, 0)),
            ("not reviewed", Color::Rgb(150, 150, 150)),
        ];
        for (i, r) in self.ratings.iter().enumerate() {
            let y = row * i as f64;
            area.print_str(
                fc,
                Position::new(mm(0.0), mm(y + 1.0)),
                small.bold(),
                &r.label,
            )?;
            let mut x = x0;
            for (n, (_, colour)) in [r.achieved, r.partly, r.not, r.unrated].iter().zip(colours) {
                if *n == 0 {
                    continue;
                }
                let w = unit * *n as f64;
                for t in 0..16 {
                    let yy = y + 1.0 + t as f64 * 0.35;
                    area.draw_line(
                        vec![
                            Position::new(mm(x), mm(yy)),
                            Position::new(mm(x + w - 0.6), mm(yy)),
                        ],
                        Style::new().with_color(colour),
                    );
                }
                x += w;
            }
            let text = format!(
                "{} achieved, {} partly, {} not{}",
                r.achieved,
                r.partly,
                r.not,
                if r.unrated > 0 {
                    format!(", {} not reviewed", r.unrated)
                } else {
                    String::new()
                }
            );
            area.print_str(fc, Position::new(mm(x + 1.5), mm(y + 1.0)), small, &text)?;
        }
        let key_y = row * self.ratings.len() as f64 + 1.0;
        let mut x = x0;
        for (name, colour) in colours {
            for t in 0..8 {
                let yy = key_y + 1.0 + t as f64 * 0.35;
                area.draw_line(
                    vec![
                        Position::new(mm(x), mm(yy)),
                        Position::new(mm(x + 4.0), mm(yy)),
                    ],
                    Style::new().with_color(colour),
                );
            }
            area.print_str(fc, Position::new(mm(x + 5.5), mm(key_y)), small, name)?;
            let w: f64 = small.str_width(fc, name).into();
            x += w + 12.0;
        }
        Ok(RenderResult {
            size: Size::new(area.size().width, mm(key_y + 8.0)),
            has_more: false,
        })
    }
}

/// A paragraph that never loses a word: genpdf drops a word wider than the column (and the
/// rest of the paragraph with it), so such words are cut to fit before it wraps them.
struct Para {
    text: String,
    style: Style,
    align: Alignment,
    inner: Option<Paragraph>,
}

impl Para {
    fn new(text: &str, style: Style) -> Para {
        Para {
            text: text.to_string(),
            style,
            align: Alignment::Left,
            inner: None,
        }
    }

    fn aligned(mut self, align: Alignment) -> Para {
        self.align = align;
        self
    }
}

/// Cuts words wider than `width` into pieces that fit.
fn fit_words(text: &str, style: Style, context: &Context, width: Mm) -> String {
    let fc = &context.font_cache;
    let limit = width - Mm::from(0.5);
    let mut out: Vec<String> = Vec::new();
    for word in text.split(' ') {
        if style.str_width(fc, word) <= limit {
            out.push(word.to_string());
            continue;
        }
        let mut piece = String::new();
        for c in word.chars() {
            piece.push(c);
            if style.str_width(fc, &piece) > limit && piece.chars().count() > 1 {
                let last = piece.pop().unwrap();
                out.push(std::mem::take(&mut piece));
                piece.push(last);
            }
        }
        if !piece.is_empty() {
            out.push(piece);
        }
    }
    out.join(" ")
}

impl Element for Para {
    fn render(
        &mut self,
        context: &Context,
        area: genpdf::render::Area<'_>,
        style: Style,
    ) -> Result<RenderResult, genpdf::error::Error> {
        if self.inner.is_none() {
            let effective = style.and(self.style);
            let text = fit_words(&self.text, effective, context, area.size().width);
            self.inner =
                Some(Paragraph::new(StyledString::new(text, self.style)).aligned(self.align));
        }
        self.inner.as_mut().unwrap().render(context, area, style)
    }
}

fn para(text: &str) -> Para {
    Para::new(text, Style::new())
}

fn cell_para(text: &str, style: Style) -> impl Element {
    Para::new(text, style).padded(Margins::trbl(1, 1.5, 1, 1.5))
}

/// Keeps table rows whole: a row that broke across a page in an earlier pass starts on a new
/// page, unless it is already at the top of one (then it is taller than a page and must break).
struct Rows {
    known: Rc<BTreeSet<usize>>,
    found: Rc<RefCell<BTreeSet<usize>>>,
    full: Rc<Cell<Mm>>,
    next: usize,
}

struct KeepRow {
    inner: TableLayout,
    id: usize,
    started: bool,
    known: Rc<BTreeSet<usize>>,
    found: Rc<RefCell<BTreeSet<usize>>>,
    full: Rc<Cell<Mm>>,
}

impl Element for KeepRow {
    fn render(
        &mut self,
        context: &Context,
        area: genpdf::render::Area<'_>,
        style: Style,
    ) -> Result<RenderResult, genpdf::error::Error> {
        let first = !self.started;
        if first
            && self.known.contains(&self.id)
            && area.size().height < self.full.get() - Mm::from(1)
        {
            return Ok(RenderResult {
                size: Size::new(0, 0),
                has_more: true,
            });
        }
        self.started = true;
        let result = self.inner.render(context, area, style)?;
        if first && result.has_more {
            self.found.borrow_mut().insert(self.id);
        }
        Ok(result)
    }
}

fn table(
    keep: &mut Rows,
    weights: &[usize],
    header: Option<&[String]>,
    rows: &[Vec<String>],
    key_bold: bool,
) -> Result<genpdf::elements::LinearLayout, String> {
    let mut out = genpdf::elements::LinearLayout::vertical();
    let mut t = TableLayout::new(weights.to_vec());
    t.set_cell_decorator(FrameCellDecorator::new(true, true, true));
    let mut t_rows = 0;
    let mut flush = |t: &mut TableLayout, keep: &mut Rows| {
        let mut fresh = TableLayout::new(weights.to_vec());
        fresh.set_cell_decorator(FrameCellDecorator::new(true, true, true));
        let done = std::mem::replace(t, fresh);
        keep.next += 1;
        out.push(KeepRow {
            inner: done,
            id: keep.next,
            started: false,
            known: keep.known.clone(),
            found: keep.found.clone(),
            full: keep.full.clone(),
        });
    };
    let bold = Style::new().bold().with_font_size(TABLE_SIZE);
    let head = Style::new()
        .bold()
        .with_font_size(TABLE_SIZE)
        .with_color(HEADING);
    if let Some(h) = header {
        let mut row = t.row();
        for c in h {
            row.push_element(cell_para(c, head));
        }
        row.push().map_err(|e| e.to_string())?;
    }
    // The header row stays with the first row.
    for r in rows {
        let mut row = t.row();
        for (i, c) in r.iter().enumerate() {
            let style = if key_bold && i == 0 {
                bold
            } else {
                Style::new().with_font_size(TABLE_SIZE)
            };
            row.push_element(cell_para(c, style));
        }
        row.push().map_err(|e| e.to_string())?;
        t_rows += 1;
        flush(&mut t, keep);
    }
    if t_rows == 0 && header.is_some() {
        flush(&mut t, keep);
    }
    Ok(out)
}

/// Lays the blocks out and writes the PDF into `out`. `known` gives the pages found by an
/// earlier pass (for the contents and "page N of M"); the pass returns what it found.
pub fn render(
    blocks: &[Block],
    extras: &Extras,
    draft: bool,
    known: &Layout,
    embed: bool,
    out: &mut Vec<u8>,
) -> Result<Layout, String> {
    let mut doc = genpdf::Document::new(font_family(embed)?);
    doc.set_title(extras.title.clone());
    doc.set_minimal_conformance();
    doc.set_font_size(BASE_SIZE);
    doc.set_line_spacing(1.3);
    let page = Rc::new(Cell::new(0));
    let full = Rc::new(Cell::new(Mm::from(250)));
    let mut keep = Rows {
        known: Rc::new(known.split_rows.clone()),
        found: Rc::new(RefCell::new(known.split_rows.clone())),
        full: full.clone(),
        next: 0,
    };
    doc.set_page_decorator(Decorator {
        page: page.clone(),
        full,
        initials: extras.initials.clone(),
        total: known.pages,
        draft,
    });
    let headings: Vec<(u8, String)> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, text } => Some((*level, text.clone())),
            _ => None,
        })
        .collect();
    let found = Rc::new(RefCell::new(vec![None; headings.len()]));
    let mut index = 0;
    let gap = || genpdf::elements::Break::new(0.5);
    for block in blocks {
        match block {
            Block::Heading { level, text } => {
                let (size, before, keep) = match level {
                    1 => (18, 0.3, 60),
                    2 => (14, 0.6, 45),
                    _ => (12, 0.4, 30),
                };
                doc.push(genpdf::elements::Break::new(before));
                let style = Style::new().bold().with_font_size(size).with_color(HEADING);
                doc.push(Heading {
                    inner: Para::new(text, style),
                    index,
                    found: found.clone(),
                    page: page.clone(),
                    keep: Mm::from(keep),
                });
                doc.push(genpdf::elements::Break::new(0.3));
                index += 1;
            }
            Block::Paragraph(text) => {
                doc.push(para(text));
                doc.push(gap());
            }
            Block::Strong(text) => {
                doc.push(Para::new(text, Style::new().bold()));
                doc.push(gap());
            }
            Block::Note(text) => {
                doc.push(para(text).padded(Margins::trbl(2, 3, 2, 3)).framed());
                doc.push(gap());
            }
            Block::Bullets(items) => {
                let mut list = UnorderedList::new();
                for item in items {
                    list.push(para(item));
                }
                doc.push(list);
                doc.push(gap());
            }
            Block::KeyValue(rows) => {
                let rows: Vec<Vec<String>> = rows
                    .iter()
                    .map(|(k, v)| vec![k.clone(), v.clone()])
                    .collect();
                doc.push(table(&mut keep, &[1, 2], None, &rows, true)?);
                doc.push(gap());
            }
            Block::Table {
                weights,
                header,
                rows,
            } => {
                doc.push(table(&mut keep, weights, header.as_deref(), rows, false)?);
                doc.push(gap());
            }
            Block::Title(text) => {
                doc.push(
                    Para::new(
                        text,
                        Style::new().bold().with_font_size(24).with_color(HEADING),
                    )
                    .aligned(Alignment::Center),
                );
                doc.push(gap());
            }
            Block::Centre(text) => {
                doc.push(
                    Para::new(text, Style::new().with_font_size(14)).aligned(Alignment::Center),
                );
            }
            Block::Mark(text) => {
                doc.push(
                    Para::new(text, Style::new().bold().with_font_size(20).with_color(RED))
                        .aligned(Alignment::Center),
                );
            }
            Block::Space(n) => doc.push(genpdf::elements::Break::new(*n)),
            Block::PageBreak => doc.push(PageBreak::new()),
            Block::Contents => {
                let mut t = TableLayout::new(vec![9, 1]);
                for (i, (level, text)) in headings.iter().enumerate() {
                    if *level > 2 {
                        continue;
                    }
                    let page = known
                        .entries
                        .get(i)
                        .map_or(String::from("00"), |e| e.page.to_string());
                    let (style, indent) = if *level == 1 {
                        (Style::new().bold(), 0)
                    } else {
                        (Style::new(), 6)
                    };
                    let mut row = t.row();
                    row.push_element(
                        Para::new(text, style).padded(Margins::trbl(0.8, 0, 0.8, indent)),
                    );
                    row.push_element(
                        Para::new(&page, style)
                            .aligned(Alignment::Right)
                            .padded(Margins::trbl(0.8, 0, 0.8, 0)),
                    );
                    row.push().map_err(|e| e.to_string())?;
                }
                doc.push(t);
            }
            Block::Timeline => {
                doc.push(Timeline {
                    plans: extras
                        .plans
                        .iter()
                        .map(|p| (p.label.clone(), p.start, p.review, p.planned))
                        .collect(),
                    guidance: extras.guidance,
                    submission: extras.submission,
                    done: false,
                });
                doc.push(gap());
            }
            Block::ChartOutcomes => {
                doc.push(Chart {
                    ratings: extras.ratings.clone(),
                    done: false,
                });
                doc.push(gap());
            }
        }
    }
    doc.render(&mut *out)
        .map_err(|e| format!("cannot lay out the pack: {e}"))?;
    let found = found.borrow();
    let split_rows = keep.found.borrow().clone();
    Ok(Layout {
        entries: headings
            .into_iter()
            .zip(found.iter())
            .map(|((level, text), page)| Entry {
                level,
                text,
                page: page.unwrap_or(1),
            })
            .collect(),
        pages: page.get(),
        split_rows,
    })
}

/// A drawing is never split: with less than `needed` millimetres left, ask for the next page.
fn wait_for_room(area: &genpdf::render::Area<'_>, needed: f64) -> Option<RenderResult> {
    (area.size().height < mm(needed)).then(|| RenderResult {
        size: Size::new(0, 0),
        has_more: true,
    })
}
