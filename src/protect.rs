//! `render --encrypt`: the pack as a password-protected PDF (AES-256, PDF 2.0 standard security
//! handler, revision 6) for sending by email. The password never comes from the command line,
//! where other users and shell history could see it: from an environment variable, or typed at
//! a prompt that does not echo.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::Arc;

use lopdf::encryption::crypt_filters::{Aes256CryptFilter, CryptFilter};
use lopdf::{EncryptionState, EncryptionVersion, Permissions};

/// The variable read for the password unless `--password-env` names another.
pub const PASSWORD_ENV: &str = "EHCPACK_PASSWORD";

/// Passwords shorter than this are refused: the pack holds a child's personal data.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Why a password cannot protect a pack, or the pack could not be encrypted. The messages are
/// what the user reads.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("{variable} is not valid text")]
    NotText { variable: String },
    #[error(
        "--encrypt needs a password: set the environment variable {variable}, or run ehcpack at a \
         terminal to type it (it is never taken from the command line)"
    )]
    NoPassword { variable: String },
    #[error("cannot read the password: {0}")]
    Prompt(std::io::Error),
    #[error("the two passwords differ; nothing was written")]
    Differ,
    #[error(
        "the password is {bytes} bytes long; PDF readers use at most {MAX_PASSWORD_BYTES} bytes \
         of a password (about {MAX_PASSWORD_BYTES} letters, fewer with accents or other \
         scripts), so a longer one would make a pack nobody can open; choose a shorter one"
    )]
    TooLong { bytes: usize },
    #[error(
        "the password is shorter than {MIN_PASSWORD_CHARS} characters; the pack holds a \
         child's personal data, so choose a longer one (a few words work well)"
    )]
    TooShort,
    #[error("{UNCLEAR_PASSWORD}")]
    Unclear,
    #[error("cannot encrypt the PDF: {0}")]
    Encrypt(String),
}

/// For callers whose errors are still messages.
impl From<PasswordError> for String {
    fn from(e: PasswordError) -> String {
        e.to_string()
    }
}

/// The password from the named environment variable, else from a prompt on the terminal.
pub fn password(variable: &str) -> Result<String, PasswordError> {
    let password = match std::env::var(variable) {
        Ok(p) => p,
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(PasswordError::NotText {
                variable: variable.to_string(),
            })
        }
        Err(std::env::VarError::NotPresent) => {
            if !std::io::stdin().is_terminal() {
                return Err(PasswordError::NoPassword {
                    variable: variable.to_string(),
                });
            }
            let first = rpassword::prompt_password("Password for the PDF: ")
                .map_err(PasswordError::Prompt)?;
            let again = rpassword::prompt_password("The same password again: ")
                .map_err(PasswordError::Prompt)?;
            if first != again {
                return Err(PasswordError::Differ);
            }
            first
        }
    };
    check_length(&password)?;
    Ok(password)
}

/// The most bytes of a password AES-256 (revision 6) uses: PDF readers cut the UTF-8 password
/// at 127 bytes, so a longer one would make a pack that qpdf and poppler cannot open.
pub const MAX_PASSWORD_BYTES: usize = 127;

/// Refuses a password shorter than [`MIN_PASSWORD_CHARS`] characters, longer than
/// [`MAX_PASSWORD_BYTES`] bytes of UTF-8, or one SASLprep changes ([`check_characters`]).
pub fn check_length(password: &str) -> Result<(), PasswordError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(PasswordError::TooLong {
            bytes: password.len(),
        });
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
    }
    check_characters(password)
}

/// What [`check_characters`] says of a password SASLprep changes or rejects.
pub const UNCLEAR_PASSWORD: &str = "the password has characters PDF readers treat differently \
     (ligatures, soft hyphens, control characters, unusual spaces); use letters, digits, spaces \
     and ordinary punctuation";

/// Refuses a password that SASLprep (RFC 4013, which AES-256 revision 6 applies to the
/// password) changes or rejects: readers apply it differently (or not at all), so the pack
/// might not open with the password the user typed.
pub fn check_characters(password: &str) -> Result<(), PasswordError> {
    match stringprep::saslprep(password) {
        Ok(prepared) if prepared == password => Ok(()),
        _ => Err(PasswordError::Unclear),
    }
}

/// The PDF encrypted with AES-256. Opening it needs `user_password`; the owner password is
/// random and thrown away, so nobody can lift the restriction on changing the document.
pub fn encrypt(pdf: &[u8], user_password: &str) -> Result<Vec<u8>, PasswordError> {
    check_length(user_password)?;
    let fail = |e: &dyn std::fmt::Display| PasswordError::Encrypt(e.to_string());
    let mut document = lopdf::Document::load_mem(pdf).map_err(|e| fail(&e))?;
    let mut key = [0u8; 32];
    let mut owner = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| fail(&e))?;
    getrandom::fill(&mut owner).map_err(|e| fail(&e))?;
    let owner: String = owner.iter().map(|b| format!("{b:02x}")).collect();
    let filter: Arc<dyn CryptFilter> = Arc::new(Aes256CryptFilter);
    let state = EncryptionState::try_from(EncryptionVersion::V5 {
        encrypt_metadata: true,
        crypt_filters: BTreeMap::from([(b"StdCF".to_vec(), filter)]),
        file_encryption_key: &key,
        stream_filter: b"StdCF".to_vec(),
        string_filter: b"StdCF".to_vec(),
        owner_password: &owner,
        user_password,
        // Reading, printing and copying text (for screen readers) stay allowed.
        permissions: Permissions::PRINTABLE
            | Permissions::COPYABLE
            | Permissions::COPYABLE_FOR_ACCESSIBILITY
            | Permissions::PRINTABLE_IN_HIGH_QUALITY,
    })
    .map_err(|e| fail(&e))?;
    document.encrypt(&state).map_err(|e| fail(&e))?;
    let mut out = Vec::with_capacity(pdf.len() + 4096);
    document.save_to(&mut out).map_err(|e| fail(&e))?;
    Ok(out)
}
