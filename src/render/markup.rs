//! The pack markup: the line-based text the templates write, read into blocks that the layout
//! turns into PDF elements. The format is described in docs/templates.md.

/// One block of the pack.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// `#`, `##`, `###`: a heading. Levels 1 and 2 go in the contents and the PDF outline.
    Heading { level: u8, text: String },
    /// Lines of text, joined with spaces.
    Paragraph(String),
    /// `! text`: a paragraph in bold.
    Strong(String),
    /// `> text`: a note in a frame.
    Note(String),
    /// Consecutive `- item` lines.
    Bullets(Vec<String>),
    /// Consecutive `: key | value` lines.
    KeyValue(Vec<(String, String)>),
    /// Consecutive `|! head | head` and `| cell | cell` lines; `@columns` sets the weights.
    Table {
        weights: Vec<usize>,
        header: Option<Vec<String>>,
        rows: Vec<Vec<String>>,
    },
    /// `@title text`: large, bold and centred (the cover).
    Title(String),
    /// `@centre text`: centred.
    Centre(String),
    /// `@mark text`: a protective marking, large, bold, red and centred.
    Mark(String),
    /// `@space N`: N blank lines (default 1).
    Space(f64),
    /// `@pagebreak`
    PageBreak,
    /// `@contents`: the contents list, with page numbers.
    Contents,
    /// `@timeline`: the plans on a drawn time line, with the guidance date.
    Timeline,
    /// `@chart outcomes`: a bar chart of the outcome ratings at each plan's review.
    ChartOutcomes,
}

/// A problem in a template's output, with its line number.
#[derive(Debug)]
pub struct MarkupError {
    pub line: usize,
    pub message: String,
}

/// Splits a table or key-value line on `|`, where `\|` is a literal bar.
fn cells(text: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                out.last_mut().unwrap().push('|');
            }
            '|' => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    let mut out: Vec<String> = out.into_iter().map(|c| c.trim().to_string()).collect();
    // A row may end with a closing bar.
    if out.len() > 1 && out.last().is_some_and(|c| c.is_empty()) {
        out.pop();
    }
    out
}

/// Reads the markup into blocks.
pub fn parse(text: &str) -> Result<Vec<Block>, MarkupError> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut paragraph: Vec<String> = Vec::new();
    let mut pending_weights: Option<Vec<usize>> = None;
    let flush = |paragraph: &mut Vec<String>, blocks: &mut Vec<Block>| {
        if !paragraph.is_empty() {
            blocks.push(Block::Paragraph(paragraph.join(" ")));
            paragraph.clear();
        }
    };
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let number = i + 1;
        let err = |message: String| MarkupError {
            line: number,
            message,
        };
        if line.is_empty() {
            flush(&mut paragraph, &mut blocks);
            continue;
        }
        if let Some(rest) = line.strip_prefix('\\') {
            paragraph.push(rest.trim().to_string());
            continue;
        }
        let first = line.chars().next().unwrap_or(' ');
        if !matches!(first, '#' | '-' | ':' | '|' | '@' | '!' | '>') {
            paragraph.push(line.to_string());
            continue;
        }
        flush(&mut paragraph, &mut blocks);
        if first == '#' {
            let level = line.chars().take_while(|c| *c == '#').count();
            let body = &line[level..];
            if level > 3 || !body.starts_with(' ') {
                return Err(err(format!(
                    "a heading is `# `, `## ` or `### ` then its text: `{line}`"
                )));
            }
            blocks.push(Block::Heading {
                level: level as u8,
                text: body.trim().to_string(),
            });
        } else if let Some(item) = line
            .strip_prefix("- ")
            .or(line.strip_prefix('-').filter(|r| r.is_empty()))
        {
            match blocks.last_mut() {
                Some(Block::Bullets(items)) => items.push(item.trim().to_string()),
                _ => blocks.push(Block::Bullets(vec![item.trim().to_string()])),
            }
        } else if first == '-' {
            paragraph.push(line.to_string());
        } else if let Some(rest) = line.strip_prefix(':') {
            let mut parts = cells(rest);
            if parts.len() < 2 {
                parts.push(String::new());
            }
            let value = parts[1..].join(" | ");
            let row = (parts.swap_remove(0), value);
            match blocks.last_mut() {
                Some(Block::KeyValue(rows)) => rows.push(row),
                _ => blocks.push(Block::KeyValue(vec![row])),
            }
        } else if let Some(rest) = line.strip_prefix("|!") {
            blocks.push(Block::Table {
                weights: pending_weights.take().unwrap_or_default(),
                header: Some(cells(rest)),
                rows: Vec::new(),
            });
        } else if let Some(rest) = line.strip_prefix('|') {
            let row = cells(rest);
            match blocks.last_mut() {
                Some(Block::Table { rows, .. }) => rows.push(row),
                _ => blocks.push(Block::Table {
                    weights: pending_weights.take().unwrap_or_default(),
                    header: None,
                    rows: vec![row],
                }),
            }
        } else if let Some(rest) = line.strip_prefix('!') {
            blocks.push(Block::Strong(rest.trim().to_string()));
        } else if let Some(rest) = line.strip_prefix('>') {
            blocks.push(Block::Note(rest.trim().to_string()));
        } else if let Some(rest) = line.strip_prefix('@') {
            let (name, arg) = rest.split_once(' ').unwrap_or((rest, ""));
            let arg = arg.trim();
            blocks.push(match name {
                "pagebreak" => Block::PageBreak,
                "contents" => Block::Contents,
                "timeline" => Block::Timeline,
                "chart" if arg == "outcomes" => Block::ChartOutcomes,
                "title" => Block::Title(arg.to_string()),
                "centre" | "center" => Block::Centre(arg.to_string()),
                "mark" => Block::Mark(arg.to_string()),
                "space" => Block::Space(if arg.is_empty() {
                    1.0
                } else {
                    arg.parse()
                        .map_err(|_| err(format!("`@space` takes a number of lines: `{line}`")))?
                }),
                "columns" => {
                    let weights: Result<Vec<usize>, _> =
                        arg.split_whitespace().map(str::parse).collect();
                    match weights {
                        Ok(w) if !w.is_empty() && w.iter().all(|n| *n > 0) => {
                            pending_weights = Some(w);
                            continue;
                        }
                        _ => {
                            return Err(err(format!(
                                "`@columns` takes whole numbers above 0, one per column: `{line}`"
                            )))
                        }
                    }
                }
                _ => {
                    return Err(err(format!(
                        "unknown directive `@{name}`{}; the directives are @pagebreak, \
                         @contents, @timeline, @chart outcomes, @title, @centre, @mark, @space \
                         and @columns",
                        if name == "chart" {
                            " (only `@chart outcomes`)"
                        } else {
                            ""
                        }
                    )))
                }
            });
        }
    }
    flush(&mut paragraph, &mut blocks);
    // Tables: every row as wide as the widest, and weights to match.
    for block in &mut blocks {
        if let Block::Table {
            weights,
            header,
            rows,
        } = block
        {
            let width = header
                .iter()
                .chain(rows.iter())
                .map(Vec::len)
                .max()
                .unwrap_or(1);
            for row in header.iter_mut().chain(rows.iter_mut()) {
                row.resize(width, String::new());
            }
            if weights.len() != width {
                *weights = vec![1; width];
            }
        }
    }
    Ok(blocks)
}

