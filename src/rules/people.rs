//! The people around the request: SEN status, parents notified, consent, countersignature,
//! specialists with parental agreement, looked-after children.

use super::{filled, Context};
use crate::calendar;
use crate::diagnostic::catalogue::RuleId;
use crate::diagnostic::Diagnostic;
use crate::load::case::Case;
use crate::load::model::{RequestedBy, SenStatus};
use crate::load::spanned::Spanned;

pub(super) fn check(case: &Case, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(request), Some(needs)) = (&case.request, &case.needs) else {
        return;
    };
    let school_request = request.value.requested_by == RequestedBy::School;
    let submission = ctx.submission_date(case);

    if school_request && needs.value.sen_status.value != SenStatus::SenSupport {
        let (why, help) = match needs.value.sen_status.value {
            SenStatus::EhcPlan => (
                "already has an EHC plan (status E)",
                "a pupil with an EHC plan does not need a new assessment request: raise the \
                 change of need at the plan's annual review, or ask the LA for an early review",
            ),
            _ => (
                "is not on the SEN register (status N)",
                "a school requests an assessment for a pupil on SEN support (status K): check \
                 `sen_status`, and that the pupil has been on SEN support through the plans",
            ),
        };
        out.push(case.at_field(
            needs.doc,
            &needs.value.sen_status,
            Diagnostic::new(
                RuleId::SenSupportStatus,
                format!("the school is requesting an assessment for a pupil who {why}"),
                help,
            ),
        ));
    }

    if needs.value.parents_notified_date.is_none() {
        out.push(case.at_field_key(
            needs.doc,
            &needs.value.sen_status,
            Diagnostic::new(
                RuleId::ParentsNotified,
                "there is no date on which the parents were formally notified that their child \
                 gets SEN support",
                "add `parents_notified_date:` with the date of the letter or meeting that told \
                 them",
            ),
        ));
    }

    if school_request {
        countersignature(case, request, submission, out);
        parental_consent(case, submission, out);
    }

    if let Some(consent) = &case.consent {
        if consent.value.share_with.is_empty() {
            out.push(case.at(
                consent.doc,
                "",
                Diagnostic::new(
                    RuleId::ConsentToShare,
                    "there is no record of consent to share information with other agencies",
                    "add `share_with:` listing each agency (for example health, social care, \
                     the educational psychology service) with `agreed: true` or `false`",
                ),
            ));
        }
    }

    if let Some(professionals) = &case.professionals {
        for inv in &professionals.value.involvements {
            let who = format!("{} ({})", inv.role, inv.service);
            match &inv.parental_agreement {
                None => out.push(case.at_field(
                    professionals.doc,
                    inv,
                    Diagnostic::new(
                        RuleId::SpecialistParentalAgreement,
                        format!("there is no record that the parents agreed to the involvement of the {who}"),
                        "add `parental_agreement:` with `given: true`, the `date` and who agreed \
                         (`by`)",
                    ),
                )),
                Some(a) if !a.given.value => out.push(case.at_field(
                    professionals.doc,
                    &a.given,
                    Diagnostic::new(
                        RuleId::SpecialistParentalAgreement,
                        format!("the parents did not agree to the involvement of the {who}"),
                        "specialists are involved only with the parents' agreement: remove this \
                         involvement and its advice, or record the agreement when it is given",
                    ),
                )),
                Some(_) => {}
            }
        }
    }

    if let Some(pupil) = &case.pupil {
        looked_after(case, pupil, out);
        if let Some(la) = &pupil.value.looked_after {
            let mut missing = Vec::new();
            if la.pep_date.is_none() {
                missing.push("Personal Education Plan (`pep_date`)");
            }
            if !filled(&la.designated_teacher) {
                missing.push("designated teacher (`designated_teacher`)");
            }
            if !missing.is_empty() {
                out.push(case.at_field_key(
                    pupil.doc,
                    la,
                    Diagnostic::new(
                        RuleId::LookedAfterPep,
                        format!(
                            "the pupil is looked after, but no {} is recorded",
                            missing.join(" or ")
                        ),
                        "add them under `looked_after`; SEN support is reviewed together with \
                         the Personal Education Plan",
                    ),
                ));
            }
        }
    }
}

