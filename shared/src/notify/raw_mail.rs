//! A MIME message with an HTML body, its plain-text twin and attachments,
//! sent through SES v2 `SendEmail` with `Content.Raw` (the only way SES
//! sends attachments; the IAM action is `ses:SendRawEmail`).
//!
//! Layout (RFC 2046): `multipart/mixed` holding a `multipart/alternative`
//! (text/plain then text/html, the last being the preferred one) followed
//! by one part per attachment. A part that is plain ASCII in CRLF lines of
//! at most 998 octets goes as `7bit` (RFC 2045 §2.7: the text itself; a
//! large CSV then costs its own size, not a third more, in the message and
//! again in SES's request); anything else is base64 (RFC 2045 §6.8, lines
//! of 76 characters), so any UTF-8 and any line length travel safely; the
//! subject is an RFC 2047 encoded word when it is not ASCII.

use base64::Engine as _;

use crate::store::aws::describe;

/// One attached file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEmail {
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachments: Vec<Attachment>,
}

/// Base64 characters a part of `len` bytes takes, with its CRLFs.
fn b64_len(len: usize) -> usize {
    let chars = len.div_ceil(3) * 4;
    chars + chars.div_ceil(76) * 2
}

/// Whether `data` may travel as `7bit` (RFC 2045 §2.7, RFC 5322 §2.1.1):
/// ASCII without NUL, CR and LF only as CRLF pairs, lines of at most 998
/// octets. A line starting with `--` is refused too, so no line of the
/// data can be read as a boundary.
fn is_7bit(data: &[u8]) -> bool {
    let mut line = 0usize;
    let mut prev = 0u8;
    for (i, &b) in data.iter().enumerate() {
        match b {
            0 | 128..=255 => return false,
            b'\r' if data.get(i + 1) != Some(&b'\n') => return false,
            b'\n' if prev != b'\r' => return false,
            b'\n' => line = 0,
            b'-' if line == 0 && data.get(i + 1) == Some(&b'-') => return false,
            b'\r' => {}
            _ => {
                line += 1;
                if line > 998 {
                    return false;
                }
            }
        }
        prev = b;
    }
    true
}

/// Appends a part's transfer-encoding header, the blank line and its data.
fn push_part_data(out: &mut String, data: &[u8]) {
    if is_7bit(data) {
        out.push_str("Content-Transfer-Encoding: 7bit\r\n\r\n");
        // ASCII was checked byte by byte just above.
        out.push_str(std::str::from_utf8(data).unwrap_or_default());
        // The CRLF before the next boundary belongs to the boundary
        // (RFC 2046 §5.1.1), so the part is `data` to the last octet.
        out.push_str("\r\n");
    } else {
        out.push_str("Content-Transfer-Encoding: base64\r\n\r\n");
        push_b64_lines(out, data);
    }
}

/// Octets a part takes in the message (either encoding).
fn part_len(data: &[u8]) -> usize {
    if is_7bit(data) {
        data.len() + 2
    } else {
        b64_len(data.len())
    }
}

/// Appends `data` in base64, lines of 76 characters (57 bytes each), to
/// `out` directly: no whole-part copy in between, so a 10 MB attachment
/// costs its encoded size once and not three times.
fn push_b64_lines(out: &mut String, data: &[u8]) {
    let engine = &base64::engine::general_purpose::STANDARD;
    for chunk in data.chunks(57) {
        engine.encode_string(chunk, out);
        out.push_str("\r\n");
    }
}

fn header_text(s: &str) -> String {
    // No line breaks in a header, whatever the caller passed.
    let s: String = s.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    if s.is_ascii() {
        s
    } else {
        format!(
            "=?UTF-8?B?{}?=",
            base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
        )
    }
}

/// A file name safe inside a quoted header parameter.
fn filename(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\')
        .collect()
}

