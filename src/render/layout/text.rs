//! Text into lines: words shaped with the real fonts, broken into lines (a word wider than the
//! column cut between clusters), and the lines placed as glyph runs.

use super::*;

impl<'s, 'f> Layouter<'s, 'f> {
    pub(super) fn words(&mut self, text: &str, style: Style) -> Vec<Word> {
        // Room for a word every six bytes from the start (English averages about that with
        // its space), so a long text's list is not copied over and over as it grows.
        let mut words = Vec::with_capacity(text.len() / 6 + 1);
        words.extend(fold_words(text).map(|w| {
            let (text, shaped) = self.shaper.word_and_text(style, w);
            Word {
                text,
                shaped,
                style,
            }
        }));
        words
    }

    /// Breaks words into lines no wider than `width` points at `size`; a word wider than the
    /// line is cut between its characters.
    pub(super) fn lines(&mut self, words: Vec<Word>, size: f32, width: f32) -> Vec<LineOf> {
        // A line holds a dozen words or so: room for 16 from the start, not 4, 8, then 16.
        const ROOM: usize = 16;
        let mut out: Vec<LineOf> = Vec::with_capacity(words.len() / ROOM + 1);
        let mut current = LineOf {
            words: Vec::with_capacity(ROOM),
            width: 0.0,
        };
        // A hair of tolerance, so a word measured to fit exactly is not cut by rounding.
        let width = width.max(size) + 0.01;
        // The width of a space in each style, read once a paragraph, not once a word.
        let spaces = [Style::Regular, Style::Bold].map(|style| self.shaper.space(style) * size);
        let mut place = |piece: Word, current: &mut LineOf| {
            let w = piece.shaped.width * size;
            let extra = if current.words.is_empty() {
                w
            } else {
                spaces[piece.style as usize] + w
            };
            if current.width + extra > width && !current.words.is_empty() {
                out.push(std::mem::replace(
                    current,
                    LineOf {
                        words: Vec::with_capacity(ROOM),
                        width: w,
                    },
                ));
            } else {
                current.width += extra;
            }
            current.words.push(piece);
        };
        for word in words {
            if word.shaped.width * size > width {
                for piece in cut(&word, width / size) {
                    place(piece, &mut current);
                }
            } else {
                place(word, &mut current);
            }
        }
        if !current.words.is_empty() {
            out.push(current);
        }
        out
    }

    /// A line's words placed from `x` (the writer makes them glyph runs: see [`Runs`]).
    pub(super) fn runs(&mut self, line: &LineOf, x: f32, _size: f32) -> LineText {
        LineText {
            x,
            words: line.words.clone(),
        }
    }

    /// Places `lines` from the cursor in `x..x+width`, each on a new page when it does not fit.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn place_lines(
        &mut self,
        lines: Vec<LineOf>,
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
            let runs = LineText {
                x: lx,
                words: line.words,
            };
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
    pub(super) fn text_block(
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
        self.place_lines(lines, LEFT, RIGHT - LEFT, size, colour, align, node);
        node
    }
}

/// Cuts a word into pieces no wider than `max` (at size 1), between clusters.
pub(super) fn cut(word: &Word, max: f32) -> Vec<Word> {
    use crate::render::fonts::Run;
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

/// One glyph run of a line in [`Runs`]: its font, where it starts, its text and glyphs (each
/// glyph's range is into the run's text).
pub struct RunAt {
    pub style: Style,
    pub font: usize,
    pub x: f32,
    pub text: std::ops::Range<usize>,
    pub glyphs: std::ops::Range<usize>,
}

/// The glyph runs of a line, made again for each line into the same buffers.
#[derive(Default)]
pub struct Runs {
    pub runs: Vec<RunAt>,
    pub text: String,
    pub glyphs: Vec<Glyph>,
    order: Vec<usize>,
}

impl Runs {
    pub fn run(&self, r: &RunAt) -> (&str, &[Glyph]) {
        (&self.text[r.text.clone()], &self.glyphs[r.glyphs.clone()])
    }

    /// The glyph runs of `line` at `size`: words in visual order (a stretch of right-to-left
    /// words is reversed), one run per change of font, spaces as glyphs so the text copies
    /// with its spaces.
    pub fn of(&mut self, line: &LineText, size: f32, spaces: &[Space; 2]) {
        self.runs.clear();
        self.text.clear();
        self.glyphs.clear();
        let words = &line.words;
        let order = &mut self.order;
        order.clear();
        order.extend(0..words.len());
        let mut i = 0;
        while i < order.len() {
            if words[i].shaped.rtl {
                let mut j = i;
                while j + 1 < order.len() && words[j + 1].shaped.rtl {
                    j += 1;
                }
                order[i..=j].reverse();
                i = j + 1;
            } else {
                i += 1;
            }
        }
        let mut pen = line.x;
        for (k, &w) in self.order.iter().enumerate() {
            let word = &words[w];
            if k > 0 {
                // The space belongs to the run before it, in that run's font.
                let space = &spaces[word.style as usize];
                let first = space.shaped.as_ref().and_then(|s| s.runs.first());
                if let (Some(run), Some(sr)) = (self.runs.last_mut(), first) {
                    if let Some(g) = sr.glyphs.first() {
                        let start = (self.text.len() - run.text.start) as u32;
                        self.text.push(' ');
                        let font_space = if run.font == sr.font {
                            g.id
                        } else {
                            spaces[run.style as usize]
                                .glyphs
                                .get(run.font)
                                .copied()
                                .unwrap_or(0)
                        };
                        self.glyphs.push(Glyph {
                            id: font_space,
                            advance: g.advance,
                            x_offset: 0.0,
                            y_offset: 0.0,
                            start,
                            end: start + 1,
                        });
                        run.text.end = self.text.len();
                        run.glyphs.end = self.glyphs.len();
                    }
                }
                pen += space.shaped.as_ref().map_or(0.0, |s| s.width) * size;
            }
            for r in &word.shaped.runs {
                let text = &word.text[r.start..r.end];
                let same = self
                    .runs
                    .last()
                    .is_some_and(|last| last.font == r.font && last.style == word.style);
                if !same {
                    let (t, g) = (self.text.len(), self.glyphs.len());
                    self.runs.push(RunAt {
                        style: word.style,
                        font: r.font,
                        x: pen,
                        text: t..t,
                        glyphs: g..g,
                    });
                }
                let run = self.runs.last_mut().expect("pushed");
                let base = (self.text.len() - run.text.start) as u32;
                self.text.push_str(text);
                for g in &r.glyphs {
                    self.glyphs.push(Glyph {
                        start: base + g.start - r.start as u32,
                        end: base + g.end - r.start as u32,
                        ..*g
                    });
                    pen += g.advance * size;
                }
                run.text.end = self.text.len();
                run.glyphs.end = self.glyphs.len();
            }
        }
    }
}
