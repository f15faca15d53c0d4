//! The NMF training loop (section 4.3): data `Y ≈ W X` processed in one batch
//! or online in batches, each batch started warm from the current consensus
//! weights.
//!
//! Warm start of a batch (eq. 20–21): every weight copy `w[k, i→j]` is set
//! to the consensus `W(i, j)` and every code copy `x[k, i→j]` to the
//! encoder's code `ReLU(E_W y[k])` (eq. 12–13), so the search variables
//! satisfy the A constraints exactly. The first batch starts from random
//! weights (uniform in [0, 1], each column scaled to norm Ω) or given ones;
//! each later batch from the last consensus weights of the one before.
//! RRR then iterates until RRR_err ≤ tol or RRR_iter iterations.
//!
//! recon_err (eq. 23): with one batch holding all the data, from the
//! consensus weights and codes of the last iteration (as the reference
//! program reports it); with several batches, over the whole data set with
//! the codes of the encoder of the current weights.

use indicatif::ProgressBar;
use lwl_kernel::counters::Counters;
use lwl_kernel::layout::Layout;
use lwl_kernel::nmf::{self, Params, Shape};
use rand::RngExt;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::engine::{Method, NmfBuffers};
use crate::error::Error;
use crate::formats::datafile::UnlabeledData;
use crate::nmf::encoder::Encoder;
use crate::picture::Envelope;

/// Everything that stays fixed during a run.
#[derive(Clone, Copy, Debug)]
pub struct Setup {
    /// Data nodes and rank.
    pub shape: Shape,
    /// β and Ω.
    pub params: Params,
    /// Items per batch (the whole set when it is at least the set's size).
    pub batch: usize,
    /// RRR_iter: iterations per batch at most.
    pub iter: usize,
    /// A batch stops as soon as RRR_err ≤ tol.
    pub tol: f64,
    /// Oracle or SIMD iterations.
    pub method: Method,
    /// Shuffle the items every epoch (only with more than one batch).
    pub shuffle: bool,
    /// Seed of the shuffles.
    pub seed: u64,
}

/// Errors at the end of an epoch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpochReport {
    /// RRR_err of the epoch's last iteration (NaN if none ran).
    pub rrr_err: f64,
    /// Reconstruction error (eq. 23).
    pub recon_err: f64,
}

/// Random consensus weights as the reference initialises them: uniform in
/// [0, 1], drawn column by column, each column multiplied by
/// `Ω / sqrt(Σ_i W(i, j)²)`. `W(i, j)` is at `i·C + j`.
pub fn random_weights(shape: Shape, omega: f64, rng: &mut Xoshiro256PlusPlus) -> Vec<f64> {
    let (d, c) = (shape.data, shape.rank);
    let mut w = vec![0.0; d * c];
    for j in 0..c {
        for i in 0..d {
            w[i * c + j] = rng.random::<f64>();
        }
    }
    for j in 0..c {
        let f = omega / (0..d).fold(0.0, |a, i| a + w[i * c + j] * w[i * c + j]).sqrt();
        for i in 0..d {
            w[i * c + j] *= f;
        }
    }
    w
}

/// Item `k` of the data.
fn item(data: &UnlabeledData, k: usize) -> &[f64] {
    &data.values[k * data.dims..(k + 1) * data.dims]
}

/// The warm start of a batch (eq. 20–21): loads the data of `items` and sets
/// every weight copy to `weights` and every code copy to the item's encoder
/// code. Padding lanes repeat the first item. The bilinear roots start cold.
pub fn warm_start(buf: &mut NmfBuffers, data: &UnlabeledData, items: &[usize], weights: &[f64]) -> Result<(), Error> {
    buf.cold_start();
    let (d, c, e) = (buf.shape.data, buf.shape.rank, buf.shape.edges());
    let enc = Encoder::new(weights, d, c)
        .ok_or_else(|| Error::Usage("the initial weights are not finite; no encoder can be built".into()))?;
    let l = buf.layout;
    let mut code = vec![0.0; c];
    for lane in 0..l.lanes() {
        let y = item(data, items[if lane < items.len() { lane } else { 0 }]);
        enc.encode(y, &mut code);
        for i in 0..d {
            buf.data[l.at(lane, i, d)] = y[i];
            for j in 0..c {
                buf.w[l.at(lane, i * c + j, e)] = weights[i * c + j];
                buf.z[l.at(lane, i * c + j, e)] = code[j];
            }
        }
    }
    Ok(())
}

