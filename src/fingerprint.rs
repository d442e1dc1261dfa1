//! Stable 128-bit fingerprints of what an output file is made from, so that a rebuild can
//! tell which pages would come out the same without rendering them.
//!
//! A page's key is the hash of its own context, the shared global context and the build's
//! stamp (the program itself and the theme's templates). Tera keeps maps in hash maps
//! whose order changes from run to run, so contexts are hashed by walking their values,
//! each map's entries hashed apart and combined in sorted order.

use std::sync::OnceLock;

use tera::{Context, Value};
use xxhash_rust::xxh3::{Xxh3, xxh3_128};

/// A fingerprint: xxh3-128. Not a secret and not a defence against someone crafting
/// collisions; it only has to tell a changed input from an unchanged one.
pub type Key = u128;

/// The hash of some bytes, as output files are compared.
pub fn of_bytes(bytes: &[u8]) -> Key {
    xxh3_128(bytes)
}

/// Combines fingerprints in the order given.
pub(crate) fn combine(parts: &[Key]) -> Key {
    let mut h = Xxh3::new();
    for p in parts {
        h.update(&p.to_le_bytes());
    }
    h.digest128()
}

/// The program that renders: its version and, when it can be read, its own executable,
/// so that a rebuild after an upgrade (or any change to the code) renders everything again.
pub(crate) fn program() -> Key {
    static PROGRAM: OnceLock<Key> = OnceLock::new();
    *PROGRAM.get_or_init(|| {
        let mut h = Xxh3::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        if let Ok(bytes) = std::env::current_exe().and_then(std::fs::read) {
            h.update(&of_bytes(&bytes).to_le_bytes());
        }
        h.digest128()
    })
}

/// A Tera context that also keeps the fingerprint of every value put into it.
#[derive(Default)]
pub(crate) struct Keyed {
    context: Context,
    /// By name; a later insert of the same name replaces the value, as in the context.
    parts: std::collections::BTreeMap<&'static str, Key>,
}

impl Keyed {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Like [`Context::insert`].
    pub(crate) fn insert<T: serde::Serialize + ?Sized>(&mut self, name: &'static str, val: &T) {
        let value = Value::from_serializable(val);
        self.parts.insert(name, of_value(&value));
        self.context.insert_value(name, value);
    }

    /// The fingerprint of everything inserted.
    pub(crate) fn key(&self) -> Key {
        let mut h = Xxh3::new();
        for (name, key) in &self.parts {
            h.update(name.as_bytes());
            h.update(&[0xff]);
            h.update(&key.to_le_bytes());
        }
        h.digest128()
    }

    /// The context itself, and its key.
    pub(crate) fn into_parts(self) -> (Context, Key) {
        let key = self.key();
        (self.context, key)
    }
}

/// The fingerprint of a template value, whatever the order of its maps.
pub(crate) fn of_value(value: &Value) -> Key {
    let mut h = Xxh3::new();
    feed(&mut h, value);
    h.digest128()
}

fn feed(h: &mut Xxh3, value: &Value) {
    use tera::value::ValueKind as K;
    let kind = value.kind();
    // Each kind is tagged, so that "1" and 1, or [] and {}, differ.
    let tag: u8 = match kind {
        K::Undefined => 0,
        K::None => 1,
        K::Bool => 2,
        K::U64 => 3,
        K::I64 => 4,
        K::U128 => 5,
        K::I128 => 6,
        K::F64 => 7,
        K::String if value.is_safe() => 8,
        K::String => 9,
        K::Array => 10,
        K::Map => 11,
        K::Bytes => 12,
        // A kind added by a later Tera: its text, tagged apart.
        _ => 13,
    };
    h.update(&[tag]);
    match kind {
        K::Undefined | K::None => {}
        K::Bool => h.update(&[u8::from(value.as_bool() == Some(true))]),
        K::U64 | K::I64 | K::U128 | K::I128 => {
            let n = value
                .as_i128()
                .map(|n| n.to_le_bytes())
                .or_else(|| value.as_u128().map(|n| n.to_le_bytes()))
                .unwrap_or_default();
            h.update(&n);
        }
        K::F64 => h.update(&value.as_f64().unwrap_or_default().to_bits().to_le_bytes()),
        K::String => text(h, value.as_str().unwrap_or_default()),
        K::Bytes => text_bytes(h, value.as_bytes().unwrap_or_default()),
        K::Array => {
            let items = value.as_array().unwrap_or_default();
            h.update(&(items.len() as u64).to_le_bytes());
            for item in items {
                feed(h, item);
            }
        }
        K::Map => {
            let mut entries: Vec<Key> = value
                .as_map()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| {
                            let mut e = Xxh3::new();
                            match k.as_str() {
                                Some(s) => text(&mut e, s),
                                None => {
                                    e.update(&[1]);
                                    text(&mut e, &k.to_string());
                                }
                            }
                            feed(&mut e, v);
                            e.digest128()
                        })
                        .collect()
                })
                .unwrap_or_default();
            entries.sort_unstable();
            h.update(&(entries.len() as u64).to_le_bytes());
            for e in entries {
                h.update(&e.to_le_bytes());
            }
        }
        _ => text(h, &value.to_string()),
    }
}

fn text(h: &mut Xxh3, s: &str) {
    text_bytes(h, s.as_bytes());
}

/// Length first, so that two strings never hash as their concatenation.
fn text_bytes(h: &mut Xxh3, b: &[u8]) {
    h.update(&(b.len() as u64).to_le_bytes());
    h.update(b);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn a_map_has_one_key_whatever_its_order() {
        // HashMaps iterate in a different order per instance; the key must not.
        let keys: Vec<Key> = (0..20)
            .map(|_| {
                let m: HashMap<String, u32> = (0..50).map(|i| (format!("k{i}"), i)).collect();
                of_value(&Value::from_serializable(&m))
            })
            .collect();
        assert!(keys.windows(2).all(|w| w[0] == w[1]));
    }

    #[test]
    fn values_that_render_differently_have_different_keys() {
        let k = |v: &Value| of_value(v);
        let one = Value::from_serializable(&1u64);
        let one_text = Value::from_serializable("1");
        assert_ne!(k(&one), k(&one_text));
        assert_ne!(
            k(&Value::normal_string("<b>")),
            k(&Value::safe_string("<b>"))
        );
        let ab = Value::from_serializable(&vec!["a", "b"]);
        let a_b = Value::from_serializable(&vec!["ab"]);
        assert_ne!(k(&ab), k(&a_b));

        let mut x = Keyed::new();
        x.insert("name", "张三");
        let mut y = Keyed::new();
        y.insert("name", "张四");
        assert_ne!(x.key(), y.key());
        let mut z = Keyed::new();
        z.insert("title", "张三");
        assert_ne!(x.key(), z.key(), "the name a value is given counts");
    }
}