/// A looked-after child's record: the responsible authority and a route to the family (the
/// social worker or the virtual school), since the pack withholds the carers' contacts and
/// points there. A `looked_after:` block left blank (as `ehcpack new --looked-after` makes it)
/// says the pupil is looked after and records nothing: an error, not an absent block.
fn looked_after(
    case: &Case,
    pupil: &crate::load::case::Typed<crate::load::model::Pupil>,
    out: &mut Vec<Diagnostic>,
) {
    const ROUTE: &str = "the social worker (`social_worker`, with `social_worker_contact`) or the \
                         virtual school (`virtual_school`)";
    let written = case.documents[pupil.doc]
        .root
        .as_ref()
        .and_then(|root| root.get("looked_after"))
        .is_some();
    let missing: Vec<&str> = match &pupil.value.looked_after {
        None if written => vec![
            "the responsible authority (`responsible_authority`)",
            ROUTE,
            "the date of the Personal Education Plan (`pep_date`)",
        ],
        None => return,
        Some(la) => {
            let mut missing = Vec::new();
            if !super::says_something(&la.responsible_authority) {
                missing.push("the responsible authority (`responsible_authority`)");
            }
            if !filled(&la.social_worker) && !filled(&la.virtual_school) {
                missing.push(ROUTE);
            }
            missing
        }
    };
    if missing.is_empty() {
        return;
    }
    // A blank `looked_after:` reads as no block, so its key is found by its name.
    let place = |d| match &pupil.value.looked_after {
        Some(la) => case.at_field_key(pupil.doc, la, d),
        None => case.at_key(pupil.doc, "/looked_after", d),
    };
    out.push(place(Diagnostic::new(
        RuleId::LookedAfter,
        format!(
            "the pupil is looked after (`looked_after:`), but not recorded: {}",
            missing.join("; ")
        ),
        "fill in the `looked_after` block: the LA writes to the responsible authority and \
             reaches the carers through the social worker or the virtual school, since the pack \
             withholds the carers' contacts; if the pupil is not looked after, delete the block",
    )));
}

fn countersignature(
    case: &Case,
    request: &crate::load::case::Typed<crate::load::model::Request>,
    submission: chrono::NaiveDate,
    out: &mut Vec<Diagnostic>,
) {
    let Some(sig) = &request.value.countersignature else {
        out.push(case.at_field_key(
            request.doc,
            &request.value.completed_by,
            Diagnostic::new(
                RuleId::HeadteacherCountersignature,
                "the request is not countersigned by the headteacher; the LA returns unsigned \
                 requests to the school at once",
                "ask the headteacher (or acting headteacher or head of school) to check the \
                 request and sign it, then add `countersignature:` with `name`, `role`, `date` \
                 and `signed: true`",
            ),
        ));
        return;
    };
    if !is_headteacher_role(&sig.role) {
        out.push(case.at_field(
            request.doc,
            &sig.role,
            Diagnostic::new(
                RuleId::HeadteacherCountersignature,
                format!(
                    "the request is countersigned by {} ({}), not by the headteacher; the LA \
                     returns a request the headteacher has not countersigned",
                    sig.name.value, sig.role.value
                ),
                "the headteacher (or acting headteacher or head of school) checks the request \
                 and countersigns it, not a deputy or the SENCO: ask them to sign, then record \
                 their name and `role: headteacher` (or `acting headteacher`, `head of school`)",
            ),
        ));
    } else if !same_person(&sig.name, &request.value.school.headteacher) {
        out.push(case.at_field(
            request.doc,
            &sig.name,
            Diagnostic::new(
                RuleId::HeadteacherCountersignature,
                format!(
                    "the countersignature is by {}, but the school's headteacher is recorded as \
                     {}",
                    sig.name.value, request.value.school.headteacher
                ),
                "the countersignature must be the headteacher's own: if the headteacher has \
                 changed, or an acting headteacher or head of school leads the school, update \
                 `school.headteacher`; otherwise ask the headteacher to countersign",
            ),
        ));
    }
    if !sig.signed.value {
        out.push(case.at_field(
            request.doc,
            &sig.signed,
            Diagnostic::new(
                RuleId::HeadteacherCountersignature,
                "the headteacher's countersignature is recorded but not signed",
                "when the headteacher has signed the request form, set `signed: true`",
            ),
        ));
    }
    let completed = request.value.completed_by.date.value;
    if sig.date.value < completed {
        out.push(case.at_field(
            request.doc,
            &sig.date,
            Diagnostic::new(
                RuleId::HeadteacherCountersignature,
                format!(
                    "the countersignature is dated {}, before the request was completed on \
                     {completed}",
                    sig.date.value
                ),
                "the headteacher countersigns the finished request: check both dates",
            ),
        ));
    }
    if sig.date.value > submission {
        out.push(case.at_field(
            request.doc,
            &sig.date,
            Diagnostic::new(
                RuleId::HeadteacherCountersignature,
                format!(
                    "the countersignature is dated {}, after the submission date {submission}",
                    sig.date.value
                ),
                "the request is countersigned before it is sent: check the date or the \
                 `planned_submission_date`",
            ),
        ));
    }
}

