//! Lambda deployment packages: a small zip reader (the central directory, stored and deflated
//! entries: what `zip`, Finder, Windows and every bundler write; sizes come from the central
//! directory first, so an oversized package is refused before it is inflated) and the writer the
//! playground's editor deploys with.

use std::collections::BTreeMap;

const EOCD_SIGNATURE: u32 = 0x0605_4b50;
const CENTRAL_SIGNATURE: u32 = 0x0201_4b50;
const LOCAL_SIGNATURE: u32 = 0x0403_4b50;

/// One file entry as the central directory describes it.
pub struct Entry {
    pub name: String,
    method: u16,
    compressed_size: usize,
    pub uncompressed_size: u64,
    local_header_offset: usize,
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// The archive's file entries (directories left out), or `None` when it is not a readable zip.
pub fn entries(bytes: &[u8]) -> Option<Vec<Entry>> {
    // The end-of-central-directory record is 22 bytes plus a comment of up to 65535 bytes.
    let earliest = bytes.len().saturating_sub(22 + 65_535);
    let eocd = (earliest..=bytes.len().checked_sub(22)?)
        .rev()
        .find(|&at| u32_at(bytes, at) == Some(EOCD_SIGNATURE))?;
    let count = u16_at(bytes, eocd + 10)? as usize;
    let mut at = u32_at(bytes, eocd + 16)? as usize;
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        if u32_at(bytes, at)? != CENTRAL_SIGNATURE {
            return None;
        }
        let name_len = u16_at(bytes, at + 28)? as usize;
        let extra_len = u16_at(bytes, at + 30)? as usize;
        let comment_len = u16_at(bytes, at + 32)? as usize;
        let name = bytes.get(at + 46..at + 46 + name_len)?;
        let entry = Entry {
            name: String::from_utf8_lossy(name).into_owned(),
            method: u16_at(bytes, at + 10)?,
            compressed_size: u32_at(bytes, at + 20)? as usize,
            uncompressed_size: u64::from(u32_at(bytes, at + 24)?),
            local_header_offset: u32_at(bytes, at + 42)? as usize,
        };
        if !entry.name.ends_with('/') {
            entries.push(entry);
        }
        at += 46 + name_len + extra_len + comment_len;
    }
    Some(entries)
}

/// The content of one entry, or `None` when it is damaged or uses another compression method.
pub fn read(bytes: &[u8], entry: &Entry) -> Option<Vec<u8>> {
    let at = entry.local_header_offset;
    if u32_at(bytes, at)? != LOCAL_SIGNATURE {
        return None;
    }
    let start = at + 30 + u16_at(bytes, at + 26)? as usize + u16_at(bytes, at + 28)? as usize;
    let data = bytes.get(start..start.checked_add(entry.compressed_size)?)?;
    let content = match entry.method {
        0 => data.to_vec(),
        8 => miniz_oxide::inflate::decompress_to_vec_with_limit(
            data,
            entry.uncompressed_size as usize,
        )
        .ok()?,
        _ => return None,
    };
    (content.len() as u64 == entry.uncompressed_size).then_some(content)
}

/// Every file of the archive, path -> content.
pub fn unzip(bytes: &[u8]) -> Option<BTreeMap<String, Vec<u8>>> {
    entries(bytes)?
        .iter()
        .map(|entry| Some((entry.name.clone(), read(bytes, entry)?)))
        .collect()
}

/// The zip checksum (CRC-32, IEEE polynomial, reflected).
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xedb8_8320 & mask);
        }
    }
    !crc
}

/// A zip archive of `files` (path, content), deflated when `deflate`, else stored.
pub fn write<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>, deflate: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let mut count = 0u16;
    for (name, content) in files {
        let (method, data) = if deflate {
            (8u16, miniz_oxide::deflate::compress_to_vec(content, 6))
        } else {
            (0u16, content.to_vec())
        };
        let offset = out.len() as u32;
        let mut header = Vec::new();
        header.extend(20u16.to_le_bytes()); // version needed to extract: 2.0
        header.extend(0u16.to_le_bytes()); // flags
        header.extend(method.to_le_bytes());
        header.extend([0u8; 4]); // modification time and date
        header.extend(crc32(content).to_le_bytes());
        header.extend((data.len() as u32).to_le_bytes());
        header.extend((content.len() as u32).to_le_bytes());
        header.extend((name.len() as u16).to_le_bytes());
        header.extend(0u16.to_le_bytes()); // extra field length
        out.extend(LOCAL_SIGNATURE.to_le_bytes());
        out.extend(&header);
        out.extend(name.as_bytes());
        out.extend(&data);
        central.extend(CENTRAL_SIGNATURE.to_le_bytes());
        central.extend(20u16.to_le_bytes()); // version made by
        central.extend(&header);
        central.extend([0u8; 10]); // comment length, disk, internal and external attributes
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
        count += 1;
    }
    let central_offset = out.len() as u32;
    out.extend(&central);
    out.extend(EOCD_SIGNATURE.to_le_bytes());
    out.extend([0u8; 4]); // disk numbers
    out.extend(count.to_le_bytes());
    out.extend(count.to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(central_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes()); // comment length
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_archives_read_back_stored_and_deflated() {
        let files = [
            ("index.mjs", &b"export const handler = async () => 1;"[..]),
            ("lib/util.js", b""),
        ];
        for deflate in [false, true] {
            let archive = write(files, deflate);
            let back = unzip(&archive).expect("readable zip");
            assert_eq!(back.len(), 2);
            assert_eq!(back["index.mjs"], files[0].1);
            assert_eq!(back["lib/util.js"], b"");
        }
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }
}