impl RawEmail {
    /// The whole message, headers and body, with CRLF line ends.
    pub fn to_mime(&self, boundary_seed: &str) -> Vec<u8> {
        let mixed = format!("mixed-{boundary_seed}");
        let alt = format!("alt-{boundary_seed}");
        // Sized once: the encoded parts plus headers, so the buffer is not
        // regrown (and briefly held twice) while attachments are encoded.
        let parts: usize = [self.text.as_bytes(), self.html.as_bytes()]
            .into_iter()
            .chain(self.attachments.iter().map(|a| &a.data[..]))
            .map(part_len)
            .sum();
        let mut m = String::with_capacity(parts + 4096 + self.subject.len() * 2);
        m.push_str(&format!("From: {}\r\n", header_text(&self.from)));
        m.push_str(&format!("To: {}\r\n", header_text(&self.to.join(", "))));
        m.push_str(&format!("Subject: {}\r\n", header_text(&self.subject)));
        m.push_str("MIME-Version: 1.0\r\n");
        m.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"{mixed}\"\r\n\r\n"
        ));
        m.push_str(&format!("--{mixed}\r\n"));
        m.push_str(&format!(
            "Content-Type: multipart/alternative; boundary=\"{alt}\"\r\n\r\n"
        ));
        for (ty, body) in [("text/plain", &self.text), ("text/html", &self.html)] {
            m.push_str(&format!("--{alt}\r\n"));
            m.push_str(&format!("Content-Type: {ty}; charset=UTF-8\r\n"));
            push_part_data(&mut m, body.as_bytes());
        }
        m.push_str(&format!("--{alt}--\r\n"));
        for a in &self.attachments {
            let name = filename(&a.filename);
            m.push_str(&format!("--{mixed}\r\n"));
            m.push_str(&format!(
                "Content-Type: {}; name=\"{name}\"\r\n",
                a.content_type
            ));
            m.push_str(&format!(
                "Content-Disposition: attachment; filename=\"{name}\"\r\n"
            ));
            push_part_data(&mut m, &a.data);
        }
        m.push_str(&format!("--{mixed}--\r\n"));
        m.into_bytes()
    }

    /// Sends it through SES v2 (`Content.Raw`); returns SES's message id.
    /// Takes the message: its parts are dropped once the MIME text is
    /// built, before the SDK encodes that text again for the request.
    pub async fn send(self, client: &aws_sdk_sesv2::Client) -> Result<String, String> {
        use aws_sdk_sesv2::primitives::Blob;
        use aws_sdk_sesv2::types::{Destination, EmailContent, RawMessage};
        if self.to.is_empty() {
            return Err("no recipients: set payouts.finance_emails".into());
        }
        let seed = format!("{:016x}", rand::random::<u64>());
        let mime = self.to_mime(&seed);
        let Self { from, to, .. } = self;
        let raw = RawMessage::builder()
            .data(Blob::new(mime))
            .build()
            .map_err(|e| e.to_string())?;
        let out = client
            .send_email()
            .from_email_address(&from)
            .destination(Destination::builder().set_to_addresses(Some(to)).build())
            .content(EmailContent::builder().raw(raw).build())
            .send()
            .await
            .map_err(|e| describe(&e))?;
        Ok(out.message_id().unwrap_or_default().to_string())
    }
}

