//! The workloads `lwl bench` times and the criterion benchmarks and tests
//! reuse: the paper's networks and an NMF instance with generated data and
//! random weights, ready to iterate.

use lwl_kernel::activation::Activation;
use lwl_kernel::class::ClassMode;
use lwl_kernel::graph::NodeKind;
use lwl_kernel::layout::Layout;
use lwl_kernel::network::{Params, Settle};
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::engine::netinit::random_weights;
use crate::engine::{NetBuffers, Precision};
use crate::error::Error;
use crate::formats::netfile::NetSpec;

/// The network of a benchmark configuration.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// A layered classifier with these layer sizes, ReLU, class margin.
    Classifier(&'static [usize], f64),
    /// A cyclic autoencoder data → hidden → code → hidden → data with this
    /// many code items in the batch; zigmoid of width 0.4, Ω = 10.
    Autoencoder(usize, usize, usize, usize),
    /// NMF of LEDM m with this rank.
    Nmf(usize, usize),
}

/// A benchmark configuration.
pub struct Config {
    /// Name used by `--config`.
    pub name: &'static str,
    /// The network.
    pub shape: Shape,
    /// Batch size (all items, data and codes).
    pub batch: usize,
}

/// The configuration called `name`.
pub fn config(name: &str) -> Option<&'static Config> {
    CONFIGS.iter().find(|c| c.name == name)
}

/// A ready-to-iterate benchmark problem on a network.
pub struct Problem {
    /// The network.
    pub spec: NetSpec,
    /// Buffers initialised by a forward pass.
    pub buf: NetBuffers,
    /// Hyperparameters.
    pub params: Params,
}

/// Generated data (uniform values in [0, 1), random labels or codes) and
/// random weights for a network configuration in `layout`, initialised by a
/// forward pass; f64 state.
pub fn prepare(cfg: &Config, layout: Layout, seed: u64) -> Result<Problem, Error> {
    prepare_with(cfg, layout, seed, Precision::F64)
}

/// [`prepare`] with the edge state stored in `precision`.
pub fn prepare_with(cfg: &Config, layout: Layout, seed: u64, precision: Precision) -> Result<Problem, Error> {
    let (spec, margin, activation, omega, code_items) = match cfg.shape {
        Shape::Classifier(layers, margin) => (NetSpec::layered(layers)?, margin, Activation::Relu, 2.0, 0),
        Shape::Autoencoder(d, h, c, codes) => {
            (NetSpec::autoencoder(d, &[h], c, &[h])?, 0.0, Activation::Zigmoid { width: 0.4 }, 10.0, codes)
        }
        Shape::Nmf(..) => return Err(Error::Usage(format!("{} is not a network configuration", cfg.name))),
    };
    let net = spec.net()?;
    let params =
        Params { beta: 1.0, gamma: 1.0, omega, upsilon: 1.0, margin, activation, class_mode: ClassMode::Plain };
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut buf =
        NetBuffers::with_precision(&net, layout, precision).ok_or_else(|| Error::Usage("batch too large".into()))?;
    buf.code_items = code_items;
    let (n, classes) = (net.nodes(), net.classes().max(1) as u32);
    for k in 0..cfg.batch {
        for i in 0..n {
            if matches!(net.kind(i), NodeKind::Input | NodeKind::Data | NodeKind::Code) {
                buf.values[layout.at(k, i, n)] = rng.random::<f64>();
            }
        }
        buf.labels[k] = rng.random_range(0..classes);
    }
    let w0 = random_weights(&spec, params.omega, &mut rng);
    buf.init_forward(&net, &params, Settle::ONCE, &w0, &vec![0.0; n]);
    Ok(Problem { spec, buf, params })
}

/// The benchmark configurations (BENCHMARKS.md).
pub const CONFIGS: &[Config] = &[
    Config { name: "mnist", shape: Shape::Classifier(&[784, 20, 10], 0.7), batch: 1000 },
    Config { name: "majority", shape: Shape::Classifier(&[13, 26, 26, 2], 0.1), batch: 128 },
    Config { name: "ledm12", shape: Shape::Nmf(12, 7), batch: 12 },
    Config { name: "autoencoder", shape: Shape::Autoencoder(784, 200, 10, 20), batch: 220 },
];

/// Names of the built-in configurations.
pub fn config_names() -> Vec<&'static str> {
    CONFIGS.iter().map(|c| c.name).collect()
}