/// Folds white space to single spaces: one line of text.
pub fn fold(text: &str) -> String {
    // Written word by word (a list of the words first, then joined, was a second copy of a
    // long text and a tenth of the templates' time on a 1 MB paragraph).
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Text for a paragraph line: folded, with a `\` in front when it would read as markup.
pub fn text_line(text: &str) -> String {
    let folded = fold(text);
    match folded.chars().next() {
        Some('#' | '-' | ':' | '|' | '@' | '!' | '>' | '\\') => format!("\\{folded}"),
        _ => folded,
    }
}

/// Text for paragraphs: blank lines in the source separate paragraphs.
pub fn paragraphs(text: &str) -> String {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.trim().is_empty() {
                out.push(text_line(&current));
            }
            current.clear();
        } else {
            current.push(' ');
            current.push_str(line);
        }
    }
    if !current.trim().is_empty() {
        out.push(text_line(&current));
    }
    out.join("\n\n")
}

/// Text for a table cell or a key-value: folded, with `|` escaped.
pub fn cell(text: &str) -> String {
    fold(text).replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_block() {
        let text = "# One\ntext a\ntext b\n\n- x\n- y\n: Name | Josh\n: Date | 1 | 2\n@columns 1 2\n|! A | B\n| a \\| b | c\n@pagebreak\n\\# not a heading\n";
        let blocks = parse(text).unwrap();
        assert_eq!(
            blocks,
            vec![
                Block::Heading {
                    level: 1,
                    text: "One".into()
                },
                Block::Paragraph("text a text b".into()),
                Block::Bullets(vec!["x".into(), "y".into()]),
                Block::KeyValue(vec![
                    ("Name".into(), "Josh".into()),
                    ("Date".into(), "1 | 2".into())
                ]),
                Block::Table {
                    weights: vec![1, 2],
                    header: Some(vec!["A".into(), "B".into()]),
                    rows: vec![vec!["a | b".into(), "c".into()]],
                },
                Block::PageBreak,
                Block::Paragraph("# not a heading".into()),
            ]
        );
    }

    #[test]
    fn values_cannot_become_markup() {
        let value = "- a dash\n\n# hash | bar\nnext";
        let line = format!("{}\n: k | {}", paragraphs(value), cell(value));
        let blocks = parse(&line).unwrap();
        assert_eq!(blocks.len(), 3, "{blocks:?}");
        assert!(matches!(&blocks[0], Block::Paragraph(p) if p == "- a dash"));
        assert!(matches!(&blocks[1], Block::Paragraph(p) if p == "# hash | bar next"));
        assert!(matches!(&blocks[2], Block::KeyValue(r) if r[0].1 == "- a dash # hash | bar next"));
    }

    #[test]
    fn unknown_directive_is_an_error() {
        let e = parse("ok\n@frobnicate\n").unwrap_err();
        assert_eq!(e.line, 2);
    }
}
