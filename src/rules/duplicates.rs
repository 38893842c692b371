//! `duplicate-pupil`: the rule over a whole batch. The same pupil in more than one case (the
//! same UPN, or the same legal name and date of birth) is a warning on each of them, naming the
//! others. It is a pure function of each case's [`Identity`], taken in report order: the batch
//! engine ([`crate::batch`]) adds every case's identity as it is checked ([`Pupils::add`]), then
//! asks for each case's finding as the reports are handed on ([`Duplicates::finding`]). Memory
//! holds only each case's identity keys and name, a few dozen bytes a case.

use std::collections::{BTreeSet, HashMap};
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

/// The cases of a batch so far: each one's name as reports show it, and the cases under each
/// identity key.
#[derive(Debug, Default)]
pub struct Pupils {
    shown: Vec<String>,
    keys: HashMap<String, Vec<u32>>,
}

impl Pupils {
    /// Adds the next case, shown as `shown` in reports (already redacted by its own case).
    pub fn add(&mut self, shown: String, identity: &Identity) {
        let index = self.shown.len() as u32;
        self.shown.push(shown);
        if let Some(upn) = &identity.upn {
            self.keys
                .entry(format!("upn:{upn}"))
                .or_default()
                .push(index);
        }
        if let Some(name) = &identity.name_dob {
            self.keys
                .entry(format!("name:{name}"))
                .or_default()
                .push(index);
        }
    }

    /// Which cases share a pupil, once every case has been added.
    pub fn duplicates(self) -> Duplicates {
        // Each case that shares a key with another: the others, and on what grounds.
        let mut same: HashMap<u32, (BTreeSet<u32>, BTreeSet<&'static str>)> = HashMap::new();
        for (key, indices) in &self.keys {
            if indices.len() < 2 {
                continue;
            }
            let ground = if key.starts_with("upn:") {
                "the same UPN"
            } else {
                "the same legal name and date of birth"
            };
            // At most a few others are named per case, so a batch of one pupil many times over
            // stays small.
            for &i in indices {
                let entry = same.entry(i).or_default();
                for &j in indices.iter().filter(|j| **j != i) {
                    if entry.0.len() > NAMED_OTHERS {
                        break;
                    }
                    entry.0.insert(j);
                }
                entry.1.insert(ground);
            }
        }
        Duplicates {
            shown: self.shown,
            same,
        }
    }
}

/// The cases of a batch that share a pupil with another.
#[derive(Debug)]
pub struct Duplicates {
    shown: Vec<String>,
    same: HashMap<u32, (BTreeSet<u32>, BTreeSet<&'static str>)>,
}

impl Duplicates {
    /// How many distinct pupils are in more than one case.
    pub fn pupils(&self) -> usize {
        count_pupils(&self.same)
    }

    /// The `duplicate-pupil` warning of the `index`th case added, if it shares its pupil, placed
    /// at the case's UPN (`at`, from its [`Identity`]).
    pub fn finding(&self, index: usize, at: Option<(PathBuf, usize, usize)>) -> Option<Diagnostic> {
        let (others, grounds) = self.same.get(&(index as u32))?;
        let names: Vec<&str> = others
            .iter()
            .take(NAMED_OTHERS)
            .map(|j| self.shown[*j as usize].as_str())
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

/// How many distinct pupils the duplicate groups are (connected groups of cases).
fn count_pupils(same: &HashMap<u32, (BTreeSet<u32>, BTreeSet<&'static str>)>) -> usize {
    let mut seen = BTreeSet::new();
    let mut groups = 0;
    for &start in same.keys() {
        if !seen.insert(start) {
            continue;
        }
        groups += 1;
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            if let Some((others, _)) = same.get(&i) {
                for &j in others {
                    if seen.insert(j) {
                        stack.push(j);
                    }
                }
            }
        }
    }
    groups
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

    #[test]
    fn the_same_upn_or_name_and_birth_date_is_one_pupil_named_in_each_case() {
        let mut pupils = Pupils::default();
        pupils.add("durham/ava".into(), &pupil(Some("A123"), None));
        pupils.add(
            "consett/zainab".into(),
            &pupil(None, Some("zainab khan|2015-03-02")),
        );
        pupils.add(
            "seaham/ava".into(),
            &pupil(Some("A123"), Some("ava o'neill|2016-01-09")),
        );
        pupils.add(
            "stanley/zainab".into(),
            &pupil(None, Some("zainab khan|2015-03-02")),
        );
        pupils.add("brandon/wei".into(), &pupil(Some("B456"), None));
        let duplicates = pupils.duplicates();
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
        let mut pupils = Pupils::default();
        for n in 0..12 {
            pupils.add(format!("spennymoor/{n}"), &pupil(Some("A123"), None));
        }
        let duplicates = pupils.duplicates();
        assert_eq!(duplicates.pupils(), 1);
        let d = duplicates.finding(0, None).unwrap();
        assert!(d.message.ends_with(" and others"), "{}", d.message);
        assert_eq!(d.message.matches("spennymoor/").count(), NAMED_OTHERS);
    }
}
