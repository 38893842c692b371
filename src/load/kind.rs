//! The kinds of case document (`kind: pupil`), and how many of each a case has.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Pupil,
    Family,
    Needs,
    Health,
    Plan,
    Attainment,
    Views,
    Professionals,
    Request,
    Consent,
    Evidence,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::Pupil,
        Kind::Family,
        Kind::Needs,
        Kind::Health,
        Kind::Plan,
        Kind::Attainment,
        Kind::Views,
        Kind::Professionals,
        Kind::Request,
        Kind::Consent,
        Kind::Evidence,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Pupil => "pupil",
            Kind::Family => "family",
            Kind::Needs => "needs",
            Kind::Health => "health",
            Kind::Plan => "plan",
            Kind::Attainment => "attainment",
            Kind::Views => "views",
            Kind::Professionals => "professionals",
            Kind::Request => "request",
            Kind::Consent => "consent",
            Kind::Evidence => "evidence",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// How many documents of this kind a case must have, and may have.
    pub fn bounds(self) -> (usize, Option<usize>) {
        match self {
            Kind::Pupil | Kind::Needs | Kind::Request | Kind::Consent => (1, Some(1)),
            Kind::Plan => (1, None),
            _ => (0, Some(1)),
        }
    }

    /// The file name `ehcpack new` and the samples use.
    pub fn usual_file(self) -> &'static str {
        match self {
            Kind::Plan => "plan-1.yaml",
            k => match k {
                Kind::Pupil => "pupil.yaml",
                Kind::Family => "family.yaml",
                Kind::Needs => "needs.yaml",
                Kind::Health => "health.yaml",
                Kind::Attainment => "attainment.yaml",
                Kind::Views => "views.yaml",
                Kind::Professionals => "professionals.yaml",
                Kind::Request => "request.yaml",
                Kind::Consent => "consent.yaml",
                _ => "evidence.yaml",
            },
        }
    }
}
