//! Stable 128-bit fingerprints of what an output file is made from, so that a rebuild can
//! tell which pages would come out the same without rendering them.
//!
//! A page's key is the hash of its own context, the shared global context and the build's
//! stamp (the program itself and the theme's templates). A context is hashed from the
//! typed values the page code puts into it, as they serialize; a map's entries are hashed
//! apart and combined in sorted order, since a map's order may change from run to run.

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

/// The hash of the running executable, read a piece at a time: reading its 15 MB whole
/// into fresh memory cost more (page faults) than hashing it.
fn executable() -> Option<Key> {
    use std::io::Read;
    let mut file = std::fs::File::open(std::env::current_exe().ok()?).ok()?;
    let mut h = Xxh3::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => h.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(h.digest128())
}

/// Starts working out [`program`] on a thread of its own, so that the build finds it
/// ready when it needs it, after reading the records.
pub(crate) fn program_in_background() {
    std::thread::spawn(program);
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
        if let Some(exe) = executable() {
            h.update(&exe.to_le_bytes());
        }
        h.digest128()
    })
}

/// A page's context before Tera sees it: each value as the page code made it, with its
/// fingerprint. The key is taken from the typed values themselves ([`of_serialize`]), so a
/// rebuild tells an unchanged page without ever making Tera values for it; only a page
/// that must be rendered is turned into a Tera context.
#[derive(Default)]
pub(crate) struct Keyed<'a> {
    /// By name; a later insert of the same name replaces the value, as in a context.
    parts: std::collections::BTreeMap<&'static str, (Key, Box<dyn Part + 'a>)>,
}

/// A value of a context, still typed.
trait Part {
    fn value(&self) -> Value;
}

impl<T: serde::Serialize> Part for T {
    fn value(&self) -> Value {
        Value::from_serializable(self)
    }
}

impl<'a> Keyed<'a> {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Like [`Context::insert`], keeping the value (or the reference) until the context
    /// is needed.
    pub(crate) fn insert<T: serde::Serialize + 'a>(&mut self, name: &'static str, val: T) {
        let key = of_serialize(&val);
        self.parts.insert(name, (key, Box::new(val)));
    }

    /// The fingerprint of everything inserted.
    pub(crate) fn key(&self) -> Key {
        let mut h = Xxh3::new();
        for (name, (key, _)) in &self.parts {
            h.update(name.as_bytes());
            h.update(&[0xff]);
            h.update(&key.to_le_bytes());
        }
        h.digest128()
    }

    /// The Tera context of everything inserted.
    pub(crate) fn into_context(self) -> Context {
        let mut context = Context::new();
        for (name, (_, part)) in self.parts {
            context.insert_value(name, part.value());
        }
        context
    }

    /// The context itself, and its key.
    pub(crate) fn into_parts(self) -> (Context, Key) {
        let key = self.key();
        (self.into_context(), key)
    }
}

/// The fingerprint of a value as it serializes, without making a Tera value of it: maps
/// are hashed whatever the order of their entries; everything else in the order it comes.
/// Two values that would give Tera different values always have different streams (each
/// kind is tagged, strings carry their length, sequences and structs end with a mark), so
/// anything a template could show differently changes the key.
pub(crate) fn of_serialize<T: serde::Serialize + ?Sized>(value: &T) -> Key {
    // The stream is gathered and hashed at once: most of its pieces are a few bytes, and
    // one hash of the whole is much cheaper than a streaming update for each.
    let mut stream = Vec::with_capacity(512);
    // A value that cannot be serialized cannot be put into a context either (Tera makes
    // it an error value); its partial stream still differs from any complete one.
    if value.serialize(Feed(&mut stream)).is_err() {
        stream.push(TAG_FAILED);
    }
    xxh3_128(&stream)
}

const TAG_NONE: u8 = 1;
const TAG_BOOL: u8 = 2;
const TAG_UNSIGNED: u8 = 3;
const TAG_SIGNED: u8 = 4;
const TAG_FLOAT: u8 = 7;
const TAG_STRING: u8 = 9;
const TAG_SEQ: u8 = 10;
const TAG_MAP: u8 = 11;
const TAG_BYTES: u8 = 12;
const TAG_NEWTYPE_VARIANT: u8 = 14;
const TAG_TUPLE_VARIANT: u8 = 15;
const TAG_STRUCT: u8 = 16;
const TAG_STRUCT_VARIANT: u8 = 17;
const TAG_FAILED: u8 = 0xfe;
/// Ends a sequence or a struct: no value starts with it.
const TAG_END: u8 = 0xee;

#[derive(Debug)]
struct FeedError(String);

impl std::fmt::Display for FeedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FeedError {}

impl serde::ser::Error for FeedError {
    fn custom<M: std::fmt::Display>(msg: M) -> Self {
        FeedError(msg.to_string())
    }
}

/// A serializer that writes the stream to be hashed.
struct Feed<'h>(&'h mut Vec<u8>);

impl Feed<'_> {
    fn tagged(&mut self, tag: u8, bytes: &[u8]) {
        self.0.push(tag);
        self.0.extend_from_slice(bytes);
    }
}

