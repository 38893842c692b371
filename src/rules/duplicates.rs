//! `duplicate-pupil`: the rule over a whole batch. The same pupil in more than one case (the
//! same UPN, or the same legal name and date of birth) is a warning on each of them, naming the
//! others. It is a pure function of each case's [`Identity`], taken in report order: the batch
//! engine ([`crate::batch`]) adds every case's identity as it is checked ([`Pupils::add`]: two
//! 64-bit hashes a case, nothing else), sets each case's name and keys aside, reads back only
//! those of the [`Pupils::candidates`] whose hashes meet another's, decides on their real keys
//! ([`Duplicates::of`]), then asks for each case's finding as the reports are handed on
//! ([`Duplicates::finding`]).

use std::collections::{BTreeSet, HashMap};
use std::hash::BuildHasher;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::diagnostic::catalogue::RuleId;
use crate::diagnostic::Diagnostic;
use crate::load::case::{Case, Kind};

/// The most other cases a `duplicate-pupil` warning names.
const NAMED_OTHERS: usize = 10;

/// Who a case is about, for finding the same pupil twice in a batch.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Identity {
    /// The UPN, upper case, without spaces.
    pub upn: Option<String>,
    /// `first last|date of birth`, lower case, runs of spaces as one.
    pub name_dob: Option<String>,
    /// The pupil document and the place of the UPN, for the warning.
    pub at: Option<(PathBuf, usize, usize)>,
}

impl Identity {
    /// Read from the pupil document's own text, so that a case with errors elsewhere is still
    /// recognised.
    pub fn of(case: &Case) -> Identity {
        let Some(doc) = case
            .documents
            .iter()
            .position(|d| d.kind == Some(Kind::Pupil))
        else {
            return Identity::default();
        };
        let text = |pointer: &str| {
            case.node(doc, pointer)
                .and_then(|n| n.as_str())
                .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|s| !s.is_empty())
        };
        let upn = text("/upn").map(|u| u.replace(' ', "").to_uppercase());
        let name_dob = match (
            text("/legal_name/first"),
            text("/legal_name/last"),
            text("/date_of_birth"),
        ) {
            (Some(first), Some(last), Some(dob)) => Some(format!(
                "{} {}|{dob}",
                first.to_lowercase(),
                last.to_lowercase()
            )),
            _ => None,
        };
        let placed = case.at(doc, "/upn", Diagnostic::new(RuleId::DuplicatePupil, "", ""));
        Identity {
            upn,
            name_dob,
            at: placed
                .file
                .map(|f| (f, placed.line.unwrap_or(1), placed.column.unwrap_or(1))),
        }
    }
}

/// The cases of a batch so far, as the batch engine adds them: two 64-bit hashes a case (its UPN
/// and its name and date of birth; 0 for none), so that memory stays small however many cases a
/// batch holds. The hashes only pick out the cases that may share a pupil ([`Pupils::candidates`]);
/// their real keys, read back from where the batch set them aside, decide ([`Duplicates::of`]),
/// so that two pupils whose keys happen to hash alike are never called one.
#[derive(Debug)]
pub struct Pupils {
    // Keyed at random for each batch: keys made to collide cannot be prepared in advance.
    state: std::hash::RandomState,
    upn: Vec<u64>,
    name_dob: Vec<u64>,
}

impl Default for Pupils {
    fn default() -> Pupils {
        Pupils {
            state: std::hash::RandomState::new(),
            upn: Vec::new(),
            name_dob: Vec::new(),
        }
    }
}

impl Pupils {
    /// Adds the next case.
    pub fn add(&mut self, identity: &Identity) {
        let hash =
            |key: &Option<String>| key.as_deref().map_or(0, |k| self.state.hash_one(k).max(1));
        let (upn, name_dob) = (hash(&identity.upn), hash(&identity.name_dob));
        self.upn.push(upn);
        self.name_dob.push(name_dob);
    }

    /// The cases (by the order they were added) whose UPN, or name and date of birth, hashes
    /// like another case's: every case that shares a pupil is among them.
    pub fn candidates(&self) -> Candidates {
        let mut indexes = Vec::new();
        for hashes in [&self.upn, &self.name_dob] {
            let mut order: Vec<u32> = (0..hashes.len() as u32)
                .filter(|&i| hashes[i as usize] != 0)
                .collect();
            order.sort_unstable_by_key(|&i| hashes[i as usize]);
            for run in order.chunk_by(|a, b| hashes[*a as usize] == hashes[*b as usize]) {
                if run.len() > 1 {
                    indexes.extend_from_slice(run);
                }
            }
        }
        indexes.sort_unstable();
        indexes.dedup();
        Candidates { indexes }
    }
}

/// The cases that may share a pupil with another ([`Pupils::candidates`]).
#[derive(Debug, Default)]
pub struct Candidates {
    indexes: Vec<u32>,
}

impl Candidates {
    pub fn contains(&self, index: usize) -> bool {
        u32::try_from(index).is_ok_and(|i| self.indexes.binary_search(&i).is_ok())
    }

    pub fn is_empty(&self) -> bool {
        self.indexes.is_empty()
    }
}

