//! A MIME message with an HTML body, its plain-text twin and attachments,
//! sent through SES v2 `SendEmail` with `Content.Raw` (the only way SES
//! sends attachments; the IAM action is `ses:SendRawEmail`).
//!
//! Layout (RFC 2046): `multipart/mixed` holding a `multipart/alternative`
//! (text/plain then text/html, the last being the preferred one) followed
//! by one part per attachment. Bodies and attachments are base64 (RFC 2045
//! §6.8, lines of 76 characters), so any UTF-8 and any line length travel
//! safely; the subject is an RFC 2047 encoded word when it is not ASCII.

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

fn b64_lines(data: &[u8]) -> String {
    let enc = base64::engine::general_purpose::STANDARD.encode(data);
    let mut out = String::with_capacity(enc.len() + enc.len() / 38 + 2);
    for chunk in enc.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push_str("\r\n");
    }
    out
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
        let mut m = String::new();
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
            m.push_str("Content-Transfer-Encoding: base64\r\n\r\n");
            m.push_str(&b64_lines(body.as_bytes()));
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
            m.push_str("Content-Transfer-Encoding: base64\r\n\r\n");
            m.push_str(&b64_lines(&a.data));
        }
        m.push_str(&format!("--{mixed}--\r\n"));
        m.into_bytes()
    }

    /// Sends it through SES v2 (`Content.Raw`); returns SES's message id.
    pub async fn send(&self, client: &aws_sdk_sesv2::Client) -> Result<String, String> {
        use aws_sdk_sesv2::primitives::Blob;
        use aws_sdk_sesv2::types::{Destination, EmailContent, RawMessage};
        if self.to.is_empty() {
            return Err("no recipients: set payouts.finance_emails".into());
        }
        let seed = format!("{:016x}", rand::random::<u64>());
        let raw = RawMessage::builder()
            .data(Blob::new(self.to_mime(&seed)))
            .build()
            .map_err(|e| e.to_string())?;
        let out = client
            .send_email()
            .from_email_address(&self.from)
            .destination(
                Destination::builder()
                    .set_to_addresses(Some(self.to.clone()))
                    .build(),
            )
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
        if !head.contains("Content-Transfer-Encoding: base64") {
            continue;
        }
        let name = head
            .split("filename=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(str::to_string);
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
}
