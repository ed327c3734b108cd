//! `Content-Encoding: aws-chunked` bodies, which current botocore, the AWS CLI and SDK v3 send for
//! S3 uploads (`x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER` or
//! `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`):
//!
//! ```text
//! <hex size>[;chunk-signature=<sig>]\r\n<data>\r\n ... 0[;chunk-signature=<sig>]\r\n
//! [x-amz-checksum-crc32:<b64>\r\n ...]\r\n
//! ```
//!
//! Chunk signatures are not verified, as no signature is.

use crate::util::header;
use crate::HttpRequest;

pub(crate) fn is_aws_chunked(request: &HttpRequest) -> bool {
    let encoded = header(request, "content-encoding").is_some_and(|e| {
        e.split(',')
            .any(|p| p.trim().eq_ignore_ascii_case("aws-chunked"))
    });
    let streaming = header(request, "x-amz-content-sha256")
        .is_some_and(|s| s.starts_with("STREAMING-") && s != "STREAMING-UNSIGNED-PAYLOAD");
    encoded || streaming
}

/// The decoded payload and the trailing headers (names lower-cased).
pub(crate) type Decoded = (Vec<u8>, Vec<(String, String)>);

fn find_crlf(bytes: &[u8], from: usize) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(2)
        .position(|w| w == b"\r\n")
        .map(|i| from + i)
}

pub(crate) fn decode(body: &[u8]) -> Result<Decoded, String> {
    let mut data = Vec::with_capacity(body.len());
    let mut pos = 0;
    loop {
        let line_end = find_crlf(body, pos).ok_or("chunk header without CRLF")?;
        let line = std::str::from_utf8(&body[pos..line_end]).map_err(|e| e.to_string())?;
        let size_text = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("invalid chunk size {size_text:?}"))?;
        pos = line_end + 2;
        if size == 0 {
            break;
        }
        let end = pos
            .checked_add(size)
            .filter(|&e| e <= body.len())
            .ok_or("chunk longer than body")?;
        data.extend_from_slice(&body[pos..end]);
        pos = end;
        if body.get(pos..pos + 2) == Some(b"\r\n") {
            pos += 2;
        }
    }
    let mut trailers = Vec::new();
    while pos < body.len() {
        // The last trailer line may lack its CRLF.
        let line_end = find_crlf(body, pos).unwrap_or(body.len());
        let line = String::from_utf8_lossy(&body[pos..line_end]);
        pos = line_end + 2;
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            // x-amz-trailer-signature belongs to the signature, not to the object.
            if !name.eq_ignore_ascii_case("x-amz-trailer-signature") {
                trailers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
            }
        }
    }
    Ok((data, trailers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_unsigned_chunks_with_trailer() {
        let body = b"5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
        let (data, trailers) = decode(body).unwrap();
        assert_eq!(data, b"hello world");
        assert_eq!(
            trailers,
            vec![("x-amz-checksum-crc32".into(), "DUoRhQ==".into())]
        );
    }

    #[test]
    fn decodes_signed_chunks() {
        let sig = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
        let body = format!("3;chunk-signature={sig}\r\nabc\r\n0;chunk-signature={sig}\r\n\r\n");
        assert_eq!(decode(body.as_bytes()).unwrap(), (b"abc".to_vec(), vec![]));
        let (_, trailers) = decode(b"0\r\nx-amz-checksum-sha256:abc=").unwrap();
        assert_eq!(
            trailers,
            vec![("x-amz-checksum-sha256".into(), "abc=".into())]
        );
        assert!(decode(b"zz\r\nabc").is_err());
        assert!(decode(b"10\r\nabc\r\n").is_err());
    }
}
