//! The classifier's training loop (section 5.4): per batch a forward-pass
//! initialisation from the current consensus parameters (warm start), RRR
//! iterations until `--iter` or `--tol`, then the batch's last consensus
//! weights (set A) and biases (set B) become the current parameters.

use lwl_kernel::class::{ClassMode, EXEMPT};
use lwl_kernel::counters::Counters;
use lwl_kernel::graph::{Net, NodeKind};
use lwl_kernel::layout::Layout;
use lwl_kernel::network::{self, Errors, Params, Settle, Settled};

use crate::engine::{Method, NetBuffers, Pool, Precision};
use crate::error::Error;
use crate::formats::datafile::LabeledData;
use crate::formats::text::plural;

/// What happened to one training item in the last iteration of its batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemStatus {
    /// Its class constraint applied with its own label.
    Kept,
    /// Exempted from its class constraint (section 5.3.1).
    Exempt,
    /// Projected with another label (section 5.3.2 or the false-positive
    /// allowance).
    Relabelled(u32),
}

/// Results of one batch.
pub struct BatchResult {
    /// RRR_err of the last iteration.
    pub rrr_err: f64,
    /// Iterations run.
    pub iters: usize,
    /// Batch items misclassified by the new parameters.
    pub errors: usize,
}

/// Consensus parameters, buffers and counters of a training run.
pub struct Trainer {
    /// Constraint hyperparameters (the class mode is set per batch).
    pub params: Params,
    /// Oracle, SIMD or general update.
    pub method: Method,
    /// Consensus weights.
    pub weights: Vec<f64>,
    /// Consensus biases.
    pub biases: Vec<f64>,
    /// Every RRR_err, when recorded.
    pub series: Option<Vec<f64>>,
    /// How forward passes settle on a net with cycles (one pass by default).
    pub settle: Settle,
    buffers: Vec<NetBuffers>,
    pool: Option<Pool>,
    precision: Precision,
}

impl Trainer {
    /// A trainer starting from the given parameters.
    pub fn new(
        params: Params,
        method: Method,
        weights: Vec<f64>,
        biases: Vec<f64>,
        record: bool,
        pool: Option<Pool>,
    ) -> Self {
        let (series, buffers, precision) = (record.then(Vec::new), Vec::new(), Precision::F64);
        Self { params, method, weights, biases, series, settle: Settle::ONCE, buffers, pool, precision }
    }

    /// The same trainer with forward passes settled as `settle` says.
    pub fn with_settle(self, settle: Settle) -> Self {
        Self { settle, ..self }
    }

