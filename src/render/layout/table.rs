//! Tables: column widths from the cells' words, rows kept whole where they fit, the header
//! repeated (as an artifact) on each page a table continues on.

use super::*;

impl<'s, 'f> Layouter<'s, 'f> {
    /// Column widths from the content: each column at least as wide as its longest word (so
    /// no header breaks inside a word), the rest shared by how much text each column has.
    pub(super) fn column_widths(
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
    pub(super) fn table(&mut self, header: Option<&[String]>, rows: &[Vec<String>], key: bool) {
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

    pub(super) fn cell_lines(
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
    pub(super) fn row(
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
    pub(super) fn continue_table(&mut self, header: Option<&[Vec<LineOf>]>, widths: &[f32]) {
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
}

/// The frames of a row's cells, as one drawing.
pub(super) fn cell_frames(widths: &[f32], top: f32, h: f32, fill: Option<Colour>) -> Item {
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

pub(super) fn row_height(cells: &[Vec<LineOf>], lh: f32) -> f32 {
    cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * lh + 2.0 * PAD
}