/// Length first, so that two strings never hash as their concatenation.
fn put_text(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// A sequence or struct being fed: its items go into the same hash, then an end mark and
/// the count.
struct Items<'h> {
    h: &'h mut Vec<u8>,
    count: u64,
}

impl Items<'_> {
    fn item<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> Result<(), FeedError> {
        self.count += 1;
        value.serialize(Feed(self.h))
    }

    fn field<T: serde::Serialize + ?Sized>(
        &mut self,
        name: &str,
        value: &T,
    ) -> Result<(), FeedError> {
        put_text(self.h, name);
        self.item(value)
    }

    fn end(self) -> Result<(), FeedError> {
        self.h.push(TAG_END);
        self.h.extend_from_slice(&self.count.to_le_bytes());
        Ok(())
    }
}

/// A map being fed: each entry hashed apart, the entries combined in sorted order.
struct Entries<'h> {
    h: &'h mut Vec<u8>,
    entries: Vec<Key>,
    /// The entry being serialized: its key, then its value.
    open: Vec<u8>,
}

impl serde::ser::SerializeMap for Entries<'_> {
    type Ok = ();
    type Error = FeedError;

    fn serialize_key<T: serde::Serialize + ?Sized>(&mut self, key: &T) -> Result<(), FeedError> {
        self.open.clear();
        key.serialize(Feed(&mut self.open))
    }

    fn serialize_value<T: serde::Serialize + ?Sized>(
        &mut self,
        value: &T,
    ) -> Result<(), FeedError> {
        value.serialize(Feed(&mut self.open))?;
        self.entries.push(xxh3_128(&self.open));
        self.open.clear();
        Ok(())
    }

    fn end(mut self) -> Result<(), FeedError> {
        self.entries.sort_unstable();
        self.h
            .extend_from_slice(&(self.entries.len() as u64).to_le_bytes());
        for e in &self.entries {
            self.h.extend_from_slice(&e.to_le_bytes());
        }
        Ok(())
    }
}

macro_rules! items_impl {
    ($trait:ident, $method:ident) => {
        impl serde::ser::$trait for Items<'_> {
            type Ok = ();
            type Error = FeedError;

            fn $method<T: serde::Serialize + ?Sized>(
                &mut self,
                value: &T,
            ) -> Result<(), FeedError> {
                self.item(value)
            }

            fn end(self) -> Result<(), FeedError> {
                Items::end(self)
            }
        }
    };
}

items_impl!(SerializeSeq, serialize_element);
items_impl!(SerializeTuple, serialize_element);
items_impl!(SerializeTupleStruct, serialize_field);
items_impl!(SerializeTupleVariant, serialize_field);

macro_rules! fields_impl {
    ($trait:ident) => {
        impl serde::ser::$trait for Items<'_> {
            type Ok = ();
            type Error = FeedError;

            fn serialize_field<T: serde::Serialize + ?Sized>(
                &mut self,
                name: &'static str,
                value: &T,
            ) -> Result<(), FeedError> {
                self.field(name, value)
            }

            fn end(self) -> Result<(), FeedError> {
                Items::end(self)
            }
        }
    };
}

fields_impl!(SerializeStruct);
fields_impl!(SerializeStructVariant);

impl<'h> serde::Serializer for Feed<'h> {
    type Ok = ();
    type Error = FeedError;
    type SerializeSeq = Items<'h>;
    type SerializeTuple = Items<'h>;
    type SerializeTupleStruct = Items<'h>;
    type SerializeTupleVariant = Items<'h>;
    type SerializeMap = Entries<'h>;
    type SerializeStruct = Items<'h>;
    type SerializeStructVariant = Items<'h>;