/// The roles that may countersign: the headteacher, an acting headteacher or a head of school
/// (Durham toolkit, "Applying for an EHC needs assessment": "the head teacher must ... countersign
/// the EHC request form"), under the titles schools give them: an academy's principal, an
/// executive or interim headteacher (or principal), a headmaster or headmistress. Case, hyphens
/// and "head teacher" written as two words do not matter.
fn is_headteacher_role(role: &str) -> bool {
    let words: Vec<String> = role
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let joined = words.join(" ").replace("head teacher", "headteacher");
    let title = joined
        .strip_prefix("acting ")
        .or_else(|| joined.strip_prefix("interim "))
        .or_else(|| joined.strip_prefix("executive "))
        .unwrap_or(&joined);
    matches!(
        title,
        "headteacher" | "head of school" | "principal" | "headmaster" | "headmistress"
    )
}

/// Whether two names are one person's, ignoring case, spacing, full stops, the titles Mr, Mrs,
/// Ms, Miss, Mx, Dr and Prof, and how an apostrophe, a hyphen or an accent was typed (a name
/// pasted from Word has `O’Neill` with a curly apostrophe; a Mac may write `é` as `e` and a
/// combining accent).
pub(crate) fn same_person(a: &str, b: &str) -> bool {
    fn words(name: &str) -> Vec<String> {
        use unicode_normalization::UnicodeNormalization;
        let name: String = name
            .nfc()
            .map(|c| match c {
                '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{2032}' | '`' | '\u{00B4}' => '\'',
                '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' => '-',
                c => c,
            })
            .collect();
        name.split(|c: char| c.is_whitespace() || c == '.' || c == ',')
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .filter(|w| {
                !matches!(
                    w.as_str(),
                    "mr" | "mrs" | "ms" | "miss" | "mx" | "dr" | "prof" | "professor"
                )
            })
            .collect()
    }
    // A man's title against a woman's is two people (Mr A Pearson and Mrs A Pearson, a
    // headteacher and her husband); any other title, or none, says nothing.
    fn title(name: &str) -> Option<bool> {
        let first = name
            .split_whitespace()
            .next()?
            .trim_end_matches('.')
            .to_lowercase();
        match first.as_str() {
            "mr" => Some(true),
            "mrs" | "ms" | "miss" => Some(false),
            _ => None,
        }
    }
    if let (Some(x), Some(y)) = (title(a), title(b)) {
        if x != y {
            return false;
        }
    }
    let (a, b) = (words(a), words(b));
    !a.is_empty() && a == b
}

