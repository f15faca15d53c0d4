//! The autoencoder's training loop (section 6.1.1). Per batch: the data
//! items `K_d`; the code items `K_c`, drawn from the iDE code of eq. 37 (the
//! encodings of this batch's data under the parameters left by the previous
//! batch) or, for binary encoding, the fixed set of all codes; a
//! feed-around initialisation from the consensus parameters (warm start);
//! RRR iterations until `--iter` or `--tol`; then the batch's last consensus
//! weights (set A) and biases (set B) become the parameters.

use lwl_kernel::counters::Counters;
use lwl_kernel::graph::Net;
use lwl_kernel::layout::Layout;
use lwl_kernel::network::{Errors, Params};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::data::Source;
use super::feed::{Auto, FeedAround, Start};
use super::ide::IdeCode;
use crate::engine::{Method, NetBuffers, Pool, Precision};
use crate::error::Error;
use crate::formats::paramfile::NetParams;

/// Hyperparameters of a run besides the constraint parameters.
#[derive(Clone, Copy, Debug)]
pub struct Setup {
    /// Constraint and RRR parameters.
    pub params: Params,
    /// Oracle, SIMD or general update.
    pub method: Method,
    /// Storage precision of the edge state.
    pub precision: Precision,
    /// Data items per batch `|K_d|`.
    pub batch: usize,
    /// Code items per batch `|K_c|`.
    pub code_batch: usize,
    /// Iterations per batch at most.
    pub iter: usize,
    /// A batch stops when RRR_err ≤ tol.
    pub tol: f64,
    /// Shuffle the data every epoch (when there is more than one batch).
    pub shuffle: bool,
}

/// A random stream for one purpose of one epoch: the same on every run with
/// the same seed, so a resumed run continues as an uninterrupted one.
pub fn stream(seed: u64, epoch: usize, purpose: u32) -> Xoshiro256PlusPlus {
    let tag = ((epoch as u64) << 32) | u64::from(purpose);
    Xoshiro256PlusPlus::seed_from_u64(seed ^ tag.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// Purpose of the random stream that draws the evaluation codes.
const EVAL_STREAM: u32 = u32::MAX;

/// Results of one epoch of training.
pub struct EpochResult {
    /// RRR_err of the last iteration.
    pub rrr_err: f64,
}

/// Errors of the current parameters over whole sets, and the iDE code.
pub struct Eval {
    /// data_err (eq. 40) over the training set.
    pub data_err: f64,
    /// code_err (eq. 41) over the fixed codes, or over as many iDE samples
    /// as there are training items.
    pub code_err: f64,
    /// data_err over the test set.
    pub test_data_err: Option<f64>,
    /// data_err as the reference program reports it (the mean of per-item
    /// rms errors, [`super::feed::Pass::err_items`]).
    pub data_err_items: f64,
    /// code_err as the reference program reports it.
    pub code_err_items: f64,
    /// test_data_err as the reference program reports it.
    pub test_data_err_items: Option<f64>,
    /// The iDE code: the encodings of the whole training set (eq. 37).
    pub ide: IdeCode,
}

/// The buffers for batches of `items` items, made on first use.
fn buffer<'b>(
    buffers: &'b mut Vec<NetBuffers>,
    net: &Net,
    items: usize,
    precision: Precision,
) -> Result<&'b mut NetBuffers, Error> {
    let b = match buffers.iter().position(|b| b.layout.items() == items) {
        Some(b) => b,
        None => {
            let too_large = |m: String| {
                Error::Usage(format!("a batch of {items} items {m}; give a smaller --batch or --code-batch"))
            };
            let layout = Layout::preferred(items).map_err(|e| too_large(format!("has no layout ({e:?})")))?;
            buffers.push(NetBuffers::allocate(net, layout, precision).map_err(too_large)?);
            buffers.len() - 1
        }
    };
    Ok(&mut buffers[b])
}

/// Parameters, buffers and counters of a training run.
pub struct AutoTrainer<'a> {
    net: &'a Net<'a>,
    feed: &'a FeedAround,
    src: &'a Source,
    setup: Setup,
    seed: u64,
    pool: Option<&'a Pool>,
    /// Consensus weights.
    pub weights: Vec<f64>,
    /// Consensus biases.
    pub biases: Vec<f64>,
    buffers: Vec<NetBuffers>,
    /// RRR_err of every iteration so far, when recorded (`--err-series`).
    pub series: Option<Vec<f64>>,
}

impl<'a> AutoTrainer<'a> {
    /// A trainer starting from the given weights and biases.
    pub fn new(
        net: &'a Net<'a>,
        feed: &'a FeedAround,
        src: &'a Source,
        setup: Setup,
        seed: u64,
        pool: Option<&'a Pool>,
        start: NetParams,
    ) -> Self {
        let NetParams { weights, biases } = start;
        Self { net, feed, src, setup, seed, pool, weights, biases, buffers: Vec::new(), series: None }
    }

    /// Records the RRR_err of every iteration from now on (in `series`).
    pub fn record_series(mut self) -> Self {
        self.series = Some(Vec::new());
        self
    }

