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

/// Why a password was refused, or the pack could not be protected with it.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("{variable} is not valid text")]
    NotText { variable: String },
    #[error(
        "--encrypt needs a password: set the environment variable {variable}, or run ehcpack at \
         a terminal to type it (it is never taken from the command line)"
    )]
    Missing { variable: String },
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
        "the password is shorter than {MIN_PASSWORD_CHARS} characters; the pack holds a child's \
         personal data, so choose a longer one (a few words work well)"
    )]
    TooShort,
    #[error("{UNCLEAR_PASSWORD}")]
    Unclear,
    #[error("cannot encrypt the PDF: {0}")]
    Encrypt(Box<dyn std::error::Error + Send + Sync>),
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
                return Err(PasswordError::Missing {
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
    // What AES-256 uses is the prepared password (an NFD password is shorter once composed).
    let longest = prepare(password).map_or(password.len(), |p| p.len());
    if longest > MAX_PASSWORD_BYTES {
        return Err(PasswordError::TooLong { bytes: longest });
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

/// The password as AES-256 (revision 6) uses it: prepared with SASLprep (RFC 4013), as PDF 2.0
/// asks and readers that follow it do, so the two ways of writing an accented letter (one
/// character, or a letter and a combining accent: NFC and NFD) are one password. A password
/// SASLprep changes in any other way (a ligature, a full-width letter, a soft hyphen, an
/// unusual space) or rejects (a control character) is refused: readers treat those
/// differently, so the pack might not open with the password as typed.
pub fn prepare(password: &str) -> Result<String, PasswordError> {
    use unicode_normalization::UnicodeNormalization;
    let composed: String = password.nfc().collect();
    match stringprep::saslprep(password) {
        Ok(prepared) if prepared == composed => Ok(composed),
        _ => Err(PasswordError::Unclear),
    }
}

/// Refuses a password [`prepare`] refuses.
pub fn check_characters(password: &str) -> Result<(), PasswordError> {
    prepare(password).map(|_| ())
}

/// The other way of writing a prepared password's accented letters (NFD), when there is one:
/// readers that do not apply SASLprep (qpdf, poppler) open the pack with it as the owner
/// password, so the password typed either way opens the pack everywhere.
fn decomposed(prepared: &str) -> Option<String> {
    use unicode_normalization::UnicodeNormalization;
    let nfd: String = prepared.nfd().collect();
    (nfd != prepared).then_some(nfd)
}

/// Replaces the encryption dictionary's owner entries (`/O`, `/OE`) with those of `owner`, as
/// Algorithm 9 of PDF 2.0 makes them, with the 8-byte validation and key salts `salts`. lopdf
/// would prepare the owner password with SASLprep (making NFD into NFC); this keeps its bytes.
fn owner_entries(
    document: &mut lopdf::Document,
    file_key: &[u8; 32],
    owner: &[u8],
    salts: [u8; 16],
) -> Option<()> {
    let id = document.trailer.get(b"Encrypt").ok()?.as_reference().ok()?;
    let dict = document.get_dictionary_mut(id).ok()?;
    let user = dict.get(b"U").ok()?.as_str().ok()?.get(..48)?.to_vec();
    let (validation_salt, key_salt) = salts.split_at(8);
    let mut o = hash_r6(owner, validation_salt, &user).to_vec();
    o.extend_from_slice(&salts);
    // /OE: the file key encrypted with AES-256 (CBC, zero IV, no padding) under the hash of
    // the owner password and the key salt.
    let key = hash_r6(owner, key_salt, &user);
    let oe = cbc_encrypt_256(&key, file_key);
    dict.set(
        "O",
        lopdf::Object::String(o, lopdf::StringFormat::Hexadecimal),
    );
    dict.set(
        "OE",
        lopdf::Object::String(oe, lopdf::StringFormat::Hexadecimal),
    );
    Some(())
}

/// Algorithm 2.B of PDF 2.0 (revision 6): the hash of a password, a salt and (for the owner
/// entries) the 48 bytes of `/U`.
fn hash_r6(password: &[u8], salt: &[u8], user: &[u8]) -> [u8; 32] {
    use aes::cipher::{BlockCipherEncrypt, KeyInit};
    use sha2::{Digest, Sha256, Sha384, Sha512};
    let mut k: Vec<u8> = Sha256::new()
        .chain_update(password)
        .chain_update(salt)
        .chain_update(user)
        .finalize()
        .to_vec();
    let mut round: u32 = 0;
    loop {
        round += 1;
        let mut k1 = Vec::with_capacity(64 * (password.len() + k.len() + user.len()));
        for _ in 0..64 {
            k1.extend_from_slice(password);
            k1.extend_from_slice(&k);
            k1.extend_from_slice(user);
        }
        // AES-128 in CBC mode, key K[0..16], IV K[16..32], no padding (K1 is a multiple of 16).
        let cipher = aes::Aes128::new_from_slice(&k[..16]).expect("a 16-byte key");
        let mut previous = [0u8; 16];
        previous.copy_from_slice(&k[16..32]);
        for block in k1.chunks_exact_mut(16) {
            for (b, p) in block.iter_mut().zip(previous) {
                *b ^= p;
            }
            let block: &mut [u8; 16] = block.try_into().expect("16 bytes");
            cipher.encrypt_block(block.into());
            previous = *block;
        }
        let e = k1;
        k = match e[..16].iter().map(|b| u32::from(*b)).sum::<u32>() % 3 {
            0 => Sha256::digest(&e).to_vec(),
            1 => Sha384::digest(&e).to_vec(),
            _ => Sha512::digest(&e).to_vec(),
        };
        if round >= 64 && u32::from(*e.last().unwrap_or(&0)) + 32 <= round {
            break;
        }
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(&k[..32]);
    out
}

/// AES-256 in CBC mode with a zero IV and no padding, of a 32-byte value.
fn cbc_encrypt_256(key: &[u8; 32], data: &[u8; 32]) -> Vec<u8> {
    use aes::cipher::{BlockCipherEncrypt, KeyInit};
    let cipher = aes::Aes256::new_from_slice(key).expect("a 32-byte key");
    let mut out = data.to_vec();
    let mut previous = [0u8; 16];
    for block in out.chunks_exact_mut(16) {
        for (b, p) in block.iter_mut().zip(previous) {
            *b ^= p;
        }
        let block: &mut [u8; 16] = block.try_into().expect("16 bytes");
        cipher.encrypt_block(block.into());
        previous = *block;
    }
    out
}

/// The PDF encrypted with AES-256. Opening it needs `user_password`, prepared with SASLprep;
/// the owner password is random and thrown away, so nobody can lift the restriction on
/// changing the document, except for a password with accented letters, whose owner password
/// is the same password written the other way (NFD), for readers that do not apply SASLprep.
pub fn encrypt(pdf: &[u8], user_password: &str) -> Result<Vec<u8>, PasswordError> {
    check_length(user_password)?;
    let prepared = prepare(user_password)?;
    let user_password = prepared.as_str();
    let fail = |e: &dyn std::fmt::Display| PasswordError::Encrypt(e.to_string().into());
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
    if let Some(other_form) = decomposed(user_password) {
        let mut salts = [0u8; 16];
        getrandom::fill(&mut salts).map_err(|e| fail(&e))?;
        // Cut at 127 bytes, as the readers that use it as typed cut it.
        let bytes = other_form.as_bytes();
        owner_entries(
            &mut document,
            &key,
            &bytes[..bytes.len().min(MAX_PASSWORD_BYTES)],
            salts,
        )
        .ok_or_else(|| fail(&"the encryption dictionary cannot be read back"))?;
    }
    let mut out = Vec::with_capacity(pdf.len() + 4096);
    document.save_to(&mut out).map_err(|e| fail(&e))?;
    Ok(out)
}
