//! Enumerations of the API: one exact string per variant, for `Display`, serialization, the
//! database and `FromStr`.

/// `"a"`, `"a" or "b"`, or `one of "a", "b", "c"`: the accepted spellings, for a message.
pub fn accepted(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
    match quoted.as_slice() {
        [one] => one.clone(),
        [a, b] => format!("{a} or {b}"),
        all => format!("one of {}", all.join(", ")),
    }
}

/// An enumeration of the API: each variant has one exact string, shown by `Display` and
/// `as_str`, serialized, stored in the database, and read back by `FromStr`, which refuses any other string
/// with an error that names the accepted ones.
macro_rules! api_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $summary:literal, $noun:literal {
            $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The API (and database) string.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::ipam::Error;
            fn from_str(s: &str) -> ::std::result::Result<$name, $crate::ipam::Error> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err($crate::ipam::Error::invalid(
                        $summary,
                        format!(
                            "{other:?} is not {}. Use {}.",
                            $noun,
                            $crate::ipam::api_enum::accepted(&[$($text),+])
                        ),
                    )),
                }
            }
        }
    };
}
pub(crate) use api_enum;