    fn serialize_bool(mut self, v: bool) -> Result<(), FeedError> {
        self.tagged(TAG_BOOL, &[u8::from(v)]);
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), FeedError> {
        self.serialize_i128(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), FeedError> {
        self.serialize_i128(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), FeedError> {
        self.serialize_i128(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), FeedError> {
        self.serialize_i128(v.into())
    }
    fn serialize_i128(mut self, v: i128) -> Result<(), FeedError> {
        self.tagged(TAG_SIGNED, &v.to_le_bytes());
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), FeedError> {
        self.serialize_u128(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), FeedError> {
        self.serialize_u128(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), FeedError> {
        self.serialize_u128(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), FeedError> {
        self.serialize_u128(v.into())
    }
    fn serialize_u128(mut self, v: u128) -> Result<(), FeedError> {
        self.tagged(TAG_UNSIGNED, &v.to_le_bytes());
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), FeedError> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(mut self, v: f64) -> Result<(), FeedError> {
        self.tagged(TAG_FLOAT, &v.to_bits().to_le_bytes());
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), FeedError> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), FeedError> {
        self.0.push(TAG_STRING);
        put_text(self.0, v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), FeedError> {
        self.0.push(TAG_BYTES);
        self.0.extend_from_slice(&(v.len() as u64).to_le_bytes());
        self.0.extend_from_slice(v);
        Ok(())
    }
    fn serialize_none(mut self) -> Result<(), FeedError> {
        self.tagged(TAG_NONE, &[]);
        Ok(())
    }
    fn serialize_some<T: serde::Serialize + ?Sized>(self, value: &T) -> Result<(), FeedError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), FeedError> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), FeedError> {
        self.serialize_none()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), FeedError> {
        // Tera sees the variant's name as a string.
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: serde::Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), FeedError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: serde::Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), FeedError> {
        self.0.push(TAG_NEWTYPE_VARIANT);
        put_text(self.0, variant);
        value.serialize(self)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Items<'h>, FeedError> {
        self.0.push(TAG_SEQ);
        Ok(Items {
            h: self.0,
            count: 0,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Items<'h>, FeedError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Items<'h>, FeedError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Items<'h>, FeedError> {
        self.0.push(TAG_TUPLE_VARIANT);
        put_text(self.0, variant);
        Ok(Items {
            h: self.0,
            count: 0,
        })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Entries<'h>, FeedError> {
        self.0.push(TAG_MAP);
        Ok(Entries {
            h: self.0,
            entries: Vec::with_capacity(len.unwrap_or(0)),
            open: Vec::new(),
        })
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Items<'h>, FeedError> {
        self.0.push(TAG_STRUCT);
        Ok(Items {
            h: self.0,
            count: 0,
        })
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Items<'h>, FeedError> {
        self.0.push(TAG_STRUCT_VARIANT);
        put_text(self.0, variant);
        Ok(Items {
            h: self.0,
            count: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, HashMap};

    #[test]
    fn a_map_has_one_key_whatever_its_order() {
        // HashMaps iterate in a different order per instance; the key must not.
        let keys: Vec<Key> = (0..20)
            .map(|_| {
                let m: HashMap<String, u32> = (0..50).map(|i| (format!("k{i}"), i)).collect();
                of_serialize(&m)
            })
            .collect();
        assert!(keys.windows(2).all(|w| w[0] == w[1]));
        let sorted: BTreeMap<String, u32> = (0..50).map(|i| (format!("k{i}"), i)).collect();
        assert_eq!(keys[0], of_serialize(&sorted));
    }

    #[derive(serde::Serialize)]
    struct Row<'a> {
        name: &'a str,
        url: Option<&'a str>,
        tags: Vec<&'a str>,
    }

    #[test]
    fn values_that_render_differently_have_different_keys() {
        assert_ne!(of_serialize(&1u64), of_serialize("1"));
        assert_ne!(of_serialize(&1u64), of_serialize(&1.0f64));
        assert_ne!(of_serialize(&true), of_serialize(&1u8));
        assert_ne!(of_serialize(&None::<u8>), of_serialize(&0u8));
        assert_ne!(of_serialize(&None::<&str>), of_serialize(""));
        assert_ne!(of_serialize(&vec!["a", "b"]), of_serialize(&vec!["ab"]));
        assert_ne!(of_serialize(&vec!["a", "b"]), of_serialize(&vec!["a"]));
        assert_ne!(
            of_serialize(&(vec!["a"], vec!["b"])),
            of_serialize(&(vec!["a", "b"], Vec::<&str>::new()))
        );
        let empty: Vec<u8> = Vec::new();
        let no_map: BTreeMap<u8, u8> = BTreeMap::new();
        assert_ne!(of_serialize(&empty), of_serialize(&no_map));
        let row = |name, url, tags| of_serialize(&Row { name, url, tags });
        let base = row("张三", Some("a/"), vec!["x", "y"]);
        assert_eq!(base, row("张三", Some("a/"), vec!["x", "y"]));
        assert_ne!(base, row("张四", Some("a/"), vec!["x", "y"]));
        assert_ne!(base, row("张三", None, vec!["x", "y"]));
        assert_ne!(base, row("张三", Some("a/"), vec!["y", "x"]));
        assert_ne!(base, row("张三", Some("a/"), vec!["x"]));
        let mut m = BTreeMap::new();
        m.insert("k", 1u32);
        let mut n = BTreeMap::new();
        n.insert("k", 2u32);
        assert_ne!(of_serialize(&m), of_serialize(&n));
        n.insert("k", 1u32);
        n.insert("j", 1u32);
        assert_ne!(of_serialize(&m), of_serialize(&n));

        let mut x = Keyed::new();
        x.insert("name", "张三");
        let mut y = Keyed::new();
        y.insert("name", "张四");
        assert_ne!(x.key(), y.key());
        let mut z = Keyed::new();
        z.insert("title", "张三");
        assert_ne!(x.key(), z.key(), "the name a value is given counts");
    }

    #[test]
    fn the_context_has_every_value_as_tera_would_see_it() {
        let mut x = Keyed::new();
        x.insert("title", "张三");
        x.insert("count", 3u32);
        x.insert("title", "李四");
        let context = x.into_context();
        let tera = tera::Tera::new();
        let out = tera
            .render_str("{{ title }} {{ count }}", &context, false)
            .map_err(|e| e.to_string());
        assert_eq!(
            out.as_deref(),
            Ok("李四 3"),
            "a later insert replaces the value"
        );
    }
}
