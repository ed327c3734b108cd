use base64::Engine as _;
use serde::{de::DeserializeOwned, Deserialize, Deserializer, Serialize, Serializer};

use crate::ServiceError;

/// Binary data; base64 in the canonical form, as on every AWS JSON wire.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Blob(pub Vec<u8>);

impl Serialize for Blob {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map(Blob)
            .map_err(serde::de::Error::custom)
    }
}

/// A point in time, as seconds since the Unix epoch (fractions allowed).
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub f64);

impl Timestamp {
    pub fn from_millis(millis: i64) -> Self {
        Timestamp(millis as f64 / 1000.0)
    }

    pub fn millis(self) -> i64 {
        (self.0 * 1000.0).round() as i64
    }
}

/// Canonical form -> typed input. A mismatch is the caller's fault, as AWS reports it.
pub fn decode<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ServiceError> {
    let value = match value {
        serde_json::Value::Null => serde_json::Value::Object(Default::default()),
        other => other,
    };
    serde_json::from_value(value).map_err(|e| ServiceError::serialization(e.to_string()))
}

/// Typed output -> canonical form.
pub fn encode<T: Serialize>(value: T) -> Result<serde_json::Value, ServiceError> {
    serde_json::to_value(value).map_err(|e| ServiceError::internal(e.to_string()))
}

/// A string enum as botocore defines it. Values outside the model land in `Unknown`, so that the
/// service, not the decoder, answers them with AWS's validation message.
#[macro_export]
macro_rules! string_enum {
    ($name:ident { $($variant:ident => $value:literal,)* }) => {
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($variant,)*
            Unknown(::std::string::String),
        }

        impl $name {
            pub const VALUES: &'static [&'static str] = &[$($value),*];

            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $value,)*
                    $name::Unknown(other) => other,
                }
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($value => $name::$variant,)*
                    other => $name::Unknown(other.to_string()),
                }
            }
        }

        impl ::std::default::Default for $name {
            fn default() -> Self {
                $name::Unknown(::std::string::String::new())
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

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                let text = <::std::string::String as ::serde::Deserialize>::deserialize(d)?;
                ::std::result::Result::Ok($name::from(text.as_str()))
            }
        }
    };
}
