//! The package's weight and size, as the warehouse typed them on the packed
//! Item Fulfillment, turned into what Get Eligible Shipping Service and
//! Create Packages take (tiktok-shipping.md §1a: `weight{value, unit
//! GRAM|POUND}`, `dimension{length, width, height, unit CM|INCH}`, values as
//! strings, the three lengths sent together).
//!
//! Which Item Fulfillment fields carry them (tiktok-shipping.md §8):
//! - **Weight**: the standard `package` sublist's `packageWeight` (the
//!   generic package list has only `packageWeight`, `packageDescr`,
//!   `packageTrackingNumber`; SOAP `ItemFulfillmentPackage`). Its unit is the
//!   account's, so the shop names it in [`WEIGHT_UNIT_FIELD`]; with no unit
//!   the package is refused (harsher: a guessed unit buys a wrong label).
//! - **Size**: the generic package list has **no dimension fields**, so
//!   length, width, height and their unit are custom body fields
//!   ([`LENGTH_FIELD`] …), as the doc's recommendation says.
//!
//! Anything missing, zero, negative or not a number is refused with its fix
//! before TikTok is asked (never a label on a guess).

use rust_decimal::Decimal;

/// Custom body field: the unit of `packageWeight` (`lb`, `oz`, `kg`, `g`).
pub const WEIGHT_UNIT_FIELD: &str = "custbody_tts_weight_unit";
/// Custom body field: the package's length.
pub const LENGTH_FIELD: &str = "custbody_tts_pkg_length";
/// Custom body field: the package's width.
pub const WIDTH_FIELD: &str = "custbody_tts_pkg_width";
/// Custom body field: the package's height.
pub const HEIGHT_FIELD: &str = "custbody_tts_pkg_height";
/// Custom body field: the unit of the three lengths (`in`, `cm`, `mm`).
pub const SIZE_UNIT_FIELD: &str = "custbody_tts_pkg_size_unit";

/// What the packed Item Fulfillment carries, as read (strings: NetSuite and
/// people type them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackedMeasures {
    pub weight: Option<String>,
    pub weight_unit: Option<String>,
    pub length: Option<String>,
    pub width: Option<String>,
    pub height: Option<String>,
    pub size_unit: Option<String>,
}

/// TikTok's weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weight {
    pub value: Decimal,
    /// `GRAM` or `POUND`.
    pub unit: &'static str,
}

/// TikTok's dimension (the three lengths together).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dimension {
    pub length: Decimal,
    pub width: Decimal,
    pub height: Decimal,
    /// `CM` or `INCH`.
    pub unit: &'static str,
}

/// Which measure is missing or unusable, named for the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MissingMeasure {
    Weight,
    WeightUnit(String),
    Size(&'static str),
    SizeUnit(String),
}

impl MissingMeasure {
    /// What the warehouse does.
    pub fn fix(&self) -> String {
        match self {
            Self::Weight => "Enter the package's weight (Package weight on the Item Fulfillment's Packages list), then set it to Packed again.".into(),
            Self::WeightUnit(u) => format!("The weight unit '{u}' is not one of lb, oz, kg, g: set {WEIGHT_UNIT_FIELD} on the Item Fulfillment."),
            Self::Size(field) => format!("Enter the package's length, width and height ({field} is missing or not a positive number) on the Item Fulfillment."),
            Self::SizeUnit(u) => format!("The size unit '{u}' is not one of in, cm, mm: set {SIZE_UNIT_FIELD} on the Item Fulfillment."),
        }
    }
}

fn positive(v: Option<&String>) -> Option<Decimal> {
    let d: Decimal = v?.trim().parse().ok()?;
    (d > Decimal::ZERO).then_some(d.normalize())
}

