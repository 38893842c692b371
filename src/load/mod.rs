//! Loading a case folder, the first stage: read each file within its caps, parse the YAML with
//! positions, tell each document's kind, check the folder's structure and each document against
//! its schema, build the typed model, and read each evidence file once into facts. Loading
//! never runs a rule: the rules read what it built.

pub mod case;
pub mod de;
pub mod evidence;
pub mod evidence_pdf;
pub mod formats;
mod head;
pub mod kind;
pub mod limits;
pub mod model;
pub mod names;
pub mod pdf_problem;
pub mod schema;
pub mod source;
pub mod spanned;
pub mod validator;
pub mod values;
pub mod yaml;
