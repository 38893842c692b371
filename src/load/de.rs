//! The typed model read straight from the YAML tree ([`Node`]), with no JSON copy between.
//!
//! It reads a document as the schema sees it: a field left blank (`baseline:`), or a block whose
//! fields are all blank, counts as absent; a number YAML reads as NaN or infinity is the text it
//! was. Errors say what serde says (`missing field `upn``, `invalid type: integer `5`, expected a
//! string`). A [`Spanned`](crate::load::spanned::Spanned) field is given its place and its path.

use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    Unexpected, VariantAccess, Visitor,
};

use crate::load::spanned;
use crate::load::yaml::{Entry, Node, Pos, Step, Value};

/// Why a document could not be read into the model (serde's words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }

    // In serde_json's words, as the model's errors were when it was read from a JSON copy.
    fn invalid_type(unexp: Unexpected, exp: &dyn de::Expected) -> Self {
        Error(format!(
            "invalid type: {}, expected {exp}",
            JsonUnexpected(unexp)
        ))
    }

    fn invalid_value(unexp: Unexpected, exp: &dyn de::Expected) -> Self {
        Error(format!(
            "invalid value: {}, expected {exp}",
            JsonUnexpected(unexp)
        ))
    }
}

/// serde_json's names for what was found: `null`, and floating point numbers written short.
struct JsonUnexpected<'a>(Unexpected<'a>);

impl fmt::Display for JsonUnexpected<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.0 {
            Unexpected::Unit => f.write_str("null"),
            Unexpected::Float(v) => match serde_json::Number::from_f64(v) {
                Some(n) => write!(f, "floating point `{n}`"),
                None => write!(f, "floating point `{v}`"),
            },
            other => other.fmt(f),
        }
    }
}

/// Reads a document's tree into a model type.
pub fn from_node<T: DeserializeOwned>(node: &Node) -> Result<T, Error> {
    T::deserialize(De {
        node,
        key_pos: node.pos,
        path: None,
    })
}

/// One step of the path from the document's root, linked to the step before it: kept on the
/// stack while the tree is walked, and written out only when a [`Spanned`] field asks.
///
/// [`Spanned`]: crate::load::spanned::Spanned
struct Link<'a, 'p> {
    parent: Option<&'p Link<'a, 'p>>,
    step: Step<'a>,
}

fn pointer(mut link: Option<&Link<'_, '_>>) -> String {
    let mut steps = Vec::new();
    while let Some(l) = link {
        steps.push(l.step);
        link = l.parent;
    }
    steps.reverse();
    crate::load::yaml::Place { steps: &steps }.pointer()
}

/// Deserializes one node of the tree.
struct De<'a, 'p> {
    node: &'a Node,
    key_pos: Pos,
    path: Option<&'p Link<'a, 'p>>,
}

fn unexpected(node: &Node) -> Unexpected<'_> {
    match &node.value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Int(i) if *i >= 0 => Unexpected::Unsigned(*i as u64),
        Value::Int(i) => Unexpected::Signed(*i),
        Value::Float(f) if f.is_finite() => Unexpected::Float(*f),
        Value::Float(_) => Unexpected::Other("text"),
        Value::Str(s) => Unexpected::Str(s),
        Value::Seq(_) => Unexpected::Seq,
        Value::Map(_) => Unexpected::Map,
    }
}

impl<'de, 'p> de::Deserializer<'de> for De<'de, 'p> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.node.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            // As JSON numbers read: a whole number from zero up is unsigned.
            Value::Int(i) if *i >= 0 => visitor.visit_u64(*i as u64),
            Value::Int(i) => visitor.visit_i64(*i),
            Value::Float(f) if f.is_finite() => visitor.visit_f64(*f),
            // JSON has no NaN or infinity; the schema reads them as text, and so does the model.
            Value::Float(f) => visitor.visit_string(f.to_string()),
            Value::Str(s) => visitor.visit_borrowed_str(s),
            Value::Seq(items) => visitor.visit_seq(Items {
                items: items.iter().enumerate(),
                path: self.path,
            }),
            Value::Map(entries) => visitor.visit_map(Entries {
                entries: entries.iter(),
                value: None,
                path: self.path,
            }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.node.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if name == spanned::NAME && fields == spanned::FIELDS {
            return visitor.visit_map(Place {
                de: Some(self),
                next: 0,
            });
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match &self.node.value {
            Value::Str(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            Value::Map(entries) if entries.len() == 1 => visitor.visit_enum(Variant {
                entry: &entries[0],
                path: self.path,
            }),
            Value::Map(_) => Err(de::Error::invalid_value(
                Unexpected::Map,
                &"map with a single key",
            )),
            _ => Err(de::Error::invalid_type(
                unexpected(self.node),
                &"string or map",
            )),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier
    }
}

/// A list's items.
struct Items<'a, 'p, I: Iterator<Item = (usize, &'a Node)>> {
    items: I,
    path: Option<&'p Link<'a, 'p>>,
}

impl<'de, 'p, I: Iterator<Item = (usize, &'de Node)>> SeqAccess<'de> for Items<'de, 'p, I> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some((i, node)) = self.items.next() else {
            return Ok(None);
        };
        let link = Link {
            parent: self.path,
            step: Step::Index(i),
        };
        seed.deserialize(De {
            node,
            key_pos: node.pos,
            path: Some(&link),
        })
        .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        self.items.size_hint().1
    }
}

/// A block's fields, those left blank skipped.
struct Entries<'a, 'p> {
    entries: std::slice::Iter<'a, Entry>,
    value: Option<&'a Entry>,
    path: Option<&'p Link<'a, 'p>>,
}

impl<'de> MapAccess<'de> for Entries<'de, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        for entry in self.entries.by_ref() {
            if entry.value.is_blank() {
                continue;
            }
            self.value = Some(entry);
            return seed.deserialize(Key(&entry.key)).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let entry = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("a value asked for before its key"))?;
        let link = Link {
            parent: self.path,
            step: Step::Key(&entry.key),
        };
        seed.deserialize(De {
            node: &entry.value,
            key_pos: entry.key_pos,
            path: Some(&link),
        })
    }
}