/// A training run: current weights, batch buffers and the RRR_err record.
pub struct Trainer<'d> {
    setup: Setup,
    data: &'d UnlabeledData,
    /// Current consensus weights `W(i, j)` at `i·C + j`.
    pub weights: Vec<f64>,
    buffers: Vec<NmfBuffers>,
    order: Vec<usize>,
    consensus_codes: bool,
    /// Every RRR_err, when asked for.
    pub series: Option<Vec<f64>>,
    /// The RRR_err series reduced for plotting.
    pub envelope: Envelope,
}

/// Iterations between progress-bar updates.
const TICK: u64 = 4096;

impl<'d> Trainer<'d> {
    /// A run on `data` from the consensus weights `weights`; `record` keeps
    /// every RRR_err.
    pub fn new(setup: Setup, data: &'d UnlabeledData, weights: Vec<f64>, record: bool) -> Self {
        Self {
            setup,
            data,
            weights,
            buffers: Vec::new(),
            order: (0..data.len()).collect(),
            consensus_codes: false,
            series: record.then(Vec::new),
            envelope: Envelope::new(),
        }
    }

    /// Whether all items are one batch.
    fn single(&self) -> bool {
        self.setup.batch >= self.data.len()
    }

    /// Work counters summed over all batches so far.
    pub fn counters(&self) -> Counters {
        let mut c = Counters::default();
        self.buffers.iter().for_each(|b| c.add(&b.counters));
        c
    }

