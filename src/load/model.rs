//! The typed case model: one struct per document kind, read after the schema has passed.
//! Field names are those of the case format (docs/case-format.md).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::load::spanned::Spanned;

type Date = NaiveDate;

pub use crate::load::values::{
    CareLevel, CostPer, EvidenceType, ExclusionType, GatheredHow, LegalStatus, PfaArea,
    PreferredContact, PreviousRequestKind, Rating, RequestedBy, SenStatus, SenType,
};

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct Name {
    pub first: String,
    #[serde(default)]
    pub middle: Option<String>,
    pub last: String,
}

impl Name {
    pub fn full(&self) -> String {
        match &self.middle {
            Some(m) if !m.trim().is_empty() => format!("{} {} {}", self.first, m, self.last),
            _ => format!("{} {}", self.first, self.last),
        }
    }

    /// Initials only, for running headers: never the full name.
    pub fn initials(&self) -> String {
        [Some(&self.first), self.middle.as_ref(), Some(&self.last)]
            .into_iter()
            .flatten()
            .filter_map(|p| p.trim().chars().next())
            .flat_map(char::to_uppercase)
            .collect()
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct Address {
    #[serde(default)]
    pub lines: Vec<String>,
    #[serde(default)]
    pub town: Option<String>,
    #[serde(default)]
    pub postcode: Option<String>,
    #[serde(default)]
    pub protected: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Pupil {
    pub legal_name: Name,
    #[serde(default)]
    pub preferred_name: Option<String>,
    pub date_of_birth: Date,
    #[serde(default)]
    pub gender: Option<String>,
    pub upn: String,
    #[serde(default)]
    pub nhs_number: Option<String>,
    pub year_group: Spanned<i32>,
    #[serde(default)]
    pub taught_out_of_year: bool,
    /// The year group the pupil is taught in, when out of year (`year_group` is their age's).
    #[serde(default)]
    pub taught_in_year_group: Option<i32>,
    #[serde(default)]
    pub languages: Option<Languages>,
    #[serde(default)]
    pub interpreter: Option<Interpreter>,
    #[serde(default)]
    pub ethnicity: Option<String>,
    #[serde(default)]
    pub religion: Option<String>,
    #[serde(default)]
    pub service_child: Option<bool>,
    pub address: Address,
    #[serde(default)]
    pub looked_after: Option<Spanned<LookedAfter>>,
    #[serde(default)]
    pub attendance: Option<Attendance>,
    #[serde(default)]
    pub date_admitted: Option<Spanned<Date>>,
    #[serde(default)]
    pub previous_schools: Vec<PreviousSchool>,
    #[serde(default)]
    pub exclusions: Vec<Exclusion>,
    /// From 16, the young person's own contact details.
    #[serde(default)]
    pub own_contact: Option<Contact>,
}

impl Pupil {
    /// Whether the pupil is taught out of their age's year group, by either field.
    pub fn taught_out_of_year(&self) -> bool {
        self.taught_out_of_year || self.taught_in_year_group.is_some()
    }
}

/// How to reach a person.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct Contact {
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub preferred_contact: Option<PreferredContact>,
    #[serde(default)]
    pub team: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Exclusion {
    #[serde(rename = "type")]
    pub kind: ExclusionType,
    pub start: Spanned<Date>,
    #[serde(default)]
    pub days: Option<f64>,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Languages {
    pub first_language: String,
    #[serde(default)]
    pub english_additional_language: bool,
    #[serde(default)]
    pub other_languages: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Interpreter {
    pub needed: bool,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub for_whom: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LookedAfter {
    pub responsible_authority: String,
    #[serde(default)]
    pub legal_status: Option<LegalStatus>,
    #[serde(default)]
    pub pep_date: Option<Spanned<Date>>,
    #[serde(default)]
    pub designated_teacher: Option<String>,
    #[serde(default)]
    pub social_worker: Option<String>,
    #[serde(default)]
    pub social_worker_contact: Option<Contact>,
    /// The virtual school (name and contact): the route to the family where no social worker
    /// is named.
    #[serde(default)]
    pub virtual_school: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Attendance {
    #[serde(default)]
    pub percent: Option<f64>,
    #[serde(default)]
    pub sessions_possible: Option<u32>,
    #[serde(default)]
    pub sessions_attended: Option<u32>,
    #[serde(default)]
    pub period: Option<String>,
}

impl Attendance {
    /// The percentage attended, worked out from the sessions where they are given (to one
    /// decimal place), else the percentage written. None when the sessions cannot be right.
    pub fn percent_attended(&self) -> Option<f64> {
        match (self.sessions_possible, self.sessions_attended) {
            (Some(possible), Some(attended)) if possible > 0 && attended <= possible => {
                Some((f64::from(attended) * 1000.0 / f64::from(possible)).round() / 10.0)
            }
            (Some(_), Some(_)) => None,
            _ => self.percent,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PreviousSchool {
    pub name: String,
    #[serde(default)]
    pub from: Option<Spanned<Date>>,
    #[serde(default)]
    pub to: Option<Date>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Family {
    pub people: Vec<Person>,
    #[serde(default)]
    pub household: Vec<HouseholdMember>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct HouseholdMember {
    #[serde(default)]
    pub name: Option<String>,
    pub relationship: String,
    #[serde(default)]
    pub age: Option<u32>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Person {
    pub name: String,
    pub relationship: String,
    pub parental_responsibility: bool,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub preferred_contact: Option<PreferredContact>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub interpreter_needed: Option<bool>,
    #[serde(default)]
    pub address: Option<Address>,
    #[serde(default)]
    pub lives_with_pupil: Option<bool>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Needs {
    pub sen_status: Spanned<SenStatus>,
    #[serde(default)]
    pub sen_register_date: Option<Spanned<Date>>,
    #[serde(default)]
    pub parents_notified_date: Option<Spanned<Date>>,
    #[serde(default)]
    pub primary_need: Option<SenType>,
    #[serde(default)]
    pub secondary_needs: Vec<SenType>,
    #[serde(default)]
    pub description: Option<Spanned<NeedDescription>>,
    #[serde(default)]
    pub strengths: Option<String>,
    #[serde(default)]
    pub interests: Option<String>,
    #[serde(default)]
    pub aspirations: Option<String>,
    #[serde(default)]
    pub history: Option<SenHistory>,
}

/// The SEN history as the school's MIS records it.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct SenHistory {
    #[serde(default)]
    pub provision: Vec<ProvisionPeriod>,
    #[serde(default)]
    pub needs: Vec<RankedNeed>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ProvisionPeriod {
    pub status: SenStatus,
    pub start: Spanned<Date>,
    #[serde(default)]
    pub end: Option<Spanned<Date>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RankedNeed {
    #[serde(rename = "type")]
    pub kind: SenType,
    pub rank: u32,
    pub start: Spanned<Date>,
    #[serde(default)]
    pub end: Option<Spanned<Date>>,
}

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct NeedDescription {
    #[serde(default)]
    pub nature: Option<String>,
    #[serde(default)]
    pub extent: Option<String>,
    #[serde(default)]
    pub cause: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct Health {
    #[serde(default)]
    pub diagnoses: Vec<Diagnosis>,
    #[serde(default)]
    pub medical_needs: Option<String>,
    #[serde(default)]
    pub healthcare_plan: Option<bool>,
    #[serde(default)]
    pub medication: Option<String>,
    #[serde(default)]
    pub therapies: Vec<Therapy>,
    #[serde(default)]
    pub development: Option<Development>,
    #[serde(default)]
    pub early_help: Option<String>,
    #[serde(default)]
    pub social_care: Option<String>,
    #[serde(default)]
    pub gp: Option<GpPractice>,
    #[serde(default)]
    pub care_status: Option<CareStatus>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GpPractice {
    pub practice: String,
    #[serde(default)]
    pub doctor: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// Early help, child in need or child protection, with the lead professional.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CareStatus {
    pub status: CareLevel,
    #[serde(default)]
    pub since: Option<Spanned<Date>>,
    #[serde(default)]
    pub lead_professional: Option<LeadProfessional>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LeadProfessional {
    pub name: String,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Diagnosis {
    pub condition: String,
    #[serde(default)]
    pub diagnosed_by: Option<String>,
    #[serde(default)]
    pub date: Option<Spanned<Date>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Therapy {
    pub therapy: String,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub frequency: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct Development {
    #[serde(default)]
    pub physical: Option<String>,
    #[serde(default)]
    pub emotional: Option<String>,
    #[serde(default)]
    pub social: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Plan {
    #[serde(default)]
    pub title: Option<String>,
    pub start: Spanned<Date>,
    #[serde(default)]
    pub review_date: Option<Spanned<Date>>,
    #[serde(default)]
    pub strengths: Option<String>,
    #[serde(default)]
    pub aspirations: Option<String>,
    pub needs: Spanned<Vec<String>>,
    #[serde(default)]
    pub provision: Vec<Spanned<Provision>>,
    pub outcomes: Spanned<Vec<Spanned<Outcome>>>,
    #[serde(default)]
    pub review: Option<Spanned<Review>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Provision {
    pub what: String,
    pub how_often: String,
    pub delivered_by: String,
    #[serde(default)]
    pub group_size: Option<u32>,
    #[serde(default)]
    pub duration: Option<String>,
    #[serde(default)]
    pub cost: Option<Cost>,
    #[serde(default)]
    pub outcomes: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Cost {
    pub amount: f64,
    pub per: CostPer,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Outcome {
    pub id: Spanned<String>,
    pub description: String,
    #[serde(default)]
    pub baseline: Option<String>,
    #[serde(default)]
    pub measure: Option<String>,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub by: Option<Date>,
    #[serde(default)]
    pub pfa_area: Option<PfaArea>,
}

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct Review {
    #[serde(default)]
    pub date: Option<Spanned<Date>>,
    #[serde(default)]
    pub attendees: Vec<String>,
    #[serde(default)]
    pub parent_views: Option<String>,
    #[serde(default)]
    pub pupil_views: Option<String>,
    #[serde(default)]
    pub progress: Vec<Progress>,
    #[serde(default)]
    pub professional_feedback: Option<String>,
    #[serde(default)]
    pub next_steps: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Progress {
    pub outcome: Spanned<String>,
    pub rating: Rating,
    #[serde(default)]
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Attainment {
    pub assessments: Vec<Assessment>,
    #[serde(default)]
    pub summary: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Assessment {
    pub date: Spanned<Date>,
    pub area: String,
    pub measure: String,
    pub result: String,
    #[serde(default)]
    pub expected: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct Views {
    #[serde(default)]
    pub pupil: Option<Spanned<PupilViews>>,
    #[serde(default)]
    pub parents: Option<ParentViews>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PupilViews {
    pub views: String,
    pub gathered_how: Vec<GatheredHow>,
    #[serde(default)]
    pub gathered_by: Option<String>,
    #[serde(default)]
    pub date: Option<Spanned<Date>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ParentViews {
    pub views: String,
    #[serde(default)]
    pub given_by: Option<String>,
    #[serde(default)]
    pub date: Option<Spanned<Date>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Professionals {
    pub involvements: Vec<Spanned<Involvement>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Involvement {
    pub role: String,
    pub service: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub contact: Option<Contact>,
    #[serde(default)]
    pub from: Option<Spanned<Date>>,
    #[serde(default)]
    pub to: Option<Date>,
    #[serde(default)]
    pub parental_agreement: Option<ParentalAgreement>,
    #[serde(default)]
    pub advice: Option<String>,
    #[serde(default)]
    pub acted_on: Option<String>,
    #[serde(default)]
    pub report: Option<Spanned<String>>,
    #[serde(default)]
    pub report_date: Option<Spanned<Date>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ParentalAgreement {
    pub given: Spanned<bool>,
    #[serde(default)]
    pub date: Option<Spanned<Date>>,
    #[serde(default)]
    pub by: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Request {
    pub requested_by: RequestedBy,
    pub school: School,
    pub reasons: Reasons,
    #[serde(default)]
    pub previous_requests: Vec<PreviousRequest>,
    /// Where it is written is kept: the guidance-date finding points at it.
    #[serde(default)]
    pub planned_submission_date: Option<Spanned<Date>>,
    pub completed_by: Spanned<CompletedBy>,
    #[serde(default)]
    pub countersignature: Option<Countersignature>,
    #[serde(default)]
    pub received_date: Option<Date>,
}

/// An earlier request for an EHC needs assessment, or an earlier assessment.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PreviousRequest {
    pub what: PreviousRequestKind,
    pub date: Spanned<Date>,
    #[serde(default)]
    pub by: Option<String>,
    pub outcome: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct School {
    pub name: String,
    pub urn: String,
    #[serde(default)]
    pub address: Option<String>,
    pub senco: Senco,
    pub headteacher: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Senco {
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Reasons {
    pub summary: String,
    #[serde(default)]
    pub why_resources_not_enough: Option<String>,
    #[serde(default)]
    pub notional_budget: Option<String>,
    #[serde(default)]
    pub top_up_funding: Option<String>,
    #[serde(default)]
    pub hoped_for: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CompletedBy {
    pub name: String,
    pub role: String,
    pub date: Spanned<Date>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Countersignature {
    pub name: Spanned<String>,
    pub role: Spanned<String>,
    pub date: Spanned<Date>,
    pub signed: Spanned<bool>,
}

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct Consent {
    #[serde(default)]
    pub parental: Vec<ParentalConsent>,
    #[serde(default)]
    pub young_person: Option<Spanned<YoungPersonConsent>>,
    #[serde(default)]
    pub share_with: Vec<ShareWith>,
    #[serde(default)]
    pub do_not_share_with: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ParentalConsent {
    pub name: String,
    pub relationship: String,
    pub parental_responsibility: bool,
    pub signed: bool,
    #[serde(default)]
    pub date: Option<Spanned<Date>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct YoungPersonConsent {
    pub signed: bool,
    #[serde(default)]
    pub date: Option<Spanned<Date>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ShareWith {
    pub agency: String,
    pub agreed: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Evidence {
    pub files: Vec<EvidenceFile>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct EvidenceFile {
    pub path: Spanned<String>,
    pub title: String,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub date: Option<Spanned<Date>>,
    #[serde(default, rename = "type")]
    pub kind: Option<EvidenceType>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_never_spell_the_name() {
        let n = Name {
            first: "ava".into(),
            middle: Some("Grace".into()),
            last: "Thornton".into(),
        };
        assert_eq!(n.initials(), "AGT");
        assert_eq!(n.full(), "ava Grace Thornton");
    }
}