/// The weight and size TikTok takes, or what is missing.
pub fn tiktok_measures(m: &PackedMeasures) -> Result<(Weight, Dimension), MissingMeasure> {
    let w = positive(m.weight.as_ref()).ok_or(MissingMeasure::Weight)?;
    let wu = m.weight_unit.as_deref().unwrap_or_default().trim();
    let weight = match wu.to_ascii_lowercase().as_str() {
        "lb" | "lbs" | "pound" | "pounds" => Weight {
            value: w,
            unit: "POUND",
        },
        "oz" | "ounce" | "ounces" => Weight {
            value: (w / Decimal::from(16)).round_dp(4).normalize(),
            unit: "POUND",
        },
        "kg" | "kilogram" | "kilograms" => Weight {
            value: (w * Decimal::from(1000)).normalize(),
            unit: "GRAM",
        },
        "g" | "gram" | "grams" => Weight {
            value: w,
            unit: "GRAM",
        },
        _ => return Err(MissingMeasure::WeightUnit(wu.into())),
    };
    let length = positive(m.length.as_ref()).ok_or(MissingMeasure::Size(LENGTH_FIELD))?;
    let width = positive(m.width.as_ref()).ok_or(MissingMeasure::Size(WIDTH_FIELD))?;
    let height = positive(m.height.as_ref()).ok_or(MissingMeasure::Size(HEIGHT_FIELD))?;
    let su = m.size_unit.as_deref().unwrap_or_default().trim();
    let (factor, unit) = match su.to_ascii_lowercase().as_str() {
        "in" | "inch" | "inches" => (Decimal::ONE, "INCH"),
        "cm" => (Decimal::ONE, "CM"),
        "mm" => (Decimal::new(1, 1), "CM"),
        _ => return Err(MissingMeasure::SizeUnit(su.into())),
    };
    let dimension = Dimension {
        length: (length * factor).normalize(),
        width: (width * factor).normalize(),
        height: (height * factor).normalize(),
        unit,
    };
    Ok((weight, dimension))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(w: &str, wu: &str, l: &str, s: &str) -> PackedMeasures {
        PackedMeasures {
            weight: Some(w.into()),
            weight_unit: Some(wu.into()),
            length: Some(l.into()),
            width: Some("8".into()),
            height: Some("4".into()),
            size_unit: Some(s.into()),
        }
    }

    #[test]
    fn units_become_tiktoks_and_values_stay_decimal() {
        let (w, d) = tiktok_measures(&m("2.5", "lb", "12", "in")).unwrap();
        assert_eq!((w.value.to_string().as_str(), w.unit), ("2.5", "POUND"));
        assert_eq!((d.length.to_string().as_str(), d.unit), ("12", "INCH"));
        let (w, _) = tiktok_measures(&m("8", "oz", "12", "in")).unwrap();
        assert_eq!(w.value.to_string(), "0.5");
        let (w, d) = tiktok_measures(&m("1.2", "KG", "300", "mm")).unwrap();
        assert_eq!((w.value.to_string().as_str(), w.unit), ("1200", "GRAM"));
        assert_eq!((d.length.to_string().as_str(), d.unit), ("30", "CM"));
    }

    #[test]
    fn missing_zero_or_unitless_measures_are_refused_with_the_field() {
        let mut p = m("2", "lb", "12", "in");
        p.weight = None;
        assert_eq!(tiktok_measures(&p), Err(MissingMeasure::Weight));
        let p = m("0", "lb", "12", "in");
        assert_eq!(tiktok_measures(&p), Err(MissingMeasure::Weight));
        let p = m("2", "", "12", "in");
        assert_eq!(
            tiktok_measures(&p),
            Err(MissingMeasure::WeightUnit(String::new()))
        );
        let p = m("2", "lb", "abc", "in");
        assert_eq!(tiktok_measures(&p), Err(MissingMeasure::Size(LENGTH_FIELD)));
        let p = m("2", "lb", "12", "furlong");
        let e = tiktok_measures(&p).unwrap_err();
        assert!(e.fix().contains(SIZE_UNIT_FIELD), "{}", e.fix());
    }
}