/// A key of a block, or a reserved field name of [`spanned`].
struct Key<'a>(&'a str);

impl<'de> de::Deserializer<'de> for Key<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.0)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// What a [`Spanned`](crate::load::spanned::Spanned) field reads: its place, then its value.
struct Place<'a, 'p> {
    de: Option<De<'a, 'p>>,
    next: usize,
}

impl<'de> MapAccess<'de> for Place<'de, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match spanned::FIELDS.get(self.next) {
            Some(name) if self.de.is_some() => seed.deserialize(Key(name)).map(Some),
            _ => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let field = spanned::FIELDS.get(self.next).copied();
        self.next += 1;
        let de = self
            .de
            .as_ref()
            .ok_or_else(|| de::Error::custom("a place read twice"))?;
        let number = |n: usize| (n as u64).into_deserializer();
        match field {
            Some(spanned::LINE) => seed.deserialize(number(de.node.pos.line)),
            Some(spanned::COLUMN) => seed.deserialize(number(de.node.pos.column)),
            Some(spanned::KEY_LINE) => seed.deserialize(number(de.key_pos.line)),
            Some(spanned::KEY_COLUMN) => seed.deserialize(number(de.key_pos.column)),
            Some(spanned::PATH) => seed.deserialize(pointer(de.path).into_deserializer()),
            _ => {
                let de = self.de.take().expect("checked above");
                seed.deserialize(de)
            }
        }
    }
}

/// An enum written as a block of one field (`variant: value`).
struct Variant<'a, 'p> {
    entry: &'a Entry,
    path: Option<&'p Link<'a, 'p>>,
}

impl<'de, 'p> EnumAccess<'de> for Variant<'de, 'p> {
    type Error = Error;
    type Variant = De<'de, 'p>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, De<'de, 'p>), Error> {
        let variant = seed.deserialize(Key(&self.entry.key))?;
        Ok((
            variant,
            De {
                node: &self.entry.value,
                key_pos: self.entry.key_pos,
                path: self.path,
            },
        ))
    }
}

