//! Why an evidence PDF (or a received pack's PDF, scanned the same way) cannot be used: the
//! errors of [`crate::load::evidence_pdf`], each with its limit where one was passed.

/// Why a PDF cannot be used, in a SENCO's words, as the end of a sentence that begins with the
/// file ("... is named .pdf but is not a PDF").
#[derive(Debug, thiserror::Error)]
pub enum PdfProblem {
    #[error("is named .pdf but is not a PDF")]
    NotAPdf,
    #[error("cannot be read as a PDF ({0})")]
    Unreadable(lopdf::Error),
    #[error("has more than {max} objects, far more than a real document of its kind")]
    TooManyObjects { max: usize },
    #[error("is protected with a password, so it cannot be attached")]
    Encrypted,
    #[error("has no pages")]
    NoPages,
    #[error("nests more than {max} levels deep, which no real document does")]
    TooDeep { max: usize },
    #[error("has an object stream encoded in a way no real document uses")]
    ObjectStreamEncoding,
    #[error(
        "has compressed parts that would expand to more than {mb} MB, far more than a real \
         document (a \"compression bomb\")"
    )]
    Bomb { mb: u64 },
    #[error(
        "has a stream whose length refers to object {object}, which is not a plain number, as \
         no real document does"
    )]
    LengthChain { object: u32 },
    #[error("has no document catalog")]
    NoCatalog,
    #[error("has a document catalog that cannot be read")]
    CatalogUnreadable,
    #[error("has no page tree")]
    NoPageTree,
    #[error("has a page tree more than {max} levels deep")]
    PageTreeTooDeep { max: usize },
    #[error("has a page tree that loops back on itself")]
    PageTreeLoops,
    #[error("has a page tree with a part that cannot be read")]
    PageTreePartUnreadable,
    #[error("has a page tree with a part that lists no pages")]
    PageTreeNoKids,
    #[error("has more than {max} pages")]
    TooManyPages { max: usize },
    /// The file could not be read again ([`crate::load::evidence_pdf::load_checked`]).
    #[error("{0}")]
    Read(#[from] crate::read::ReadError),
    /// The file read again could not be loaded ([`crate::load::evidence_pdf::load_checked`]).
    #[error("{0}")]
    Reloaded(lopdf::Error),
}

/// For callers whose errors are still messages.
impl From<PdfProblem> for String {
    fn from(e: PdfProblem) -> String {
        e.to_string()
    }
}
