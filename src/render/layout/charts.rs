//! The pack's two drawings, widgets beside the layout: the timeline of support plans and
//! reviews, and the chart of outcomes' progress ratings, each with its text description.

use super::*;

impl<'s, 'f> Layouter<'s, 'f> {
    /// Text drawn at a point (labels of drawings), as one line.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn label(
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

    pub(super) fn width_of(&mut self, text: &str, style: Style, size: f32) -> f32 {
        let space = self.shaper.space(style);
        let words = self.words(text, style);
        words.iter().map(|w| w.shaped.width).sum::<f32>() * size
            + space * size * words.len().saturating_sub(1) as f32
    }

    pub(super) fn bar(&mut self, x: f32, y: f32, w: f32, h: f32, colour: Colour, mark: Mark) {
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

    pub(super) fn line(&mut self, from: (f32, f32), to: (f32, f32), colour: Colour, mark: Mark) {
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
    pub(super) fn timeline(&mut self, extras: &Extras) {
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
                let estimated = if extras.guidance_estimated {
                    " (estimated)"
                } else {
                    ""
                };
                alt.push_str(&format!("Guidance date{estimated}: {}. ", long_date(g)));
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
                (
                    extras.guidance,
                    if extras.guidance_estimated {
                        "Guidance date (estimated)"
                    } else {
                        "Guidance date"
                    },
                    RED,
                ),
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
    pub(super) fn chart(&mut self, ratings: &[Ratings]) {
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
}

pub(super) fn short_date(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

pub(super) fn long_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

pub(super) fn rating_text(r: &Ratings) -> String {
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
