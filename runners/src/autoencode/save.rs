//! What a run keeps in `--out DIR` and reads back with `--resume DIR` (and
//! what `lwl generate` reads as its model): `params.txt`, `net.txt`,
//! `ide.txt` (the iDE code), `progress.json` (the last epoch's record, the
//! totals, the seed, the hyperparameters and the error history), a plot of
//! the errors per epoch and, for image data, pictures of reconstructions,
//! decoded iDE samples and the code-node distributions (Fig. 20–21).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::feed::{Auto, Start};
use super::histogram::histograms;
use super::ide::IdeCode;
use super::train::{Eval, stream};
use crate::error::Error;
use crate::formats::netfile::NetSpec;
use crate::formats::paramfile::{NetParams, write_net_params};
use crate::output::checkpoint;
use crate::output::write_files;
use crate::picture::{self, Image, Labels, Series, Shade, io_error};

/// Images in each picture of `--out`.
pub const PICTURE_ITEMS: usize = 50;
/// Purpose of the random stream that draws the pictured iDE samples.
const PICTURE_STREAM: u32 = u32::MAX - 1;

/// Writes `files` atomically.
pub fn write_all(files: &[(PathBuf, Vec<u8>)]) -> Result<(), Error> {
    let refs: Vec<(&Path, &[u8])> = files.iter().map(|(p, b)| (p.as_path(), b.as_slice())).collect();
    write_files(&refs)
}

/// Everything an autoencoder run writes to `--out` after an epoch.
pub struct Output<'a> {
    /// The directory.
    pub dir: &'a Path,
    /// The net.
    pub spec: &'a NetSpec,
    /// Test items to reconstruct (item-major) and the image side, for
    /// image data.
    pub images: Option<(&'a [f64], usize)>,
    /// Seed of the run.
    pub seed: u64,
}

impl Output<'_> {
    /// Writes parameters, net, iDE code, progress (`extra` holds the
    /// hyperparameters), the error plot and the pictures.
    pub fn save(&self, auto: &Auto, ev: &Eval, rec: &Value, extra: &Value, history: &[Vec<f64>]) -> Result<(), Error> {
        let d = self.dir;
        let params = NetParams { weights: auto.weights.to_vec(), biases: auto.biases.to_vec() };
        let mut prog = rec.clone();
        if let (Value::Object(m), Value::Object(x)) = (&mut prog, extra) {
            m.extend(x.clone());
        }
        prog["seed"] = json!(self.seed);
        prog["history"] = json!(history);
        let labels = Labels { title: "autoencoder errors", x: "epoch", y: "error" };
        let plot = plot_history(history, &[(1, "data_err"), (2, "code_err")], &labels).map_err(io_error(d))?;
        let mut files: Vec<(&str, Vec<u8>)> = vec![
            ("params.txt", write_net_params(self.spec, auto.p.omega, &params).into_bytes()),
            ("net.txt", self.spec.to_text().into_bytes()),
            ("ide.txt", ev.ide.to_text().into_bytes()),
            ("errors.png", plot.png_for(d)?),
        ];
        if let Some((items, side)) = self.images {
            let items = &items[..items.len().min(PICTURE_ITEMS * auto.feed.data.len())];
            let recon = auto.pass(Start::Code, &auto.pass(Start::Data, items).out).out;
            let fakes = auto.pass(Start::Code, &ide_samples(&ev.ide, PICTURE_ITEMS, self.seed)).out;
            files.push(("reconstructions.png", pairs(items, &recon, side).png_for(d)?));
            files.push(("samples.png", tiles(&fakes, side).png_for(d)?));
            files.push(("codes.png", histograms(&ev.ide).map_err(io_error(d))?.png_for(d)?));
        }
        checkpoint::write(d, "autoencode", &files, &prog)
    }
}

/// A plot of history columns `cols` (each with its legend name) against
/// the epoch (column 0).
pub fn plot_history(history: &[Vec<f64>], cols: &[(usize, &str)], labels: &Labels) -> std::io::Result<Image> {
    let at = |h: &Vec<f64>, c: usize| h.get(c).copied().unwrap_or(f64::NAN);
    let curves: Vec<Vec<(f64, f64)>> =
        cols.iter().map(|&(c, _)| history.iter().map(|h| (at(h, 0), at(h, c))).collect()).collect();
    let series: Vec<Series> = cols.iter().zip(&curves).map(|(&(_, name), c)| Series::line(name, c)).collect();
    picture::plot(&series, labels)
}

/// `count` iDE samples from the pictures' own stream of `seed`.
pub fn ide_samples(z: &IdeCode, count: usize, seed: u64) -> Vec<f64> {
    z.sample(count, &mut stream(seed, 0, PICTURE_STREAM))
}

/// A grid of square images (item-major values in [0, 1]), ten to a row.
pub fn tiles(values: &[f64], side: usize) -> Image {
    let t: Vec<&[f64]> = values.chunks_exact(side * side).collect();
    picture::grid(&t, side, side, 10, 2, Shade::Range(0.0, 1.0))
}

/// Originals and their reconstructions in alternating rows of ten.
fn pairs(originals: &[f64], recon: &[f64], side: usize) -> Image {
    let d = side * side;
    let (o, r): (Vec<&[f64]>, Vec<&[f64]>) = (originals.chunks_exact(d).collect(), recon.chunks_exact(d).collect());
    let t: Vec<&[f64]> = o.chunks(10).zip(r.chunks(10)).flat_map(|(a, b)| a.iter().chain(b).copied()).collect();
    picture::grid(&t, side, side, 10, 2, Shade::Range(0.0, 1.0))
}
