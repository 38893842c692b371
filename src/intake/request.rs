//! What the register holds, as the program sees it: a request as `add` records it, each row
//! read back, the events recorded against it, and a request with its versions and what its
//! events say (decisions, plan, exceptions, withdrawal) and its dates due.

use chrono::NaiveDate;
use serde::Serialize;

use super::db::{Row, Value};
use crate::profile::Profile;

/// One received request, checked, as `add` records it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NewRequest {
    /// What makes it the same request twice: the file's SHA-256 (a folder's, over its files'
    /// names and contents), with ` › folder` for one case of an archive of several.
    pub content_key: String,
    pub sha256: Option<String>,
    pub file_name: String,
    /// `pack`, `zip`, `folder`, or `unreadable`.
    pub received_as: String,
    pub received_date: NaiveDate,
    pub verdict: String,
    pub action: String,
    pub errors: i64,
    pub warnings: i64,
    /// The rules broken, with how often: `parental-consent, duplicate-pupil (2)`.
    pub findings: String,
    pub upn: Option<String>,
    /// `first last|date of birth`, lower case: the other way to know the same child.
    pub name_key: Option<String>,
    pub forename: Option<String>,
    pub surname: Option<String>,
    pub legal_name: Option<String>,
    pub date_of_birth: Option<String>,
    pub year_group: Option<i64>,
    pub school: Option<String>,
    pub primary_need: Option<String>,
    pub requested_by: Option<String>,
    pub submission_date: Option<String>,
    pub document_title: Option<String>,
    pub pages: Option<i64>,
}

/// One request (or a later version of one) as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Stored {
    pub id: i64,
    pub first_id: Option<i64>,
    #[serde(flatten)]
    pub request: NewRequest,
    pub added_by: String,
    pub added_at: String,
}

pub(super) const REQUEST_COLUMNS: &str =
    "id, first_id, content_key, sha256, file_name, received_as, \
    received_date, verdict, action, errors, warnings, findings, upn, name_key, forename, surname, \
    legal_name, date_of_birth, year_group, school, primary_need, requested_by, submission_date, \
    document_title, pages, added_by, added_at";

impl Stored {
    pub(super) fn from_row(row: &Row) -> Result<Stored, super::IntakeError> {
        use super::IntakeError::Corrupt;
        let text = |i: usize| row.get(i).and_then(Value::text);
        let int = |i: usize| row.get(i).and_then(Value::int);
        let date = |i: usize| {
            text(i)
                .and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok())
                .ok_or_else(|| {
                    Corrupt(format!(
                        "the register holds a bad date in request row {row:?}"
                    ))
                })
        };
        Ok(Stored {
            id: int(0).ok_or_else(|| Corrupt("a request without an id".into()))?,
            first_id: int(1),
            request: NewRequest {
                content_key: text(2).unwrap_or_default(),
                sha256: text(3),
                file_name: text(4).unwrap_or_default(),
                received_as: text(5).unwrap_or_default(),
                received_date: date(6)?,
                verdict: text(7).unwrap_or_default(),
                action: text(8).unwrap_or_default(),
                errors: int(9).unwrap_or(0),
                warnings: int(10).unwrap_or(0),
                findings: text(11).unwrap_or_default(),
                upn: text(12),
                name_key: text(13),
                forename: text(14),
                surname: text(15),
                legal_name: text(16),
                date_of_birth: text(17),
                year_group: int(18),
                school: text(19),
                primary_need: text(20),
                requested_by: text(21),
                submission_date: text(22),
                document_title: text(23),
                pages: int(24),
            },
            added_by: text(25).unwrap_or_default(),
            added_at: text(26).unwrap_or_default(),
        })
    }
}

