//! `lwl data ...`: generate the paper's synthetic data sets.

mod args;

pub use args::{DATA_ABOUT, DataCommand, LedmArgs, MajorityArgs, MontageArgs};

use crate::datasets::{ledm, majority, montage};
use crate::error::Error;
use crate::formats::datafile::{write_labeled, write_unlabeled};
use crate::output::{emit, write_files};
use crate::picture::{Shade, grid};

/// `lwl data ledm`: prints (or writes) LEDM m in the NMF data format.
pub fn ledm(args: &LedmArgs) -> Result<(), Error> {
    let data = ledm::ledm(args.m)?;
    emit(args.out.as_deref(), &write_unlabeled(&data))
}

/// `lwl data majority`: writes `maj13_DEPTH_train.txt` and
/// `maj13_DEPTH_test.txt` into the output directory. The seed (given or
/// drawn from the operating system) is printed to standard error.
pub fn majority(args: &MajorityArgs) -> Result<(), Error> {
    let seed = args.seed.unwrap_or_else(rand::random);
    eprintln!("lwl: majority circuit of depth {}, seed {seed} (--seed {seed} reproduces it)", args.depth);
    let data = majority::generate(args.depth, seed)?;
    let dir = &args.out_dir;
    std::fs::create_dir_all(dir).map_err(|source| Error::Io { path: dir.display().to_string(), source })?;
    let train = dir.join(format!("maj13_{}_train.txt", args.depth));
    let test = dir.join(format!("maj13_{}_test.txt", args.depth));
    let (train_text, test_text) = (write_labeled(&data.train), write_labeled(&data.test));
    write_files(&[(&train, train_text.as_bytes()), (&test, test_text.as_bytes())])?;
    let ones = |d: &crate::formats::datafile::LabeledData| d.labels.iter().filter(|&&l| l == 1).count();
    eprintln!(
        "lwl: wrote {} ({} items, {} of class 1) and {} ({} items, {} of class 1)",
        train.display(),
        data.train.len(),
        ones(&data.train),
        test.display(),
        data.test.len(),
        ones(&data.test)
    );
    Ok(())
}

/// `lwl data montage`: prints (or writes) the letter-montage set, and with
/// `--png` a picture of its first 16 images.
pub fn montage(args: &MontageArgs) -> Result<(), Error> {
    let data = montage::generate(args.seed);
    if let Some(png) = &args.png {
        let side = montage::SIDE;
        let tiles: Vec<&[f64]> = data.values.chunks(side * side).take(16).collect();
        let bytes = grid(&tiles, side, side, 4, 4, Shade::Range(0.0, 1.0)).png_for(png)?;
        write_files(&[(png, &bytes)])?;
    }
    emit(args.out.as_deref(), &write_unlabeled(&data))
}
