//! MNIST's IDX format: a big-endian header (magic `0x0803` for images with
//! three dimensions, `0x0801` for labels with one), then unsigned bytes.
//! Pixels become value/255 in [0, 1], as in the paper's files. The paper's
//! 10k/10k MNIST subset is embedded in the binary (`data/mnist10k`,
//! CC BY-SA 3.0, LeCun, Cortes and Burges).

use std::io::Read;
use std::path::Path;

use flate2::read::GzDecoder;

use crate::error::InputError;
use crate::formats::datafile::LabeledData;

const TRAIN_IMAGES: &[u8] = include_bytes!("../../data/mnist10k/train-images-idx3-ubyte.gz");
const TRAIN_LABELS: &[u8] = include_bytes!("../../data/mnist10k/train-labels-idx1-ubyte.gz");
const TEST_IMAGES: &[u8] = include_bytes!("../../data/mnist10k/test-images-idx3-ubyte.gz");
const TEST_LABELS: &[u8] = include_bytes!("../../data/mnist10k/test-labels-idx1-ubyte.gz");

/// Largest IDX payload accepted (bytes after decompression).
const MAX_BYTES: usize = 1 << 31;

fn gunzip(bytes: &[u8], path: &str) -> Result<Vec<u8>, InputError> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        GzDecoder::new(bytes)
            .take(MAX_BYTES as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| InputError::file(path, format!("gzip: {e}")))?;
        if out.len() > MAX_BYTES {
            return Err(InputError::file(path, "larger than 2 GiB after decompression"));
        }
        Ok(out)
    } else {
        Ok(bytes.to_vec())
    }
}

fn header(b: &[u8], path: &str, magic: u32, dims: usize) -> Result<Vec<usize>, InputError> {
    let word = |i: usize| b.get(4 * i..4 * i + 4).map(|w| u32::from_be_bytes([w[0], w[1], w[2], w[3]]));
    match word(0) {
        Some(m) if m == magic => {}
        Some(m) => return Err(InputError::file(path, format!("IDX magic {m:#010x}, expected {magic:#010x}"))),
        None => return Err(InputError::file(path, "shorter than an IDX header")),
    }
    let d: Vec<usize> = (1..=dims)
        .map(|i| word(i).map(|v| v as usize).ok_or_else(|| InputError::file(path, "truncated IDX header")))
        .collect::<Result<_, _>>()?;
    let want = d.iter().try_fold(1usize, |a, &x| a.checked_mul(x)).and_then(|n| n.checked_add(4 + 4 * dims));
    if want != Some(b.len()) {
        let shape = d.iter().map(usize::to_string).collect::<Vec<_>>().join(" × ");
        let size = want.map_or_else(|| "more bytes than fit in memory".to_string(), |n| format!("{n} bytes"));
        return Err(InputError::file(
            path,
            format!("IDX header declares {shape} ({size}) but the file holds {} bytes", b.len()),
        ));
    }
    Ok(d)
}

/// Images and labels from IDX bytes (gzip or not) into labelled data with
/// 10 classes; `names` are used in error messages.
pub fn parse(images: &[u8], labels: &[u8], names: (&str, &str)) -> Result<LabeledData, InputError> {
    let im = gunzip(images, names.0)?;
    let lb = gunzip(labels, names.1)?;
    let d = header(&im, names.0, 0x0803, 3)?;
    let l = header(&lb, names.1, 0x0801, 1)?;
    if d[0] != l[0] {
        return Err(InputError::file(names.1, format!("{} labels for {} images in {}", l[0], d[0], names.0)));
    }
    let labels: Vec<u32> = lb[8..].iter().map(|&v| v as u32).collect();
    if let Some(k) = labels.iter().position(|&v| v > 9) {
        return Err(InputError::file(names.1, format!("label {} of item {k} is not a digit", labels[k])));
    }
    let values = im[16..].iter().map(|&v| v as f64 / 255.0).collect();
    Ok(LabeledData { dims: d[1] * d[2], classes: 10, values, labels })
}

/// The standard label file name beside an image file
/// (`…-images-idx3-ubyte[.gz]` → `…-labels-idx1-ubyte[.gz]`).
pub fn labels_beside(images: &Path) -> Option<std::path::PathBuf> {
    let name = images.file_name()?.to_str()?;
    name.contains("-images-idx3-ubyte")
        .then(|| images.with_file_name(name.replace("-images-idx3-ubyte", "-labels-idx1-ubyte")))
}

/// Whether a file looks like IDX (by content, gzip or not).
pub fn is_idx(bytes: &[u8]) -> bool {
    let head = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut h = [0u8; 4];
        GzDecoder::new(bytes).read_exact(&mut h).map(|_| h).ok()
    } else {
        bytes.get(..4).map(|h| [h[0], h[1], h[2], h[3]])
    };
    matches!(head, Some([0, 0, 8, 1 | 3]))
}

/// The embedded 10k/10k MNIST subset: (train, test).
pub fn mnist() -> Result<(LabeledData, LabeledData), InputError> {
    Ok((
        parse(TRAIN_IMAGES, TRAIN_LABELS, ("mnist train images", "mnist train labels"))?,
        parse(TEST_IMAGES, TEST_LABELS, ("mnist test images", "mnist test labels"))?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_mnist() {
        let (tr, te) = mnist().unwrap();
        assert_eq!((tr.len(), te.len(), tr.dims), (10000, 10000, 784));
        assert!(tr.values.iter().all(|&v| (0.0..=1.0).contains(&v)));
        let mut counts = [0usize; 10];
        tr.labels.iter().for_each(|&l| counts[l as usize] += 1);
        assert!(counts.iter().all(|&c| c > 800), "{counts:?}");
    }

    #[test]
    fn bad_headers() {
        let mut im = vec![0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2];
        im.extend([0u8; 8]);
        let lb = vec![0, 0, 8, 1, 0, 0, 0, 2, 1, 2];
        assert!(parse(&im, &lb, ("i", "l")).is_ok());
        let e = parse(&im[..20], &lb, ("i", "l")).unwrap_err();
        assert!(e.msg.contains("holds 20 bytes"), "{}", e.msg);
        let e = parse(&im, &[0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3], ("i", "l")).unwrap_err();
        assert!(e.msg.contains("3 labels for 2 images"));
        let e = parse(&im, &[0, 0, 8, 1, 0, 0, 0, 2, 1, 12], ("i", "l")).unwrap_err();
        assert!(e.msg.contains("not a digit"));
        assert!(is_idx(&im) && !is_idx(b"13 2\n"));
    }
}
