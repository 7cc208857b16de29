//! Base64 VLQ, as ECMA-426 §"Base64 VLQ" defines it.
//!
//! A value is little-endian groups of 5 bits, each in one Base64 digit whose bit 5 says
//! "more digits follow". The lowest bit of the whole value is the sign. Limits: the
//! magnitude must be below 2^31, and "B" (negative zero) means -2^31.

/// Value of each Base64 digit, or `INVALID` for bytes outside the alphabet.
const DIGIT_VALUE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let alphabet = BASE64_ALPHABET;
    let mut i = 0;
    while i < 64 {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
};

const INVALID: u8 = 0xff;

/// The standard Base64 alphabet (RFC 4648), which VLQ digits use.
pub const BASE64_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Why a VLQ could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VlqError {
    /// The byte at this position is not a Base64 digit.
    InvalidDigit(usize),
    /// The input ended while the continuation bit was set.
    Truncated(usize),
    /// The value does not fit in 32 bits (signed).
    Overflow(usize),
}

/// The Base64 value of `byte`, or 0xff when it is not a Base64 digit: the raw table,
/// for decoders that test several digits at once.
#[inline(always)]
pub(crate) fn digit_or_invalid(byte: u8) -> u8 {
    DIGIT_VALUE[byte as usize]
}

/// The value of each one-digit VLQ (digits 0 to 31), "B" being -2^31.
pub(crate) const ONE_DIGIT_VALUE: [i64; 32] = {
    let mut table = [0i64; 32];
    let mut digit = 0;
    while digit < 32 {
        let magnitude = (digit >> 1) as i64;
        table[digit] = if digit == 1 {
            -(1i64 << 31)
        } else if digit & 1 == 1 {
            -magnitude
        } else {
            magnitude
        };
        digit += 1;
    }
    table
};

/// Returns the Base64 value of `byte`, or `None` when it is not a Base64 digit.
#[inline]
pub fn digit_value(byte: u8) -> Option<u8> {
    let value = DIGIT_VALUE[byte as usize];
    (value != INVALID).then_some(value)
}

/// Decodes one signed VLQ from `bytes` starting at `*pos`, advancing `*pos` past it.
///
/// Leading zero continuation digits ("padded" VLQs) are valid however many there are;
/// only the value's magnitude is limited.
#[inline(always)]
pub fn decode_signed(bytes: &[u8], pos: &mut usize) -> Result<i64, VlqError> {
    // Most values in real maps take one or two digits: decode those inline.
    if let Some(&first) = bytes.get(*pos) {
        let digit = DIGIT_VALUE[first as usize];
        if digit < 0x20 {
            *pos += 1;
            return Ok(signed(u64::from(digit)));
        }
        if digit != INVALID {
            if let Some(&second) = bytes.get(*pos + 1) {
                let next = DIGIT_VALUE[second as usize];
                if next < 0x20 {
                    *pos += 2;
                    return Ok(signed(u64::from(digit & 0x1f) | u64::from(next) << 5));
                }
            }
        }
    }
    decode_signed_general(bytes, pos)
}

/// The signed value of a VLQ's unsigned bits, for values below 2^32 (sign in bit 0).
#[inline(always)]
fn signed(unsigned: u64) -> i64 {
    let magnitude = (unsigned >> 1) as i64;
    match (unsigned & 1 == 1, magnitude) {
        (true, 0) => -(1i64 << 31),
        (true, m) => -m,
        (false, m) => m,
    }
}

/// Any VLQ, with every error case: the unsigned digits (ECMA-426 reads a signed VLQ
/// as an unsigned one whose lowest bit is the sign), then the sign.
#[inline(never)]
fn decode_signed_general(bytes: &[u8], pos: &mut usize) -> Result<i64, VlqError> {
    // Below 2^32, so the magnitude is below 2^31 (`-0` stands for -2^31).
    let unsigned = decode_unsigned(bytes, pos)?;
    Ok(signed(u64::from(unsigned)))
}

#[inline]
fn is_separator(byte: u8) -> bool {
    byte == b',' || byte == b';'
}

/// Decodes one unsigned VLQ (ECMA-426 VLQUnsignedValue: every value bit counts, no
/// sign bit; what `rangeMappings` uses) from `bytes` at `*pos`, advancing `*pos` past
/// it. Values of 2^32 or more are [`VlqError::Overflow`]; leading zero digits are
/// allowed as in signed VLQs.
pub fn decode_unsigned(bytes: &[u8], pos: &mut usize) -> Result<u32, VlqError> {
    let start = *pos;
    let mut value: u64 = 0;
    let mut shift: u32 = 0;
    loop {
        let Some(&byte) = bytes.get(*pos) else {
            return Err(VlqError::Truncated(*pos));
        };
        let digit = DIGIT_VALUE[byte as usize];
        if digit == INVALID {
            return Err(if *pos != start && is_separator(byte) {
                VlqError::Truncated(*pos)
            } else {
                VlqError::InvalidDigit(*pos)
            });
        }
        *pos += 1;
        let payload = u64::from(digit & 0x1f);
        if payload != 0 {
            if shift >= 32 || (payload << shift) >> 32 != 0 {
                return Err(VlqError::Overflow(start));
            }
            value |= payload << shift;
        }
        if digit & 0x20 == 0 {
            return Ok(value as u32);
        }
        shift = shift.saturating_add(5);
    }
}

