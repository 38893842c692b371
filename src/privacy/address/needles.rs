//! What the redactor searches normalised text for: needles (an address line's distinctive part,
//! a postcode with any spacing, a town beside the rest of its address), indexed so that a batch
//! of thousands of cases looks at a few candidates at each place in a text, and how a needle is
//! matched in [`Normal`] text.

use std::collections::{HashMap, HashSet};

use crate::privacy::normalise::*;

pub(super) fn is_postcode_shaped(s: &[char]) -> bool {
    // A UK postcode: 1-2 letters, a digit, an optional letter or digit, then a digit and two
    // letters (5 to 7 characters once the space is gone).
    let n = s.len();
    if !(5..=7).contains(&n) {
        return false;
    }
    let inward = &s[n - 3..];
    let outward = &s[..n - 3];
    inward[0].is_ascii_digit()
        && inward[1].is_ascii_lowercase()
        && inward[2].is_ascii_lowercase()
        && outward[0].is_ascii_lowercase()
        && outward.iter().any(char::is_ascii_digit)
        && outward.iter().all(char::is_ascii_alphanumeric)
}

/// The keys of an address block's fields, as they read once normalised: between two parts of
/// an address they still leave the parts side by side (`lines: - 14 Larchfield Row` then
/// `town: Brandon`).
pub(super) const ADDRESS_KEYS: &[&str] = &[
    "address", "lines", "line", "town", "city", "county", "locality", "village", "district",
    "postcode", "post", "code", "postal", "zip",
];

/// Whether a key of an address block names the place rather than the street: the town, city,
/// county, locality or village (`Town`, `town ` too).
pub(super) fn is_place_key(key: &str) -> bool {
    let key: String = squash(key).into_iter().collect();
    [
        "town", "city", "county", "locality", "village", "district", "area",
    ]
    .contains(&key.as_str())
}

/// Whether an address line is only the place: the last of several lines, with no number, and
/// the block's town or, where the block names no town of its own, any such line. (A received
/// pack's block reads `(address withheld)` in every field: its one line stays a line.)
pub(super) fn is_place_line(line: &str, places: &[&str], last: bool) -> bool {
    let squashed = squash(line);
    if !last || squashed.is_empty() || squashed.iter().any(char::is_ascii_digit) {
        return false;
    }
    (places.is_empty() && !is_postcode_shaped(&squashed))
        || places.iter().any(|p| squash(p) == squashed)
}

/// Street words and their common abbreviations: any form matches any other.
pub(super) const STREET_WORDS: &[&[&str]] = &[
    &["road", "rd"],
    &["street", "st", "str"],
    &["avenue", "ave", "av"],
    &["terrace", "terr", "ter", "tce"],
    &["crescent", "cres", "cresc"],
    &["close", "cl"],
    &["drive", "dr"],
    &["lane", "ln"],
    &["grove", "gr"],
    &["gardens", "gdns"],
    &["place", "pl"],
    &["square", "sq"],
    &["court", "ct"],
    &["row", "rw"],
    &["way", "wy"],
    &["walk", "wlk"],
    &["park", "pk"],
    &["green", "grn"],
    &["parade", "pde"],
    &["boulevard", "blvd"],
    &["mount", "mt"],
    &["heights", "hts"],
    &["yard", "yd"],
    &["mews"],
    &["rise"],
    &["hill"],
    &["view"],
    &["vale"],
    &["gate"],
    &["croft"],
    &["chase"],
    &["wynd"],
    &["approach"],
    &["circus"],
];

/// What to search for: segments of letters and digits, each with its alternative forms (a
/// street word and its abbreviations), matched one after another with separators ignored.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Needle {
    pub(super) segments: Vec<Vec<Vec<char>>>,
    /// Whether a match must begin and end at word boundaries.
    pub(super) words: bool,
}

impl Needle {
    pub(super) fn plain(chars: Vec<char>, words: bool) -> Needle {
        Needle {
            segments: vec![vec![chars]],
            words,
        }
    }

    /// From normalised words: street words take every form. Matched anywhere (an address
    /// line carries a number and a name, distinctive enough to withhold wherever it stands).
    pub(super) fn words(tokens: &[Vec<char>]) -> Needle {
        let mut segments: Vec<Vec<Vec<char>>> = Vec::new();
        let mut plain: Vec<char> = Vec::new();
        for token in tokens {
            let word: String = token.iter().collect();
            match STREET_WORDS.iter().find(|g| g.contains(&word.as_str())) {
                Some(group) => {
                    if !plain.is_empty() {
                        segments.push(vec![std::mem::take(&mut plain)]);
                    }
                    segments.push(group.iter().map(|w| w.chars().collect()).collect());
                }
                None => plain.extend_from_slice(token),
            }
        }
        if !plain.is_empty() {
            segments.push(vec![plain]);
        }
        Needle {
            segments,
            words: false,
        }
    }
}

