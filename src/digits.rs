//! Numbers and dates written as text without `fmt`, for the per-segment and per-claim
//! paths that write many: the generator's elements, the worklist's claim facts.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

/// "00" to "99": two digits per division.
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The decimal digits of `n` at the end of `digits`; returns where they start.
fn digits(mut n: u64, digits: &mut [u8; 20]) -> usize {
    let mut i = digits.len();
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        digits[i..i + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        i -= 2;
        digits[i..i + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        i -= 1;
        digits[i] = b'0' + n as u8;
    }
    i
}

/// `n` in decimal, written into `buf`: the digits, without `fmt` or an allocation.
pub fn u64_in(n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let at = digits(n, buf);
    &buf[at..]
}

/// `n` in decimal, without `fmt`.
pub fn push_u64(out: &mut Vec<u8>, n: u64) {
    let mut buf = [0u8; 20];
    let at = digits(n, &mut buf);
    out.extend_from_slice(&buf[at..]);
}

/// `n` in decimal with at least `width` digits (zeros in front), like `format!("{n:0width$}")`.
pub fn push_padded(out: &mut String, n: u64, width: usize) {
    let mut buf = [0u8; 20];
    let at = digits(n, &mut buf);
    for _ in buf.len() - at..width {
        out.push('0');
    }
    out.extend(buf[at..].iter().map(|&b| char::from(b)));
}

/// `d.normalize().to_string()` (no trailing zeros, no exponent), without `fmt` for the
/// non-negative values whose mantissa fits in 64 bits.
pub fn push_decimal(out: &mut Vec<u8>, d: Decimal) {
    let m = d.mantissa();
    let Ok(mut m) = u64::try_from(m) else {
        out.extend_from_slice(d.normalize().to_string().as_bytes());
        return;
    };
    let mut scale = d.scale();
    if scale > 19 {
        out.extend_from_slice(d.normalize().to_string().as_bytes());
        return;
    }
    while scale > 0 && m % 10 == 0 {
        m /= 10;
        scale -= 1;
    }
    if scale == 0 {
        push_u64(out, m);
        return;
    }
    let pow = 10u64.pow(scale);
    push_u64(out, m / pow);
    out.push(b'.');
    let frac = m % pow;
    let at = out.len();
    push_u64(out, frac);
    let width = out.len() - at;
    for _ in width..scale as usize {
        out.insert(at, b'0');
    }
}

/// `YYYY-MM-DD`, as `d.format("%Y-%m-%d")` writes it.
pub fn iso(d: NaiveDate) -> String {
    let y = d.year();
    if !(0..=9999).contains(&y) {
        return d.format("%Y-%m-%d").to_string();
    }
    let mut s = String::with_capacity(10);
    push_padded(&mut s, y as u64, 4);
    s.push('-');
    push_padded(&mut s, u64::from(d.month()), 2);
    s.push('-');
    push_padded(&mut s, u64::from(d.day()), 2);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The digit writers give what `to_string` gives, at the edges of each digit pair.
    #[test]
    fn digits_as_to_string_writes_them() {
        let mut buf = [0; 20];
        for n in (0..1000).chain([9_999, 10_000, 99_999, 123_456_789, u64::MAX]) {
            assert_eq!(u64_in(n, &mut buf), n.to_string().as_bytes());
            let mut v = Vec::new();
            push_u64(&mut v, n);
            assert_eq!(v, n.to_string().as_bytes());
        }
    }
}
