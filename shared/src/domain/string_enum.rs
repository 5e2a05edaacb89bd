//! `string_enum!`: the one way this crate writes an enum that travels as a
//! string (order log statuses, error codes, TikTok statuses).
//!
//! Each such enum keeps an `Unknown(String)` fallback, so a value written by a
//! newer version (or a status TikTok adds) is kept and shown, never rejected
//! or silently mapped to something else. The macro generates `ALL`,
//! `as_str`, `parse` (with optional extra spellings per variant), `Display`
//! and string (de)serialization.

/// Declares a string-backed enum with an `Unknown(String)` fallback.
///
/// ```
/// shared::string_enum! {
///     /// Doc.
///     pub enum Colour {
///         Red = "RED",
///         /// Grey is also spelled GRAY.
///         Grey = "GREY" | "GRAY",
///     }
/// }
/// assert_eq!(Colour::parse("GRAY"), Colour::Grey);
/// assert_eq!(Colour::parse("BLUE").as_str(), "BLUE");
/// ```
#[macro_export]
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept as it was written.
            Unknown(String),
        }

        impl $name {
            /// Every known value, in declaration order.
            pub const ALL: &'static [$name] = &[$( $name::$variant ),+];

            /// The canonical spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )+
                    Self::Unknown(s) => s,
                }
            }

            /// Reads the canonical spelling or an alias; anything else is `Unknown`.
            pub fn parse(s: &str) -> Self {
                match s {
                    $( $text $(| $alias)* => Self::$variant, )+
                    other => Self::Unknown(other.to_string()),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as ::serde::Deserialize>::deserialize(d)?;
                Ok(Self::parse(&s))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::string_enum! {
        enum Sample {
            One = "ONE",
            Two = "TWO" | "2",
        }
    }

    #[test]
    fn round_trip_alias_and_unknown() {
        for v in Sample::ALL {
            assert_eq!(&Sample::parse(v.as_str()), v);
        }
        assert_eq!(Sample::parse("2"), Sample::Two);
        assert_eq!(Sample::parse("THREE"), Sample::Unknown("THREE".into()));
        assert_eq!(serde_json::to_string(&Sample::Two).unwrap(), "\"TWO\"");
        let back: Sample = serde_json::from_str("\"NEW\"").unwrap();
        assert_eq!(back.as_str(), "NEW");
        assert_eq!(Sample::One.to_string(), "ONE");
    }
}