    /// The consensus parameters as a classifier on `net`.
    pub fn classifier<'a>(&'a self, net: &'a Net<'a>) -> Classifier<'a> {
        Classifier { net, params: &self.params, settle: self.settle, weights: &self.weights, biases: &self.biases }
    }

    /// The same trainer with its edge state stored in `precision`.
    pub fn with_precision(self, precision: Precision) -> Self {
        Self { precision, buffers: Vec::new(), ..self }
    }

    /// Storage precision of the edge state.
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// Work counters summed over all batches so far.
    pub fn counters(&self) -> Counters {
        let mut c = Counters::default();
        self.buffers.iter().for_each(|b| c.add(&b.counters));
        c
    }

    fn buffers(&mut self, net: &Net, items: usize) -> Result<usize, Error> {
        if let Some(i) = self.buffers.iter().position(|b| b.layout.items() == items) {
            return Ok(i);
        }
        let layout = Layout::preferred(items).map_err(|e| Error::Usage(format!("batch of {items} items: {e:?}")))?;
        let buf = NetBuffers::allocate(net, layout, self.precision)
            .map_err(|m| Error::Usage(format!("a batch of {items} items {m}; give a smaller --batch or net")))?;
        self.buffers.push(buf);
        Ok(self.buffers.len() - 1)
    }

    /// Trains on the items `order` of `data` with class constraint `mode`
    /// until `stop`; `status` receives each item's fate in the last
    /// iteration. `targets` holds the class nodes' real targets, item-major
    /// (`net.classes()` per item), for [`ClassMode::Targets`]; empty for a
    /// classifier.
    #[allow(clippy::too_many_arguments)]
    pub fn batch(
        &mut self,
        net: &Net,
        data: &LabeledData,
        targets: &[f64],
        order: &[usize],
        mode: ClassMode,
        stop: Stop,
        status: &mut [ItemStatus],
    ) -> Result<BatchResult, Error> {
        let Stop { iters, tol } = stop;
        let b = self.buffers(net, order.len())?;
        let buf = &mut self.buffers[b];
        let (n, dims) = (net.nodes(), data.dims);
        let layout = buf.layout;
        for (k, &item) in order.iter().enumerate() {
            for (i, &v) in data.item(item).iter().enumerate() {
                buf.values[layout.at(k, i, n)] = v;
            }
            buf.labels[k] = data.labels[item];
        }
        if !targets.is_empty() {
            let outs: Vec<usize> = (0..n).filter(|&i| net.kind(i) == NodeKind::Class).collect();
            if targets.len() != data.len() * outs.len() {
                return Err(Error::Usage(format!(
                    "{} targets for {} items of {} outputs",
                    targets.len(),
                    data.len(),
                    outs.len()
                )));
            }
            for (k, &item) in order.iter().enumerate() {
                for (c, &i) in outs.iter().enumerate() {
                    buf.values[layout.at(k, i, n)] = targets[item * outs.len() + c];
                }
            }
        }
        debug_assert!(dims <= n);
        let mut p = self.params;
        p.class_mode = mode;
        buf.init_forward(net, &p, self.settle, &self.weights, &self.biases);
        // RRR_err of every iteration only when it can stop the batch or is
        // recorded (with tol 0 only an exact fixed point, which the
        // remaining iterations would not change, stops early)
        buf.errors = if tol > 0.0 || self.series.is_some() { Errors::Every } else { Errors::Last };
        let mut last = f64::NAN;
        let series = &mut self.series;
        let done = buf
            .run_on(self.pool.as_ref(), net, &p, self.method, iters, |rep| {
                last = rep.rrr_err;
                if let Some(s) = series.as_mut() {
                    s.push(rep.rrr_err);
                }
                rep.rrr_err > tol || rep.rrr_err.is_nan()
            })
            .map_err(|e| Error::Usage(format!("iteration refused: {e:?}")))?;
        if done > 0 {
            self.weights.copy_from_slice(&buf.weights);
            self.biases.copy_from_slice(&buf.biases);
        }
        for (k, &item) in order.iter().enumerate() {
            let used = buf.used_label[k];
            status[item] = if done == 0 || used == buf.labels[k] {
                ItemStatus::Kept
            } else if used == EXEMPT {
                ItemStatus::Exempt
            } else {
                ItemStatus::Relabelled(used)
            };
        }
        let c = Classifier { net, params: &p, settle: self.settle, weights: &self.weights, biases: &self.biases };
        let errors = order.iter().filter(|&&item| c.wrong(data, item)).count();
        Ok(BatchResult { rrr_err: last, iters: done, errors })
    }
}

/// When a batch stops: after `iters` iterations, or when RRR_err ≤ `tol`.
#[derive(Clone, Copy, Debug)]
pub struct Stop {
    /// RRR iterations per batch at most (`--iter`).
    pub iters: usize,
    /// The tolerance (`--tol`).
    pub tol: f64,
}

/// A classifier: a net with its hyperparameters and consensus weights and
/// biases, applied by the forward pass (largest y − b wins), settled by
/// fixed-point sweeps from zero states on a net with cycles.
#[derive(Clone, Copy)]
pub struct Classifier<'a> {
    /// The net.
    pub net: &'a Net<'a>,
    /// Ω and the activation.
    pub params: &'a Params,
    /// How the forward pass settles on a net with cycles.
    pub settle: Settle,
    /// One weight per edge.
    pub weights: &'a [f64],
    /// One bias per node.
    pub biases: &'a [f64],
}

