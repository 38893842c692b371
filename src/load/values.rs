//! The values a schema lists for a field, one enum each, so a rule or the pack compares a
//! variant, never a string a schema could rename. Each variant carries its value exactly as the
//! schema spells it; the suite (`tests/suite/schema_enums.rs`) checks every enum's values equal
//! its schema's list, so a value renamed in a schema fails a test instead of turning a rule off.

use serde::{Deserialize, Serialize};

/// Declares an enum a schema lists, each variant with its value as the schema spells it.
macro_rules! schema_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $value:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $value)] $variant,)*
        }

        impl $name {
            /// Every value, in the schema's order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The value as the case file writes it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $value,)*
                }
            }

            /// The variant a case file's value names, if it names one.
            pub fn parse(value: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == value)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

schema_enum! {
    /// Who makes the request (`request.yaml`: `requested_by`).
    RequestedBy {
        School => "school",
        Parent => "parent",
        YoungPerson => "young-person",
        Other => "other",
    }
}

schema_enum! {
    /// What an earlier request was (`request.yaml`: a `previous_requests` entry's `what`).
    PreviousRequestKind {
        /// A request for an EHC needs assessment.
        Request => "request",
        /// An EHC needs assessment carried out.
        Assessment => "assessment",
    }
}

schema_enum! {
    /// The pupil's SEN status as the school census records it (`needs.yaml`: `sen_status`, and
    /// each SEN history period's `status`).
    SenStatus {
        /// An EHC plan.
        EhcPlan => "E",
        /// SEN support.
        SenSupport => "K",
        /// No special educational need.
        NoSen => "N",
    }
}

schema_enum! {
    /// A DfE SEN type code (`needs.yaml`: `primary_need`, `secondary_needs`, and each ranked
    /// need's `type` in the SEN history).
    SenType {
        SpecificLearningDifficulty => "SPLD",
        ModerateLearningDifficulty => "MLD",
        SevereLearningDifficulty => "SLD",
        ProfoundMultipleLearningDifficulty => "PMLD",
        SocialEmotionalMentalHealth => "SEMH",
        SpeechLanguageCommunication => "SLCN",
        HearingImpairment => "HI",
        VisualImpairment => "VI",
        MultiSensoryImpairment => "MSI",
        PhysicalDisability => "PD",
        AutisticSpectrum => "ASD",
        DownSyndrome => "DS",
        OtherDifficulty => "OTH",
        /// SEN support but no specialist assessment of the type of need.
        NotAssessed => "NSA",
    }
}

schema_enum! {
    /// What an evidence file is (`evidence.yaml`: a file's `type`).
    EvidenceType {
        Report => "report",
        MyStory => "my-story",
        Plan => "plan",
        Other => "other",
    }
}

schema_enum! {
    /// How a person prefers to be contacted (`family.yaml` and `pupil.yaml`:
    /// `preferred_contact`).
    PreferredContact {
        Phone => "phone",
        TextMessage => "text-message",
        Email => "email",
        Letter => "letter",
    }
}

schema_enum! {
    /// Early help, child in need or child protection (`health.yaml`: `care_status.status`).
    CareLevel {
        NoInvolvement => "none",
        /// An early help assessment or Team Around the Family.
        EarlyHelp => "early-help",
        /// A child in need plan.
        ChildInNeed => "child-in-need",
        /// A child protection plan.
        ChildProtection => "child-protection",
    }
}

schema_enum! {
    /// The legal basis on which a child is looked after (`pupil.yaml`:
    /// `looked_after.legal_status`).
    LegalStatus {
        /// Accommodated with the parents' agreement (Children Act 1989 s20).
        Section20 => "section-20",
        /// A care order.
        Section31 => "section-31",
        /// An interim care order.
        Section38 => "section-38",
        /// A placement order, or placed for adoption.
        Section21 => "section-21",
        Other => "other",
    }
}

schema_enum! {
    /// A suspension or a permanent exclusion (`pupil.yaml`: an exclusion's `type`).
    ExclusionType {
        /// A fixed-period exclusion.
        Suspension => "suspension",
        PermanentExclusion => "permanent-exclusion",
    }
}

schema_enum! {
    /// What a provision's cost is for (`plan.yaml`: `cost.per`).
    CostPer {
        Session => "session",
        Week => "week",
        Term => "term",
        Year => "year",
        /// The whole plan.
        Plan => "plan",
    }
}

schema_enum! {
    /// The Preparing for Adulthood area an outcome serves (`plan.yaml`: an outcome's
    /// `pfa_area`).
    PfaArea {
        GoodHealth => "good-health",
        FriendshipsRelationshipsCommunity => "friendships-relationships-community",
        IndependentLiving => "independent-living",
        Employment => "employment",
    }
}

schema_enum! {
    /// How far an outcome was met at review (`plan.yaml`: a progress entry's `rating`).
    Rating {
        Achieved => "achieved",
        PartlyAchieved => "partly-achieved",
        NotAchieved => "not-achieved",
    }
}

schema_enum! {
    /// One way the pupil's views were gathered (`views.yaml`: `pupil.gathered_how`).
    GatheredHow {
        /// A My Story booklet.
        MyStory => "my-story",
        /// The Picture Exchange Communication System.
        Pecs => "pecs",
        Conversation => "conversation",
        /// Someone speaking for the child.
        Advocate => "advocate",
        Drawing => "drawing",
        Questionnaire => "questionnaire",
        Other => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_reads_back_as_its_variant() {
        for v in SenType::ALL {
            assert_eq!(SenType::parse(v.as_str()), Some(*v));
            assert_eq!(
                serde_json::to_value(v).unwrap(),
                serde_json::json!(v.as_str())
            );
        }
        assert_eq!(RequestedBy::parse("School"), None);
        assert_eq!(CareLevel::NoInvolvement.to_string(), "none");
    }
}