    /// Work counters summed over all batches so far.
    pub fn counters(&self) -> Counters {
        let mut c = Counters::default();
        self.buffers.iter().for_each(|b| c.add(&b.counters));
        c
    }

    /// One epoch: the data in shuffled batches (one batch: no shuffle);
    /// `tick` is called after every batch.
    pub fn epoch(&mut self, epoch: usize, mut tick: impl FnMut()) -> Result<EpochResult, Error> {
        let (data, dims) = (&self.src.train, self.src.train.dims);
        let mut order: Vec<usize> = (0..data.len()).collect();
        if self.setup.shuffle && self.setup.batch < data.len() {
            order.shuffle(&mut stream(self.seed, epoch, 0));
        }
        let mut rrr_err = f64::NAN;
        for (bi, chunk) in order.chunks(self.setup.batch).enumerate() {
            let items: Vec<f64> = chunk.iter().flat_map(|&k| &data.values[k * dims..(k + 1) * dims]).copied().collect();
            let (kc, codes) = (self.setup.code_batch, self.src.codes.as_ref());
            let (seed, dc) = (self.seed, self.feed.code.len());
            rrr_err = self.batch(&items, |enc| match (codes, kc) {
                (_, 0) => Vec::new(),
                (Some(fixed), _) => fixed.values.clone(),
                // eq. 37: the encodings of this batch's data under the
                // parameters of the previous batch
                (None, kc) => IdeCode::from_codes(enc, dc).sample(kc, &mut stream(seed, epoch, bi as u32 + 1)),
            })?;
            tick();
        }
        Ok(EpochResult { rrr_err })
    }

    /// Trains on one batch: the data `items` (item-major) and the codes
    /// `codes` makes from the data items' encodings (item-major); returns the
    /// last RRR_err.
    fn batch(&mut self, items: &[f64], codes: impl FnOnce(&[f64]) -> Vec<f64>) -> Result<f64, Error> {
        let (net, feed, p) = (self.net, self.feed, self.setup.params);
        let (dd, dc) = (feed.data.len(), feed.code.len());
        let kd = items.len() / dd;
        let auto = Auto { net, feed, p: &p, weights: &self.weights, biases: &self.biases };
        let kc = self.setup.code_batch;
        let buf = buffer(&mut self.buffers, net, kd + kc, self.setup.precision)?;
        let (n, layout) = (net.nodes(), buf.layout);
        for (k, item) in items.chunks_exact(dd).enumerate() {
            for (&i, &v) in feed.data.iter().zip(item) {
                buf.values[layout.at(k, i, n)] = v;
            }
        }
        buf.code_items = kc;
        let enc = auto.init(buf, Start::Data, 0..kd);
        let codes = codes(&enc);
        debug_assert_eq!(codes.len(), kc * dc);
        for (k, code) in codes.chunks_exact(dc).enumerate() {
            for (&i, &v) in feed.code.iter().zip(code) {
                buf.values[layout.at(kd + k, i, n)] = v;
            }
        }
        auto.init(buf, Start::Code, kd..kd + kc);
        auto.init(buf, Start::Data, kd + kc..layout.lanes());
        buf.cold_start();
        let mut last = f64::NAN;
        let tol = self.setup.tol;
        // RRR_err of every iteration only when it can stop the batch or is
        // recorded
        let series = &mut self.series;
        buf.errors = if tol > 0.0 || series.is_some() { Errors::Every } else { Errors::Last };
        buf.run_on(self.pool, net, &p, self.setup.method, self.setup.iter, |rep| {
            last = rep.rrr_err;
            if let Some(s) = series.as_mut() {
                s.push(last);
            }
            last > tol || last.is_nan()
        })
        .map_err(|e| Error::Usage(format!("iteration refused: {e:?}")))?;
        if !last.is_nan() {
            self.weights.copy_from_slice(&buf.weights);
            self.biases.copy_from_slice(&buf.biases);
        }
        Ok(last)
    }

    /// data_err over the training (and test) set, the iDE code of the whole
    /// training set, and code_err over the fixed codes or fresh samples of
    /// that code (drawn from the epoch's evaluation stream).
    pub fn evaluate(&self, epoch: usize) -> Eval {
        let auto = self.auto();
        let train = auto.pass(Start::Data, &self.src.train.values);
        let ide = IdeCode::from_codes(&train.out, self.feed.code.len());
        let codes = match &self.src.codes {
            Some(c) => c.values.clone(),
            None => ide.sample(self.src.train.len(), &mut stream(self.seed, epoch, EVAL_STREAM)),
        };
        let code = auto.pass(Start::Code, &codes);
        let test = self.src.test.as_ref().map(|t| auto.pass(Start::Data, &t.values));
        Eval {
            data_err: train.err,
            code_err: code.err,
            test_data_err: test.as_ref().map(|t| t.err),
            data_err_items: train.err_items,
            code_err_items: code.err_items,
            test_data_err_items: test.map(|t| t.err_items),
            ide,
        }
    }

    /// The autoencoder with the current parameters.
    pub fn auto(&self) -> Auto<'_> {
        Auto { net: self.net, feed: self.feed, p: &self.setup.params, weights: &self.weights, biases: &self.biases }
    }
}