impl Classifier<'_> {
    /// The predicted class of one item and how its forward pass settled.
    pub fn settled(&self, item: &[f64]) -> (Option<usize>, Settled) {
        let (v, s) = self.values(item);
        (network::predict(self.net, &v), s)
    }

    /// Every node's value after one item's forward pass, and how it settled.
    fn values(&self, item: &[f64]) -> (Vec<f64>, Settled) {
        let n = self.net.nodes();
        let (mut v, mut y) = (vec![0.0; n], vec![0.0; n]);
        v[..item.len()].copy_from_slice(item);
        let s = network::settle(self.net, self.params, self.settle, self.weights, self.biases, &mut v, &mut y);
        (v, s)
    }

    /// The class nodes' values `y − b` of one item's forward pass, in node
    /// order: the net's outputs as a regression.
    pub fn outputs(&self, item: &[f64]) -> Vec<f64> {
        let (v, _) = self.values(item);
        (0..self.net.nodes()).filter(|&i| self.net.kind(i) == NodeKind::Class).map(|i| v[i]).collect()
    }

    /// The predicted class of one item.
    pub fn classify(&self, item: &[f64]) -> Option<usize> {
        self.settled(item).0
    }

    /// Whether item `k` of `data` is misclassified.
    pub fn wrong(&self, data: &LabeledData, k: usize) -> bool {
        self.classify(data.item(k)) != Some(data.labels[k] as usize)
    }

    /// Classifies every item of `data`.
    pub fn evaluate(&self, data: &LabeledData) -> Confusion {
        let mut c = Confusion::default();
        for k in 0..data.len() {
            let (pred, s) = self.settled(data.item(k));
            c.sweeps = c.sweeps.max(s.sweeps);
            c.unsettled += !s.converged(self.settle) as usize;
            let label = data.labels[k] as usize;
            c.errors += (pred != Some(label)) as usize;
            match label {
                0 => {
                    c.class0 += 1;
                    c.false_positives += (pred == Some(1)) as usize;
                }
                1 => {
                    c.class1 += 1;
                    c.false_negatives += (pred == Some(0)) as usize;
                }
                _ => {}
            }
        }
        c
    }
}

/// Counts of a feed-forward classification of a data set; the class-0/1
/// counts matter for two-class nets (class 0 = fake, section 6.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Confusion {
    /// Items whose predicted class is not their label.
    pub errors: usize,
    /// Class-0 items predicted 1 (false positives).
    pub false_positives: usize,
    /// Class-1 items predicted 0 (true items rejected).
    pub false_negatives: usize,
    /// Class-0 items.
    pub class0: usize,
    /// Class-1 items.
    pub class1: usize,
    /// The most forward passes an item needed (1 on a net without cycles).
    pub sweeps: u32,
    /// Items whose forward pass did not settle within the sweeps allowed.
    pub unsettled: usize,
}

/// Checks that a net fits the data: its input nodes are the first `dims`
/// nodes and it has one class node per class.
pub fn check_fit(net: &Net, data: &LabeledData, net_name: &str, data_name: &str) -> Result<(), Error> {
    if net.kinds().iter().any(|&k| matches!(k, NodeKind::Data | NodeKind::Code)) {
        return Err(Error::Usage(format!(
            "{net_name} is an autoencoder net (data and code nodes); classify and predict need a \
             classifier net (`lwl net complete`), autoencode takes this one"
        )));
    }
    let inputs = net.kinds().iter().filter(|&&k| k == NodeKind::Input).count();
    if inputs != data.dims || net.kinds()[..inputs.min(net.nodes())].iter().any(|&k| k != NodeKind::Input) {
        return Err(Error::Usage(format!(
            "{net_name} has {inputs} data nodes but {data_name} has {} values per item",
            data.dims
        )));
    }
    if net.classes() != data.classes {
        return Err(Error::Usage(format!(
            "{net_name} has {} class nodes but {data_name} declares {}",
            net.classes(),
            plural(data.classes, "class", "classes")
        )));
    }
    Ok(())
}