/// A case as [`Duplicates::of`] compares it: its place in the batch, its name as reports show it
/// (already redacted by its own case) and its pupil's identity.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Named {
    pub index: u32,
    pub shown: String,
    pub upn: Option<String>,
    pub name_dob: Option<String>,
}

/// The cases of a batch that share a pupil with another.
#[derive(Debug, Default)]
pub struct Duplicates {
    shown: HashMap<u32, String>,
    /// Each case that shares its pupil: the first others (at most one more than are named, to
    /// know whether there are more) and on what grounds.
    same: HashMap<u32, (BTreeSet<u32>, BTreeSet<&'static str>)>,
    pupils: usize,
}

impl Duplicates {
    /// Which of `cases` share a pupil, by their real keys: the same UPN, or the same legal name
    /// and date of birth. Cases may come in any order.
    pub fn of(cases: impl IntoIterator<Item = Named>) -> Duplicates {
        let mut shown = HashMap::new();
        let mut keys: HashMap<(&'static str, String), Vec<u32>> = HashMap::new();
        for case in cases {
            if let Some(upn) = case.upn {
                keys.entry(("the same UPN", upn))
                    .or_default()
                    .push(case.index);
            }
            if let Some(name) = case.name_dob {
                keys.entry(("the same legal name and date of birth", name))
                    .or_default()
                    .push(case.index);
            }
            shown.insert(case.index, case.shown);
        }
        let mut same: HashMap<u32, (BTreeSet<u32>, BTreeSet<&'static str>)> = HashMap::new();
        // One pupil is every case joined by a shared key, however many (a union-find).
        let mut parent: HashMap<u32, u32> = HashMap::new();
        for ((ground, _), mut indexes) in keys {
            if indexes.len() < 2 {
                continue;
            }
            indexes.sort_unstable();
            indexes.dedup();
            let first = indexes[0];
            for &i in &indexes {
                union(&mut parent, first, i);
                // The lowest others are named; at most one more is kept, to say "and others".
                let entry = same.entry(i).or_default();
                entry
                    .0
                    .extend(indexes.iter().filter(|j| **j != i).take(NAMED_OTHERS + 1));
                while entry.0.len() > NAMED_OTHERS + 1 {
                    entry.0.pop_last();
                }
                entry.1.insert(ground);
            }
        }
        let pupils = same
            .keys()
            .map(|&i| root(&mut parent, i))
            .collect::<BTreeSet<_>>()
            .len();
        shown.retain(|i, _| same.values().any(|(others, _)| others.contains(i)));
        Duplicates {
            shown,
            same,
            pupils,
        }
    }

    /// How many distinct pupils are in more than one case.
    pub fn pupils(&self) -> usize {
        self.pupils
    }

    /// The `duplicate-pupil` warning of the `index`th case added, if it shares its pupil, placed
    /// at the case's UPN (`at`, from its [`Identity`]).
    pub fn finding(&self, index: usize, at: Option<(PathBuf, usize, usize)>) -> Option<Diagnostic> {
        let (others, grounds) = self.same.get(&u32::try_from(index).ok()?)?;
        let names: Vec<&str> = others
            .iter()
            .take(NAMED_OTHERS)
            .map(|j| self.shown.get(j).map_or("", String::as_str))
            .collect();
        let more = others.len() > NAMED_OTHERS;
        let mut d = Diagnostic::new(
            RuleId::DuplicatePupil,
            format!(
                "the same pupil ({}) is also in {}{}",
                grounds.iter().copied().collect::<Vec<_>>().join("; "),
                names.join(", "),
                if more { " and others" } else { "" }
            ),
            "compare the cases: deal with the request once, keep the later or more complete \
             one, and keep the first date of receipt",
        );
        if let Some((file, line, column)) = at {
            d = d.in_file(file).at(line, column);
        }
        Some(d)
    }
}

fn root(parent: &mut HashMap<u32, u32>, i: u32) -> u32 {
    let mut r = i;
    while let Some(&p) = parent.get(&r) {
        if p == r {
            break;
        }
        r = p;
    }
    // Path halving is not needed at these sizes; point `i` at its root for the next call.
    parent.insert(i, r);
    r
}

fn union(parent: &mut HashMap<u32, u32>, a: u32, b: u32) {
    let (ra, rb) = (root(parent, a), root(parent, b));
    if ra != rb {
        parent.insert(rb, ra);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pupil(upn: Option<&str>, name_dob: Option<&str>) -> Identity {
        Identity {
            upn: upn.map(str::to_string),
            name_dob: name_dob.map(str::to_string),
            at: None,
        }
    }

    /// The batch's two steps: hashes for every case, then the real keys of the candidates.
    fn duplicates(cases: &[(String, Identity)]) -> Duplicates {
        let mut pupils = Pupils::default();
        for (_, identity) in cases {
            pupils.add(identity);
        }
        let candidates = pupils.candidates();
        Duplicates::of(
            cases
                .iter()
                .enumerate()
                .filter(|(i, _)| candidates.contains(*i))
                .map(|(i, (shown, identity))| Named {
                    index: i as u32,
                    shown: shown.clone(),
                    upn: identity.upn.clone(),
                    name_dob: identity.name_dob.clone(),
                }),
        )
    }

    #[test]
    fn the_same_upn_or_name_and_birth_date_is_one_pupil_named_in_each_case() {
        let cases = [
            ("durham/ava".into(), pupil(Some("A123"), None)),
            (
                "consett/zainab".into(),
                pupil(None, Some("zainab khan|2015-03-02")),
            ),
            (
                "seaham/ava".into(),
                pupil(Some("A123"), Some("ava o'neill|2016-01-09")),
            ),
            (
                "stanley/zainab".into(),
                pupil(None, Some("zainab khan|2015-03-02")),
            ),
            ("brandon/wei".into(), pupil(Some("B456"), None)),
        ];
        let duplicates = duplicates(&cases);
        assert_eq!(duplicates.pupils(), 2);
        let ava = duplicates.finding(0, None).unwrap();
        assert_eq!(ava.rule, RuleId::DuplicatePupil);
        assert_eq!(
            ava.message,
            "the same pupil (the same UPN) is also in seaham/ava"
        );
        assert_eq!(
            duplicates.finding(3, None).unwrap().message,
            "the same pupil (the same legal name and date of birth) is also in consett/zainab"
        );
        assert!(duplicates.finding(4, None).is_none());
    }

    #[test]
    fn a_warning_names_at_most_ten_others() {
        let cases: Vec<_> = (0..12)
            .map(|n| (format!("spennymoor/{n}"), pupil(Some("A123"), None)))
            .collect();
        let duplicates = duplicates(&cases);
        assert_eq!(duplicates.pupils(), 1);
        let d = duplicates.finding(0, None).unwrap();
        assert!(d.message.ends_with(" and others"), "{}", d.message);
        assert_eq!(d.message.matches("spennymoor/").count(), NAMED_OTHERS);
        assert_eq!(
            d.message,
            format!(
                "the same pupil (the same UPN) is also in {} and others",
                (1..=10)
                    .map(|n| format!("spennymoor/{n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        );
    }

    #[test]
    fn a_pupil_in_many_cases_joined_by_either_key_is_counted_once() {
        // Thirteen cases with one UPN; three more each share only the name and date of birth of
        // one of them. One pupil, however full the named lists of the first thirteen are.
        let mut cases: Vec<_> = (0..13)
            .map(|n| {
                (
                    format!("bishop-auckland/{n}"),
                    pupil(
                        Some("A123"),
                        Some(&format!("olamide adeyemi-{n}|2014-06-30")),
                    ),
                )
            })
            .collect();
        for n in [3, 7, 12] {
            cases.push((
                format!("chester-le-street/{n}"),
                pupil(None, Some(&format!("olamide adeyemi-{n}|2014-06-30"))),
            ));
        }
        let duplicates = duplicates(&cases);
        assert_eq!(duplicates.pupils(), 1);
        for i in 0..cases.len() {
            assert!(duplicates.finding(i, None).is_some(), "case {i}");
        }
        assert_eq!(
            duplicates.finding(13, None).unwrap().message,
            "the same pupil (the same legal name and date of birth) is also in bishop-auckland/3"
        );
        // Two pupils of twenty cases each stay two.
        let cases: Vec<_> = (0..40)
            .map(|n| {
                (
                    format!("seaham/{n}"),
                    pupil(Some(if n % 2 == 0 { "E1" } else { "O1" }), None),
                )
            })
            .collect();
        assert_eq!(duplicates_of(&cases), 2);
    }

    fn duplicates_of(cases: &[(String, Identity)]) -> usize {
        duplicates(cases).pupils()
    }

    #[test]
    fn keys_that_hash_alike_are_not_one_pupil_unless_they_are_the_same() {
        // Every key a candidate (as if every hash met another's): only the real keys decide.
        let named = |index: u32, upn: &str| Named {
            index,
            shown: format!("stanley/{index}"),
            upn: Some(upn.to_string()),
            name_dob: None,
        };
        let duplicates = Duplicates::of([
            named(0, "K1"),
            named(1, "K2"),
            named(2, "K3"),
            named(3, "K2"),
        ]);
        assert_eq!(duplicates.pupils(), 1);
        assert!(duplicates.finding(0, None).is_none());
        assert!(duplicates.finding(2, None).is_none());
        assert_eq!(
            duplicates.finding(3, None).unwrap().message,
            "the same pupil (the same UPN) is also in stanley/1"
        );
    }

    #[test]
    fn only_cases_whose_hashes_meet_are_candidates() {
        let mut pupils = Pupils::default();
        for upn in ["K1", "K2", "K3", "K2"] {
            pupils.add(&pupil(Some(upn), None));
        }
        pupils.add(&pupil(None, None));
        pupils.add(&pupil(None, Some("wei zhang|2015-01-01")));
        pupils.add(&pupil(None, Some("wei zhang|2015-01-01")));
        let candidates = pupils.candidates();
        let kept: Vec<usize> = (0..7).filter(|i| candidates.contains(*i)).collect();
        assert_eq!(kept, [1, 3, 5, 6]);
    }
}