    /// One pass over the data: (shuffled) batches, each warm-started and
    /// iterated; then the errors.
    pub fn epoch(&mut self, epoch: usize, bar: &ProgressBar) -> Result<EpochReport, Error> {
        let mut order = std::mem::take(&mut self.order);
        if self.setup.shuffle && !self.single() {
            // the data order shuffled by a stream of this epoch alone, so a
            // resumed run shuffles exactly as an uninterrupted one
            crate::shuffle::epoch_order(&mut order, self.setup.seed, epoch);
        }
        let mut rrr_err = f64::NAN;
        let mut result = Ok(());
        for chunk in order.chunks(self.setup.batch.min(order.len())) {
            match self.batch(chunk, bar) {
                Ok(Some(e)) => rrr_err = e,
                Ok(None) => {}
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.order = order;
        result?;
        Ok(EpochReport { rrr_err, recon_err: self.recon_err() })
    }

    /// Warm start and RRR iterations of one batch; returns the last RRR_err
    /// (`None` if no iteration ran).
    fn batch(&mut self, items: &[usize], bar: &ProgressBar) -> Result<Option<f64>, Error> {
        let b = match self.buffers.iter().position(|b| b.layout.items() == items.len()) {
            Some(b) => b,
            None => {
                let n = items.len();
                // NMF batches were measured in blocks of up to 128 items.
                let layout = Layout::split(n, 128).map_err(|e| Error::Usage(format!("batch of {n} items: {e:?}")))?;
                let buf = NmfBuffers::allocate(self.setup.shape, layout)
                    .map_err(|m| Error::Usage(format!("a batch of {n} items {m}; give a smaller --batch or --rank")))?;
                self.buffers.push(buf);
                self.buffers.len() - 1
            }
        };
        let buf = &mut self.buffers[b];
        warm_start(buf, self.data, items, &self.weights)?;
        let mut last = None;
        let mut done = 0u64;
        for _ in 0..self.setup.iter {
            let e = buf
                .iterate(&self.setup.params, self.setup.method)
                .map_err(|e| Error::Usage(format!("internal error: the kernel refused an NMF iteration ({e:?})")))?;
            done += 1;
            last = Some(e);
            self.envelope.push(e);
            if let Some(s) = &mut self.series {
                s.push(e);
            }
            if done.is_multiple_of(TICK) {
                bar.inc(TICK);
            }
            if e <= self.setup.tol {
                break;
            }
        }
        bar.inc(done % TICK);
        if done > 0 {
            self.weights.copy_from_slice(&buf.weights);
        }
        self.consensus_codes = done > 0;
        Ok(last)
    }

    /// The code of every item (`C` values per item, item-major): the
    /// consensus codes of the last iteration when one batch holds all the
    /// data, otherwise the encoder's codes from the current weights.
    pub fn codes(&self) -> Result<Vec<f64>, Error> {
        let (n, c) = (self.data.len(), self.setup.shape.rank);
        let mut codes = vec![0.0; n * c];
        if self.single() && self.consensus_codes {
            let buf = &self.buffers[0];
            for k in 0..n {
                for j in 0..c {
                    codes[k * c + j] = buf.codes[buf.layout.at(k, j, c)];
                }
            }
        } else {
            let enc = Encoder::new(&self.weights, self.setup.shape.data, c)
                .ok_or_else(|| Error::Usage("the weights are not finite".into()))?;
            for (k, code) in codes.chunks_mut(c).enumerate() {
                enc.encode(item(self.data, k), code);
            }
        }
        Ok(codes)
    }

    /// recon_err (eq. 23): of the last iteration's consensus values for a
    /// single batch, else over the whole set through the encoder.
    pub fn recon_err(&self) -> f64 {
        if self.single() && self.consensus_codes {
            return self.buffers[0].recon_err();
        }
        let Ok(codes) = self.codes() else { return f64::NAN };
        recon_err(self.setup.shape, self.data, &self.weights, &codes)
    }
}

/// recon_err (eq. 23) of the whole data set with codes `codes` (`C` per
/// item, item-major), computed by the kernel in its reference order.
pub fn recon_err(shape: Shape, data: &UnlabeledData, weights: &[f64], codes: &[f64]) -> f64 {
    let (n, d, c) = (data.len(), shape.data, shape.rank);
    let Ok(l) = Layout::batch_innermost(n) else { return f64::NAN };
    let (Some(ld), Some(lc)) = (l.len(d), l.len(c)) else { return f64::NAN };
    let (mut y, mut x) = (vec![0.0; ld], vec![0.0; lc]);
    for k in 0..n {
        for i in 0..d {
            y[l.at(k, i, d)] = data.values[k * d + i];
        }
        for j in 0..c {
            x[l.at(k, j, c)] = codes[k * c + j];
        }
    }
    nmf::recon_err(&shape, &l, &y, weights, &x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datasets::ledm::ledm;
    use rand::SeedableRng;

    fn setup(shape: Shape, batch: usize) -> Setup {
        Setup {
            shape,
            params: Params { beta: 0.3, gamma: 1.0, omega: 0.6 },
            batch,
            iter: 50,
            tol: 0.0,
            method: Method::Simd,
            shuffle: true,
            seed: 7,
        }
    }

    #[test]
    fn random_weights_are_nonnegative_columns_of_norm_omega() {
        let shape = Shape { data: 7, rank: 3 };
        let w = random_weights(shape, 0.8, &mut Xoshiro256PlusPlus::seed_from_u64(1));
        assert!(w.iter().all(|&v| v >= 0.0));
        for j in 0..3 {
            let n = (0..7).map(|i| w[i * 3 + j] * w[i * 3 + j]).sum::<f64>().sqrt();
            assert!((n - 0.8).abs() < 1e-15);
        }
    }

    /// After the warm start the iterate satisfies every A constraint
    /// exactly: all copies of a weight are the same number, all copies of
    /// an item's code are the same number, weights and codes are
    /// non-negative and every weight column has norm Ω (to rounding of the
    /// initial scaling) — so the A projection changes nothing.
    #[test]
    fn warm_start_satisfies_the_a_constraints() {
        let data = ledm(8).unwrap();
        let shape = Shape { data: 8, rank: 6 };
        let mut tr = Trainer::new(setup(shape, 3), &data, vec![0.0; 48], false);
        tr.weights = random_weights(shape, 0.6, &mut Xoshiro256PlusPlus::seed_from_u64(3));
        // a few batches of training, so the weights are a previous batch's consensus
        tr.epoch(1, &ProgressBar::hidden()).unwrap();
        let w = tr.weights.clone();
        for j in 0..6 {
            let n = (0..8).map(|i| w[i * 6 + j] * w[i * 6 + j]).sum::<f64>().sqrt();
            assert!((n - 0.6).abs() < 1e-15, "column {j} norm {n}");
        }
        let layout = Layout::new(5, 4).unwrap();
        let mut buf = NmfBuffers::new(shape, layout).unwrap();
        warm_start(&mut buf, &data, &[4, 0, 7, 2, 5], &w).unwrap();
        for k in 0..5 {
            for i in 0..8 {
                for j in 0..6 {
                    let a = layout.at(k, i * 6 + j, 48);
                    assert_eq!(buf.w[a].to_bits(), w[i * 6 + j].to_bits());
                    assert!(buf.z[a] >= 0.0);
                    assert_eq!(buf.z[a].to_bits(), buf.z[layout.at(k, j, 48)].to_bits());
                }
            }
        }
        // one iteration's A projection reproduces the warm-start values
        let z0: Vec<f64> =
            (0..5).flat_map(|k| (0..6).map(move |j| (k, j))).map(|(k, j)| buf.z[layout.at(k, j, 48)]).collect();
        buf.iterate(&Params { beta: 0.3, gamma: 1.0, omega: 0.6 }, Method::Oracle).unwrap();
        for (a, b) in buf.weights.iter().zip(&w) {
            assert!((a - b).abs() < 1e-15);
        }
        for k in 0..5 {
            for j in 0..6 {
                assert!((buf.codes[layout.at(k, j, 6)] - z0[k * 6 + j]).abs() < 1e-15);
            }
        }
    }

    #[test]
    fn batched_recon_err_uses_the_encoder_over_all_items() {
        let data = ledm(6).unwrap();
        let shape = Shape { data: 6, rank: 5 };
        let w = random_weights(shape, 0.6, &mut Xoshiro256PlusPlus::seed_from_u64(5));
        let mut tr = Trainer::new(setup(shape, 4), &data, w, true);
        let bar = ProgressBar::hidden();
        let r1 = tr.epoch(1, &bar).unwrap();
        let r2 = tr.epoch(2, &bar).unwrap();
        assert_eq!(tr.series.as_ref().unwrap().len(), 200);
        assert_eq!(tr.envelope.len(), 200);
        assert_eq!(tr.counters().weight_multiplies, 2 * 50 * (4 + 2) * 30);
        let codes = tr.codes().unwrap();
        assert_eq!(r2.recon_err, recon_err(shape, &data, &tr.weights, &codes));
        assert!(r1.recon_err.is_finite() && r2.rrr_err.is_finite());
        // one batch: the consensus codes of the last iteration
        let mut one = Trainer::new(setup(shape, 6), &data, tr.weights.clone(), false);
        let r = one.epoch(1, &bar).unwrap();
        assert_eq!(r.recon_err, one.buffers[0].recon_err());
        let mut none = Trainer::new(Setup { iter: 0, ..setup(shape, 6) }, &data, tr.weights.clone(), false);
        let r0 = none.epoch(1, &bar).unwrap();
        assert!(r0.rrr_err.is_nan());
        assert_eq!(r0.recon_err, r2.recon_err);
    }
}