/// What can happen to a request, in the register's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    /// The decision on whether to assess: detail `assess` or `no-assess`.
    Decision,
    /// The decision after the assessment: detail `issued` (the plan's issue date) or
    /// `not-issued`.
    Plan,
    /// A Regulation 13(3) exception to the 20 weeks: detail is the reason's code.
    Exception,
    /// The request was withdrawn.
    Withdrawn,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Decision => "decision",
            EventKind::Plan => "plan",
            EventKind::Exception => "exception",
            EventKind::Withdrawn => "withdrawn",
        }
    }

    pub(super) fn parse(text: &str) -> Option<EventKind> {
        [
            EventKind::Decision,
            EventKind::Plan,
            EventKind::Exception,
            EventKind::Withdrawn,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// The exceptions to the 20-week time limit: the SEND Regulations 2014, regulation 13(3), as
/// the SEND Code of Practice (2015), paragraph 9.42, lists them. Code, and what it means.
pub const EXCEPTIONS: [(&str, &str); 4] = [
    (
        "school-closure",
        "advice was asked of a school or college in the week before, or during, a closure of \
         at least 4 weeks",
    ),
    (
        "personal-circumstances",
        "exceptional personal circumstances affect the child or their parent, or the young \
         person",
    ),
    (
        "absent-from-area",
        "the child or their parent, or the young person, is away from the LA's area for at least \
         4 weeks",
    ),
    (
        "missed-appointment",
        "the child or young person did not keep an appointment for an examination or test",
    ),
];

/// One event as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub id: i64,
    pub request_id: i64,
    pub kind: EventKind,
    pub date: NaiveDate,
    pub detail: String,
    pub note: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// An event to record.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub request_id: i64,
    pub kind: EventKind,
    pub date: NaiveDate,
    pub detail: String,
    pub note: Option<String>,
    pub by: String,
}

/// A request with everything recorded about it, and its statutory dates.
#[derive(Debug, Clone, Serialize)]
pub struct Request {
    /// The first version's id: the request's number.
    pub id: i64,
    /// The first version: its date of receipt starts the clock.
    pub first: Stored,
    /// The latest version received (the first when there is one).
    pub latest: Stored,
    pub versions: usize,
    pub received_date: NaiveDate,
    pub decision_due: NaiveDate,
    pub final_plan_due: NaiveDate,
    /// The latest decision on whether to assess: (assess, date).
    pub decision: Option<(bool, NaiveDate)>,
    /// The latest decision after assessment: (plan issued, date).
    pub plan: Option<(bool, NaiveDate)>,
    /// Every exception recorded (reason code, date).
    pub exceptions: Vec<(String, NaiveDate)>,
    pub withdrawn: Option<NaiveDate>,
    pub events: Vec<Event>,
}

impl Request {
    /// Whether the request still waits for something from the LA.
    pub fn is_open(&self) -> bool {
        self.withdrawn.is_none()
            && self.decision.is_none_or(|(assess, _)| assess)
            && self.plan.is_none()
    }

    /// The next statutory date still to be met: the decision's, then the final plan's.
    pub fn next_due(&self) -> Option<NaiveDate> {
        if !self.is_open() {
            None
        } else if self.decision.is_none() {
            Some(self.decision_due)
        } else {
            Some(self.final_plan_due)
        }
    }

    /// What is overdue on `today`, given what was recorded: `decision` (no decision recorded
    /// after 6 weeks) or `final-plan` (no plan decision after 20 weeks, and no exception).
    pub fn overdue(&self, today: NaiveDate) -> Option<&'static str> {
        if !self.is_open() {
            return None;
        }
        if self.decision.is_none() && today > self.decision_due {
            return Some("decision");
        }
        if self.exceptions.is_empty() && today > self.final_plan_due {
            return Some("final-plan");
        }
        None
    }

    /// Where the request stands, in words.
    pub fn stage(&self) -> &'static str {
        if self.withdrawn.is_some() {
            "withdrawn"
        } else if let Some((issued, _)) = self.plan {
            if issued {
                "plan issued"
            } else {
                "assessed, no plan"
            }
        } else {
            match self.decision {
                Some((false, _)) => "not assessed",
                Some((true, _)) => "assessing",
                None => "awaiting decision",
            }
        }
    }
}

/// What `add` did with one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "added", rename_all = "kebab-case")]
pub enum Added {
    /// A new request, with its number.
    New { id: i64 },
    /// A later version of request `first`.
    Version { id: i64, first: i64 },
    /// Already in the register (the same content): nothing changed.
    Already { id: i64 },
}

pub(super) type Outcomes = (
    Option<(bool, NaiveDate)>,
    Option<(bool, NaiveDate)>,
    Vec<(String, NaiveDate)>,
    Option<NaiveDate>,
);

/// What the events say, the latest of each kind winning (a correction is a later event).
pub(super) fn outcomes(events: &[Event]) -> Outcomes {
    let mut decision = None;
    let mut plan = None;
    let mut exceptions = Vec::new();
    let mut withdrawn = None;
    for e in events {
        match e.kind {
            EventKind::Decision => decision = Some((e.detail == "assess", e.date)),
            EventKind::Plan => plan = Some((e.detail == "issued", e.date)),
            EventKind::Exception => exceptions.push((e.detail.clone(), e.date)),
            EventKind::Withdrawn => withdrawn = Some(e.date),
        }
    }
    (decision, plan, exceptions, withdrawn)
}

/// Groups stored rows (in id order) into requests.
pub(super) fn build(stored: Vec<Stored>, events: Vec<Event>, profile: &Profile) -> Vec<Request> {
    use std::collections::HashMap;
    let mut by_request: HashMap<i64, Vec<Event>> = HashMap::new();
    for e in events {
        by_request.entry(e.request_id).or_default().push(e);
    }
    let mut index: HashMap<i64, usize> = HashMap::new();
    let mut out: Vec<Request> = Vec::new();
    for s in stored {
        match s.first_id.and_then(|f| index.get(&f).copied()) {
            Some(i) => {
                out[i].versions += 1;
                out[i].latest = s;
            }
            None => {
                let events = by_request.remove(&s.id).unwrap_or_default();
                let (decision, plan, exceptions, withdrawn) = outcomes(&events);
                let received = s.request.received_date;
                index.insert(s.id, out.len());
                out.push(Request {
                    id: s.id,
                    received_date: received,
                    decision_due: crate::calendar::plus_weeks(received, profile.decision_weeks),
                    final_plan_due: crate::calendar::plus_weeks(received, profile.final_plan_weeks),
                    decision,
                    plan,
                    exceptions,
                    withdrawn,
                    events,
                    versions: 1,
                    latest: s.clone(),
                    first: s,
                });
            }
        }
    }
    out
}