/// A set of needles, indexed by how a match of each must start, so that the redactor of a
/// batch of thousands of cases looks at a few candidates at each place in a text, not at all.
#[derive(Debug, Clone, Default)]
pub(super) struct Needles {
    pub(super) list: Vec<Needle>,
    pub(super) seen: HashSet<Needle>,
    /// Needles by the first two letters or digits of every match of theirs.
    pub(super) by_start: HashMap<[char; 2], Vec<u32>>,
    /// Needles that may start more than one way (with a street word) or with one character.
    pub(super) anywhere: Vec<u32>,
}

impl Needles {
    pub(super) fn push(&mut self, needle: Needle) {
        if needle.segments.is_empty() || self.seen.contains(&needle) {
            return;
        }
        let index = self.list.len() as u32;
        match needle.segments[0].as_slice() {
            [only] if only.len() >= 2 => self
                .by_start
                .entry([only[0], only[1]])
                .or_default()
                .push(index),
            _ => self.anywhere.push(index),
        }
        self.seen.insert(needle.clone());
        self.list.push(needle);
    }

    pub(super) fn merge(&mut self, other: &Needles) {
        for needle in &other.list {
            self.push(needle.clone());
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Pushes the original byte span of every match in `norm` into `spans`.
    pub(super) fn find_in(&self, norm: &Normal, spans: &mut Vec<(usize, usize)>) {
        spans.extend(self.ranges_in(norm).into_iter().map(|(_, _, span)| span));
    }

    /// Every match in `norm`: its first letter or digit, the one after its last, and its
    /// original byte span.
    pub(super) fn ranges_in(&self, norm: &Normal) -> Vec<(usize, usize, (usize, usize))> {
        let mut found = Vec::new();
        if self.list.is_empty() {
            return found;
        }
        let n = norm.alnum.len();
        for k in 0..n {
            let pair =
                (k + 1 < n).then(|| [norm.chars[norm.alnum[k]], norm.chars[norm.alnum[k + 1]]]);
            let starting = pair
                .and_then(|p| self.by_start.get(&p))
                .map_or(&[][..], Vec::as_slice);
            for &i in starting.iter().chain(&self.anywhere) {
                if let Some((e, span)) = norm.match_at(k, &self.list[i as usize]) {
                    found.push((k, e, span));
                }
            }
        }
        found
    }
}

// Matching a needle reads the normalised text's parts: beside the needles it matches.
impl Normal {
    /// Whether the letters and digits from the `from`th to before the `to`th are nothing but
    /// the keys of an address's fields (`town:`, `postcode:`), at most three of them: the two
    /// sides stand beside each other in one address.
    pub(super) fn only_keys_between(&self, from: usize, to: usize) -> bool {
        if from > to || to > self.alnum.len() || from == 0 {
            return false;
        }
        if from == to {
            return true;
        }
        let (start, end) = (self.alnum[from], self.alnum[to - 1] + 1);
        let between: String = self.chars[start..end].iter().collect();
        let words: Vec<&str> = between.split(' ').filter(|w| !w.is_empty()).collect();
        words.len() <= 3 && words.iter().all(|w| ADDRESS_KEYS.contains(w))
    }

    /// The original byte span of the longest match of `needle` starting at the `k`th letter or
    /// digit, separators in the text ignored.
    pub(super) fn match_at(&self, k: usize, needle: &Needle) -> Option<(usize, (usize, usize))> {
        let n = self.alnum.len();
        let first_segment = needle.segments.first()?;
        {
            let c = self.chars[self.alnum[k]];
            if !first_segment.iter().any(|alt| alt.first() == Some(&c)) {
                return None;
            }
            let first = self.alnum[k];
            if needle.words && first > 0 && self.chars[first - 1] != ' ' {
                return None;
            }
            // Where each way through the segments can end (few segments, few alternatives).
            let mut ends = vec![k];
            for segment in &needle.segments {
                let mut next = Vec::new();
                for &at in &ends {
                    for alt in segment {
                        let fits = at + alt.len() <= n
                            && alt
                                .iter()
                                .enumerate()
                                .all(|(j, c)| self.chars[self.alnum[at + j]] == *c);
                        if fits && !next.contains(&(at + alt.len())) {
                            next.push(at + alt.len());
                        }
                    }
                }
                ends = next;
                if ends.is_empty() {
                    break;
                }
            }
            let end = ends.into_iter().filter(|&e| e > k).filter(|&e| {
                let last = self.alnum[e - 1];
                !needle.words || last + 1 == self.chars.len() || self.chars[last + 1] == ' '
            });
            end.max()
                .map(|e| (e, (self.spans[first].0, self.spans[self.alnum[e - 1]].1)))
        }
    }
}
