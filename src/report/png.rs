//! A minimal PNG encoder for 8-bit RGB images (ISO/IEC 15948, "PNG
//! Specification, Second Edition"): IHDR, one zlib-compressed IDAT with filter
//! type 0 (None) on every scanline, IEND. Output is deterministic for a given
//! image. It does not decode, and writes no ancillary chunks (no timestamps).

use flate2::write::ZlibEncoder;
use flate2::Compression;
use std::io::Write;

/// CRC-32 (ISO 3309 / ITU-T V.42, polynomial 0xEDB88320 reflected) as the PNG
/// specification, section 5.5, defines it.
fn crc32(chunks: &[&[u8]]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for bytes in chunks {
        for &b in *bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                let mask = (crc & 1).wrapping_neg();
                crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
            }
        }
    }
    !crc
}

fn push_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    // PNG chunk data is at most 2^31 - 1 bytes; callers stay far below.
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[kind, data]).to_be_bytes());
}

/// Encodes `rgb` (row-major, 3 bytes per pixel, `width * height * 3` bytes) as
/// a PNG file. Returns an error message when the buffer has the wrong size.
pub(crate) fn encode_rgb(width: u32, height: u32, rgb: &[u8]) -> Result<Vec<u8>, String> {
    let row = width as usize * 3;
    if rgb.len() != row * height as usize {
        return Err(format!(
            "image buffer has {} bytes, expected {} for {width}x{height} RGB",
            rgb.len(),
            row * height as usize
        ));
    }
    let mut raw = Vec::with_capacity((row + 1) * height as usize);
    for line in rgb.chunks_exact(row.max(1)) {
        raw.push(0u8); // filter type None
        raw.extend_from_slice(line);
    }
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::new(6));
    encoder
        .write_all(&raw)
        .map_err(|e| format!("zlib compression failed: {e}"))?;
    let idat = encoder
        .finish()
        .map_err(|e| format!("zlib compression failed: {e}"))?;

    let mut out = Vec::with_capacity(idat.len() + 64);
    out.extend_from_slice(&[0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n']);
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    // bit depth 8, colour type 2 (truecolour), compression 0, filter 0, no interlace
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    push_chunk(&mut out, b"IHDR", &ihdr);
    push_chunk(&mut out, b"IDAT", &idat);
    push_chunk(&mut out, b"IEND", &[]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_published_check_value() {
        // The standard CRC-32 check value of ASCII "123456789" is 0xCBF43926.
        assert_eq!(crc32(&[b"123456789"]), 0xCBF4_3926);
        // CRC of the IEND chunk type with no data is the well-known AE 42 60 82.
        assert_eq!(crc32(&[b"IEND"]), 0xAE42_6082);
    }

    #[test]
    fn encodes_signature_header_and_round_trips_pixels() {
        let rgb = [255u8, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30];
        let png = encode_rgb(2, 2, &rgb).unwrap();
        assert_eq!(
            &png[..8],
            &[0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n']
        );
        // IHDR: length 13, type, width 2, height 2, depth 8, colour type 2
        assert_eq!(&png[8..12], &13u32.to_be_bytes());
        assert_eq!(&png[12..16], b"IHDR");
        assert_eq!(&png[16..24], &[0, 0, 0, 2, 0, 0, 0, 2]);
        assert_eq!(&png[24..26], &[8, 2]);
        assert_eq!(
            &png[png.len() - 12..],
            &[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82]
        );
        // Decompress IDAT and compare with filter-byte-prefixed scanlines.
        let idat_len = u32::from_be_bytes([png[33], png[34], png[35], png[36]]) as usize;
        assert_eq!(&png[37..41], b"IDAT");
        let mut decoded = Vec::new();
        use std::io::Read;
        flate2::read::ZlibDecoder::new(&png[41..41 + idat_len])
            .read_to_end(&mut decoded)
            .unwrap();
        assert_eq!(
            decoded,
            vec![0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 10, 20, 30]
        );
    }

    #[test]
    fn rejects_wrong_buffer_size() {
        assert!(encode_rgb(2, 2, &[0u8; 11]).is_err());
    }
}