/// Appends the unsigned VLQ encoding of `value` to `out` (see [`decode_unsigned`]).
pub fn encode_unsigned(value: u32, out: &mut Vec<u8>) {
    encode_digits(u64::from(value), out);
}

/// Appends the VLQ encoding of `value` to `out`.
///
/// `value` must lie in [-2^31 + 1, 2^31 - 1]; -2^31 is written as "B".
pub fn encode_signed(value: i64, out: &mut Vec<u8>) {
    let mut rest: u64 = if value < 0 {
        ((value.unsigned_abs()) << 1) | 1
    } else {
        (value as u64) << 1
    };
    if value == -(1i64 << 31) {
        rest = 1;
    }
    encode_digits(rest, out);
}

/// Appends `rest` as Base64 VLQ digits, five bits each, least significant first.
fn encode_digits(mut rest: u64, out: &mut Vec<u8>) {
    loop {
        let mut digit = (rest & 0x1f) as u8;
        rest >>= 5;
        if rest != 0 {
            digit |= 0x20;
        }
        out.push(BASE64_ALPHABET[digit as usize]);
        if rest == 0 {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(text: &str) -> Result<i64, VlqError> {
        let mut pos = 0;
        let value = decode_signed(text.as_bytes(), &mut pos)?;
        assert_eq!(pos, text.len(), "consumed all of {text}");
        Ok(value)
    }

    #[test]
    fn unsigned_values() {
        let decode = |text: &str| {
            let mut pos = 0;
            let value = decode_unsigned(text.as_bytes(), &mut pos);
            value.map(|v| (v, pos))
        };
        assert_eq!(decode("A"), Ok((0, 1)));
        assert_eq!(decode("B"), Ok((1, 1)));
        assert_eq!(decode("f"), Ok((31, 1)));
        // "g" continues with 0, "B" adds 1 << 5.
        assert_eq!(decode("gB"), Ok((32, 2)));
        // The continuation bit is masked off the value: "wA" is 16, "/A" 31.
        assert_eq!(decode("wA"), Ok((16, 2)));
        assert_eq!(decode("/A"), Ok((31, 2)));
        assert_eq!(decode("gggggggggA"), Ok((0, 10)));
        assert_eq!(decode("//////D"), Ok((u32::MAX, 7)));
        assert_eq!(decode("//////E"), Err(VlqError::Overflow(0)));
        assert_eq!(decode("g"), Err(VlqError::Truncated(1)));
        assert_eq!(decode("g;"), Err(VlqError::Truncated(1)));
        assert_eq!(decode("%"), Err(VlqError::InvalidDigit(0)));
        for value in [0, 1, 15, 16, 31, 32, 1000, 1 << 20, u32::MAX] {
            let mut out = Vec::new();
            encode_unsigned(value, &mut out);
            let mut pos = 0;
            assert_eq!(decode_unsigned(&out, &mut pos), Ok(value));
            assert_eq!(pos, out.len());
        }
    }

    #[test]
    fn spec_examples() {
        assert_eq!(decode_all("iB"), Ok(17));
        assert_eq!(decode_all("V"), Ok(-10));
        assert_eq!(decode_all("A"), Ok(0));
        assert_eq!(decode_all("B"), Ok(-(1 << 31)));
        assert_eq!(decode_all("C"), Ok(1));
        assert_eq!(decode_all("D"), Ok(-1));
    }

    #[test]
    fn limits() {
        // 2^31 - 1 encodes as the unsigned value 2^32 - 2.
        let mut max = Vec::new();
        encode_signed((1 << 31) - 1, &mut max);
        assert_eq!(
            decode_all(std::str::from_utf8(&max).unwrap()),
            Ok((1 << 31) - 1)
        );
        let mut min = Vec::new();
        encode_signed(-((1 << 31) - 1), &mut min);
        assert_eq!(
            decode_all(std::str::from_utf8(&min).unwrap()),
            Ok(-((1 << 31) - 1))
        );
        // 2^31 does not fit.
        assert_eq!(decode_all("ggggggE"), Err(VlqError::Overflow(0)));
        // A set bit past bit 32 does not fit either.
        assert!(matches!(decode_all("gggggggB"), Err(VlqError::Overflow(0))));
    }

    #[test]
    fn padded_long_vlq_is_valid() {
        let padded = format!("i{}A", "g".repeat(500));
        assert_eq!(decode_all(&padded), Ok(1));
    }

    #[test]
    fn errors() {
        let mut pos = 0;
        assert_eq!(decode_signed(b"g", &mut pos), Err(VlqError::Truncated(1)));
        let mut pos = 0;
        assert_eq!(decode_signed(b"g,", &mut pos), Err(VlqError::Truncated(1)));
        let mut pos = 0;
        assert_eq!(
            decode_signed(b"=", &mut pos),
            Err(VlqError::InvalidDigit(0))
        );
        let mut pos = 0;
        assert_eq!(
            decode_signed(b"g=", &mut pos),
            Err(VlqError::InvalidDigit(1))
        );
    }

    #[test]
    fn round_trip() {
        for value in [
            0i64,
            1,
            -1,
            15,
            16,
            -16,
            1000,
            -1000,
            123_456_789,
            -(1 << 31),
        ] {
            let mut out = Vec::new();
            encode_signed(value, &mut out);
            assert_eq!(decode_all(std::str::from_utf8(&out).unwrap()), Ok(value));
        }
    }
}