/// Reads a MIME message back (tests, the demo, the CLI): the decoded parts
/// as (content type, file name, bytes). Only the layout [`RawEmail`] writes
/// is understood.
pub fn parse_parts(mime: &str) -> Vec<(String, Option<String>, Vec<u8>)> {
    let mut out = Vec::new();
    for part in mime.split("\r\n--") {
        let Some((head, body)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let ty = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Type: "))
            .map(|t| t.split(';').next().unwrap_or_default().trim().to_string());
        let Some(ty) = ty.filter(|t| !t.starts_with("multipart/")) else {
            continue;
        };
        let name = head
            .split("filename=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(str::to_string);
        if head.contains("Content-Transfer-Encoding: 7bit") {
            out.push((ty, name, body.as_bytes().to_vec()));
            continue;
        }
        if !head.contains("Content-Transfer-Encoding: base64") {
            continue;
        }
        let data: String = body.lines().take_while(|l| !l.starts_with("--")).collect();
        if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data.trim()) {
            out.push((ty, name, bytes));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_carries_both_bodies_and_each_attachment_and_reads_back() {
        let e = RawEmail {
            from: "payouts@example.com".into(),
            to: vec!["finance@example.com".into(), "cfo@example.com".into()],
            subject: "TikTok statement 1 – ready\r\nBcc: x@evil".into(),
            text: "Total 79.49".into(),
            html: "<p>Total <b>79.49</b></p>".into(),
            attachments: vec![Attachment {
                filename: "transactions-1.csv".into(),
                content_type: "text/csv".into(),
                data: b"a,b\r\n1,2\r\n".to_vec(),
            }],
        };
        let mime = String::from_utf8(e.to_mime("x")).unwrap();
        assert!(
            mime.contains("Subject: =?UTF-8?B?"),
            "non-ASCII subject encoded"
        );
        assert!(!mime.contains("\r\nBcc:"), "no header injection");
        assert!(mime.contains("To: finance@example.com, cfo@example.com\r\n"));
        let parts = parse_parts(&mime);
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].0, "text/plain");
        assert_eq!(parts[1].2, b"<p>Total <b>79.49</b></p>");
        assert_eq!(parts[2].1.as_deref(), Some("transactions-1.csv"));
        assert_eq!(parts[2].2, b"a,b\r\n1,2\r\n");
    }

    #[test]
    fn ascii_csv_goes_as_7bit_and_anything_else_as_base64() {
        assert!(is_7bit(b"a,b\r\n1,2\r\n"));
        assert!(is_7bit(b"no final line end"));
        assert!(!is_7bit("caf\u{e9}\r\n".as_bytes()), "not ASCII");
        assert!(!is_7bit(b"a\nb\r\n"), "bare LF");
        assert!(!is_7bit(b"a\rb\r\n"), "bare CR");
        assert!(
            !is_7bit(b"ok\r\n--mixed-x\r\n"),
            "a line that could be a boundary"
        );
        assert!(is_7bit(b"a,-1.00,--\r\n"), "dashes inside a line are fine");
        assert!(!is_7bit(&[b'x'; 999]), "a line over 998 octets");
        assert!(is_7bit(&[b'x'; 998]));
        let csv = b"id,amount\r\n1,-2.50\r\n".to_vec();
        let e = RawEmail {
            from: "a@example.com".into(),
            to: vec!["b@example.com".into()],
            subject: "s".into(),
            text: "t".into(),
            html: "caf\u{e9}".into(),
            attachments: vec![Attachment {
                filename: "x.csv".into(),
                content_type: "text/csv".into(),
                data: csv.clone(),
            }],
        };
        let mime = String::from_utf8(e.to_mime("x")).unwrap();
        assert!(
            mime.contains("Content-Transfer-Encoding: 7bit\r\n\r\nid,amount\r\n"),
            "{mime}"
        );
        let parts = parse_parts(&mime);
        assert_eq!(
            parts[1].2,
            "caf\u{e9}".as_bytes(),
            "the non-ASCII body as base64"
        );
        assert_eq!(parts[2].2, csv, "the CSV to the last octet");
        assert!(mime.len() <= e.to_mime("x").capacity());
    }

    #[test]
    fn base64_lines_are_76_characters_and_the_size_is_known_in_advance() {
        for len in [0, 1, 56, 57, 58, 114, 1_000, 10_001] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 % 256) as u8).collect();
            let mut out = String::new();
            push_b64_lines(&mut out, &data);
            assert_eq!(out.len(), b64_len(len), "{len} bytes");
            assert!(out.split("\r\n").all(|l| l.len() <= 76), "{len} bytes");
            let joined: String = out.split("\r\n").collect();
            let back = base64::engine::general_purpose::STANDARD
                .decode(joined)
                .unwrap();
            assert_eq!(back, data);
        }
    }
}