fn parental_consent(case: &Case, submission: chrono::NaiveDate, out: &mut Vec<Diagnostic>) {
    let Some(consent) = &case.consent else { return };
    let Some(pupil) = &case.pupil else { return };
    let age = calendar::age_on(pupil.value.date_of_birth, submission);
    // From 16 the young person consents for themselves (rules.md, parental-consent).
    if age >= 16 {
        // At the young person's consent when there is one, else at the top of the file.
        let place_key = |young_person: Option<&Spanned<_>>, d| match young_person {
            Some(yp) => case.at_field_key(consent.doc, yp, d),
            None => case.at_key(consent.doc, "", d),
        };
        match &consent.value.young_person {
            Some(yp) if yp.signed && yp.date.is_some() => {}
            young_person => out.push(place_key(
                young_person.as_ref(),
                Diagnostic::new(
                    RuleId::ParentalConsent,
                    format!(
                        "the young person is {age} on the submission date, and their own signed, \
                         dated consent is not recorded"
                    ),
                    "from 16 the young person consents for themselves: add `young_person:` \
                     with `signed: true` and the `date`",
                ),
            )),
        }
    } else {
        let valid = consent
            .value
            .parental
            .iter()
            .any(|p| p.parental_responsibility && p.signed && p.date.is_some());
        if !valid {
            let (pointer, why) = if consent.value.parental.is_empty() {
                ("", "there is no parental consent")
            } else if !consent
                .value
                .parental
                .iter()
                .any(|p| p.parental_responsibility)
            {
                (
                    "/parental",
                    "no one who gave consent holds parental responsibility",
                )
            } else {
                ("/parental", "the parental consent is not signed and dated")
            };
            out.push(case.at(
                consent.doc,
                pointer,
                Diagnostic::new(
                    RuleId::ParentalConsent,
                    format!("{why}; a school request needs a signed, dated parental consent form"),
                    "under `parental:` record the person with parental responsibility who signed \
                     the consent form, with `signed: true` and the `date`",
                ),
            ));
        }
    }
    // Consent of either kind is given before the request goes.
    let mut dated: Vec<&Spanned<chrono::NaiveDate>> = consent
        .value
        .parental
        .iter()
        .filter(|p| p.signed)
        .filter_map(|p| p.date.as_ref())
        .collect();
    if let Some(date) = consent
        .value
        .young_person
        .as_ref()
        .filter(|y| y.signed)
        .and_then(|y| y.date.as_ref())
    {
        dated.push(date);
    }
    for field in dated {
        let date = field.value;
        if date > submission {
            out.push(case.at_field(
                consent.doc,
                field,
                Diagnostic::new(
                    RuleId::ParentalConsent,
                    format!("consent is dated {date}, after the submission date {submission}"),
                    "consent is given before the request is sent: check the date",
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A name is the same person however it is capitalised, spaced or titled.
        #[test]
        fn titles_case_and_spacing_do_not_change_the_person(
            words in proptest::collection::vec("[A-Za-z][a-z'-]{0,10}", 1..4),
            title in proptest::sample::select(vec!["", "Mr ", "Mrs. ", "MS ", "Miss ", "Dr ", "prof. "]),
            gap in "[ ]{1,3}",
            upper in proptest::bool::ANY,
        ) {
            // A name of titles alone ("Mr") is no one (tested below), not a person to find.
            prop_assume!(words.iter().any(|w| !matches!(
                w.to_lowercase().as_str(),
                "mr" | "mrs" | "ms" | "miss" | "mx" | "dr" | "prof" | "professor"
            )));
            let plain = words.join(" ");
            let mut written = format!("{title}{}", words.join(&gap));
            if upper {
                written = written.to_uppercase();
            }
            prop_assert!(same_person(&plain, &written), "{plain} / {written}");
            // A different surname is a different person.
            let other = format!("{plain} Smithson");
            prop_assert!(!same_person(&other, &written));
        }
    }

    #[test]
    fn only_the_head_roles_countersign() {
        for role in [
            "headteacher",
            "Head Teacher",
            "acting-headteacher",
            "Acting Head teacher",
            "head_of_school",
            "HEAD OF SCHOOL",
            "Principal",
            "Acting Principal",
            "Executive Headteacher",
            "Executive Principal",
            "Interim Head Teacher",
            "Headmistress",
            "headmaster",
        ] {
            assert!(is_headteacher_role(role), "{role}");
        }
        for role in [
            "deputy headteacher",
            "SENCO",
            "assistant head",
            "head",
            "chair of governors",
            "executive headteacher of the trust",
            "vice principal",
            "assistant principal",
            "acting deputy headteacher",
            "executive",
            "",
        ] {
            assert!(!is_headteacher_role(role), "{role}");
        }
        assert!(!same_person("Mr", "Dr"), "titles alone are no one");
    }

    #[test]
    fn a_name_typed_with_another_apostrophe_hyphen_or_accent_is_the_same_person() {
        assert!(same_person("Mr Paul O\u{2019}Neill", "Mr Paul O'Neill"));
        assert!(same_person(
            "Mrs Anna-Marie Kowalska",
            "Mrs Anna\u{2010}Marie Kowalska"
        ));
        assert!(same_person(
            "Ms Si\u{00F3}bh\u{00E1}n Byrne",
            "Ms Sio\u{0301}bha\u{0301}n Byrne"
        ));
        assert!(!same_person("Mr Paul O'Neill", "Mr Paul ONeill"));
        assert!(!same_person("Mrs A Pearson", "Mr A Pearson"));
        assert!(!same_person("MR. A Pearson", "Miss A Pearson"));
        assert!(same_person("Mrs A Pearson", "Ms A Pearson"));
        assert!(same_person("Dr A Pearson", "Mr A Pearson"));
        assert!(same_person("A Pearson", "Mrs A Pearson"));
        assert!(!same_person("Ms Siobhán Byrne", "Ms Siobhan Byrne"));
    }
}
