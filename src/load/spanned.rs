//! A model field that remembers where it was written: its value, the line and column of the
//! value and of its key, and its path in the document (`/plans/0/start` as a JSON Pointer).
//!
//! This is the pattern of `serde_spanned` (toml): the type asks the deserializer for a struct
//! with reserved field names, and only our deserializer of the YAML tree
//! ([`crate::load::de`]) answers with the place. A rule then names a field's place with the
//! field itself instead of a pointer string that a renamed field would silently miss.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde::{Serialize, Serializer};

use crate::load::yaml::Pos;

/// The struct name and field names that ask [`crate::load::de`] for a place.
pub(crate) const NAME: &str = "$__ehcpack_spanned";
pub(crate) const LINE: &str = "$__ehcpack_spanned_line";
pub(crate) const COLUMN: &str = "$__ehcpack_spanned_column";
pub(crate) const KEY_LINE: &str = "$__ehcpack_spanned_key_line";
pub(crate) const KEY_COLUMN: &str = "$__ehcpack_spanned_key_column";
pub(crate) const PATH: &str = "$__ehcpack_spanned_path";
pub(crate) const VALUE: &str = "$__ehcpack_spanned_value";
pub(crate) const FIELDS: &[&str] = &[LINE, COLUMN, KEY_LINE, KEY_COLUMN, PATH, VALUE];

/// A value and where it was written.
#[derive(Debug, Clone)]
pub struct Spanned<T> {
    pub value: T,
    /// Where the value starts.
    pub pos: Pos,
    /// Where its key starts (`start:`); the value's own place for a list item.
    pub key_pos: Pos,
    /// Its place in the document, as a JSON Pointer (`/review/date`).
    pub path: String,
}

impl<T> Spanned<T> {
    pub fn new(value: T, pos: Pos, key_pos: Pos, path: String) -> Spanned<T> {
        Spanned {
            value,
            pos,
            key_pos,
            path,
        }
    }

    pub fn get(&self) -> &T {
        &self.value
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// Shown as the value, as it is written out.
impl<T: fmt::Display> fmt::Display for Spanned<T> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.value.fmt(f)
    }
}

/// A spanned list is walked like the list (`for outcome in &plan.outcomes`).
impl<'a, T> IntoIterator for &'a Spanned<T>
where
    &'a T: IntoIterator,
{
    type Item = <&'a T as IntoIterator>::Item;
    type IntoIter = <&'a T as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        self.value.into_iter()
    }
}

/// Two fields are equal when their values are: where they were written does not matter.
impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

/// Written out as the value alone (the pack's template context, JSON reports).
impl<T: Serialize> Serialize for Spanned<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Spanned<T>, D::Error> {
        struct SpannedVisitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for SpannedVisitor<T> {
            type Value = Spanned<T>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value of a case document")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Spanned<T>, A::Error> {
                let number = |map: &mut A, name: &'static str| -> Result<usize, A::Error> {
                    match map.next_key::<&str>()? {
                        Some(k) if k == name => Ok(map.next_value::<u64>()? as usize),
                        _ => Err(de::Error::custom(
                            "a place can only be read from a case document",
                        )),
                    }
                };
                let line = number(&mut map, LINE)?;
                let column = number(&mut map, COLUMN)?;
                let key_line = number(&mut map, KEY_LINE)?;
                let key_column = number(&mut map, KEY_COLUMN)?;
                if map.next_key::<&str>()? != Some(PATH) {
                    return Err(de::Error::custom("a place has no path"));
                }
                let path: String = map.next_value()?;
                if map.next_key::<&str>()? != Some(VALUE) {
                    return Err(de::Error::custom("a place has no value"));
                }
                let value: T = map.next_value()?;
                Ok(Spanned {
                    value,
                    pos: Pos { line, column },
                    key_pos: Pos {
                        line: key_line,
                        column: key_column,
                    },
                    path,
                })
            }
        }

        deserializer.deserialize_struct(NAME, FIELDS, SpannedVisitor(std::marker::PhantomData))
    }
}