impl<'de> VariantAccess<'de> for De<'de, '_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_map(self, visitor)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;
    use crate::load::spanned::Spanned;
    use crate::load::yaml;

    fn node(text: &str) -> Node {
        yaml::parse(text).unwrap().unwrap()
    }

    /// The old path: the tree copied into JSON, then read by serde_json.
    fn via_json<T: DeserializeOwned>(text: &str) -> Result<T, String> {
        serde_json::from_value(node(text).to_json()).map_err(|e| e.to_string())
    }

    fn direct<T: DeserializeOwned>(text: &str) -> Result<T, String> {
        from_node(&node(text)).map_err(|e| e.to_string())
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Inner {
        date: Option<chrono::NaiveDate>,
        #[serde(default)]
        notes: Vec<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Doc {
        name: String,
        year: i32,
        #[serde(default)]
        ratio: Option<f64>,
        #[serde(default)]
        flag: bool,
        #[serde(default)]
        inner: Option<Inner>,
        #[serde(default)]
        items: Vec<Inner>,
        #[serde(default)]
        by: Option<crate::load::model::RequestedBy>,
    }

    #[test]
    fn reads_as_the_json_copy_did_and_fails_in_the_same_words() {
        let texts = [
            "name: Aisha\nyear: 5\n",
            "name: Aisha\nyear: 5\nratio: 0.5\nflag: true\nby: parent\n",
            "name: Aisha\nyear: 5\ninner:\n  date:\n  notes:\n",
            "name: Aisha\nyear: 5\ninner:\n  date: 2025-09-08\n  notes: [a, b]\n",
            "name: Aisha\nyear: 5\nitems:\n  - date: 2025-09-08\n  - notes: [c]\n",
            "name: 7700900731\nyear: 5\n",
            "name: Aisha\nyear: five\n",
            "name: Aisha\nyear: -3\n",
            "name: Aisha\nyear: 5000000000\n",
            "name: Aisha\nyear: 5.5\n",
            "name: Aisha\nyear: .nan\n",
            "name: Aisha\nyear: 5\nby: teacher\n",
            "name: Aisha\nyear: 5\nby: [school]\n",
            "name: Aisha\nyear: 5\nby: {a: 1, b: 2}\n",
            "name: Aisha\nyear: 5\ninner: 3\n",
            "name: Aisha\nyear: 5\ninner:\n  date: 2025-02-30\n",
            "name: [Aisha]\nyear: 5\n",
            "name: {first: Aisha}\nyear: 5\n",
            "name: ~\nyear: 5\n",
            "name: 1.5\nyear: 5\n",
            "name: 1e20\nyear: 5\n",
            "name: -2.0\nyear: 5\n",
            "name: true\nyear: 5\n",
            "name: Aisha\nyear: 5\nflag: yes\n",
            "year: 5\n",
            "name: Aisha\nyear: 5\nunknown: {deep: [1, 2]}\n",
            "name: Aisha\nyear: 5\nitems: [~]\n",
            "- name\n",
            "just text\n",
        ];
        for text in texts {
            assert_eq!(direct::<Doc>(text), via_json::<Doc>(text), "{text}");
        }
    }

    #[derive(Debug, Deserialize)]
    struct WithPlaces {
        start: Spanned<chrono::NaiveDate>,
        #[serde(default)]
        review: Option<Review>,
        #[serde(default)]
        outcomes: Vec<Spanned<String>>,
    }

    #[derive(Debug, Deserialize)]
    struct Review {
        date: Option<Spanned<chrono::NaiveDate>>,
    }

    #[test]
    fn a_spanned_field_knows_its_place_and_its_path() {
        let text = "kind: plan\nstart: 2025-09-08\nreview:\n  date:   2026-01-12\noutcomes:\n  - read\n  - [x]\n";
        let err = direct::<WithPlaces>(text).unwrap_err();
        assert_eq!(err, "invalid type: sequence, expected a string");
        let text = "kind: plan\nstart: 2025-09-08\nreview:\n  date:   2026-01-12\noutcomes:\n  - read\n  -   write\n";
        let doc: WithPlaces = direct(text).unwrap();
        assert_eq!(
            *doc.start,
            chrono::NaiveDate::from_ymd_opt(2025, 9, 8).unwrap()
        );
        assert_eq!(doc.start.pos, Pos { line: 2, column: 8 });
        assert_eq!(doc.start.key_pos, Pos { line: 2, column: 1 });
        assert_eq!(doc.start.path, "/start");
        let date = doc.review.unwrap().date.unwrap();
        assert_eq!(date.path, "/review/date");
        assert_eq!(
            date.pos,
            Pos {
                line: 4,
                column: 11
            }
        );
        assert_eq!(date.key_pos, Pos { line: 4, column: 3 });
        assert_eq!(doc.outcomes[1].path, "/outcomes/1");
        assert_eq!(doc.outcomes[1].value, "write");
        assert_eq!(doc.outcomes[1].pos, Pos { line: 7, column: 7 });
        // The place is the one a pointer lookup gives, so findings land where they did.
        let root = node(text);
        assert_eq!(root.locate(&date.path, false), date.pos);
        assert_eq!(root.locate(&date.path, true), date.key_pos);
        // A key with `/` or `~` in it is escaped in the path as JSON Pointer says.
        #[derive(Debug, Deserialize)]
        struct Odd {
            #[serde(rename = "a/b~c")]
            field: Spanned<u32>,
        }
        let odd: Odd = direct("a/b~c: 3\n").unwrap();
        assert_eq!(odd.field.path, "/a~1b~0c");
        assert_eq!(*odd.field, 3);
    }

    #[test]
    fn a_spanned_field_reports_a_wrong_value_as_the_plain_one_does() {
        #[derive(Debug, Deserialize)]
        struct Plain {
            #[allow(dead_code)]
            start: chrono::NaiveDate,
        }
        #[derive(Debug, Deserialize)]
        struct WithPlace {
            #[allow(dead_code)]
            start: Spanned<chrono::NaiveDate>,
        }
        for text in ["start: 5\n", "start: soon\n", "start: [a]\n", "other: 1\n"] {
            assert_eq!(
                direct::<WithPlace>(text).unwrap_err(),
                direct::<Plain>(text).unwrap_err(),
                "{text}"
            );
        }
    }

    #[test]
    fn a_spanned_field_cannot_be_read_from_json() {
        assert!(serde_json::from_str::<Spanned<u32>>("3").is_err());
        let s: Spanned<u32> = direct("3\n").unwrap();
        assert_eq!(serde_json::to_string(&s).unwrap(), "3");
    }
}
