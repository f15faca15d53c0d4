//! The trained autoencoder a generative model is built on (read from the
//! `--out` directory of `lwl autoencode`), the labelled code sets of
//! section 6.2 (genuine codes `E(X)` with label 1, iDE samples with label 0)
//! and rejection sampling through the classifier.

use std::path::Path as FsPath;

use lwl_kernel::class::ClassMode;
use lwl_kernel::graph::Net;
use lwl_kernel::network::Params;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::args::activation;
use crate::autoencode::{Auto, FeedAround, IdeCode, Source, Start, check_net};
use crate::classify::Classifier;
use crate::error::{Error, InputError};
use crate::formats::datafile::{LabeledData, UnlabeledData, read_text_file};
use crate::formats::netfile::NetSpec;
use crate::formats::paramfile::{NetParams, read_net_params};
use crate::output::checkpoint::{self, Progress};

/// Label of genuine codes (the encodings of real data).
pub const GENUINE: u32 = 1;

/// An autoencoder's net, parameters and iDE code.
pub struct Model {
    /// The autoencoder net.
    pub spec: NetSpec,
    /// Its consensus parameters.
    pub params: NetParams,
    /// Its constraint parameters (Ω and the activation).
    pub p: Params,
    /// Its iDE code.
    pub ide: IdeCode,
}

impl Model {
    /// Reads `net.txt`, `params.txt`, `progress.json` and `ide.txt` of
    /// `dir` and checks that the net fits `src`.
    pub fn load(dir: &FsPath, src: &Source) -> Result<Self, Error> {
        let file = |f: &str| (dir.join(f), dir.join(f).display().to_string());
        let (net_path, net_name) = file("net.txt");
        let spec = NetSpec::parse(&read_text_file(&net_path)?, &net_name)?;
        check_net(&spec, &net_name, src)?;
        let (pp, pname) = file("params.txt");
        let (params, omega) = read_net_params(&read_text_file(&pp)?, &pname, &spec)?;
        let omega = omega.ok_or_else(|| InputError::file(&pname, "not an lwl parameter file (no omega line)"))?;
        let saved: Progress = checkpoint::read(dir, "autoencode")?;
        let prog = dir.join("progress.json").display().to_string();
        let act = saved.record.get("activation").and_then(|v| v.as_str());
        let (Some(act), Some(width)) = (act, saved.f64("width")) else {
            return Err(InputError::file(&prog, "has no activation and width: not written by lwl autoencode").into());
        };
        let (ip, iname) = file("ide.txt");
        let ide = IdeCode::parse(&read_text_file(&ip)?, &iname)?;
        let codes = spec.count(lwl_kernel::graph::NodeKind::Code);
        if ide.nodes() != codes {
            return Err(
                InputError::file(&iname, format!("has {} nodes; the net has {codes} code nodes", ide.nodes())).into()
            );
        }
        let p = Params {
            beta: 1.0,
            gamma: 1.0,
            omega,
            upsilon: 1.0,
            margin: 0.0,
            activation: activation(act, width, 0.0)?,
            class_mode: ClassMode::Plain,
        };
        Ok(Self { spec, params, p, ide })
    }

    /// The autoencoder with its parameters, on `net` (made from
    /// [`Model::spec`]) with orders `feed`.
    pub fn auto<'a>(&'a self, net: &'a Net<'a>, feed: &'a FeedAround) -> Auto<'a> {
        Auto { net, feed, p: &self.p, weights: &self.params.weights, biases: &self.params.biases }
    }

    /// Labelled codes: the encodings of `data` (genuine) after `fakes` iDE
    /// samples (label 0).
    pub fn codes(&self, auto: &Auto, data: &UnlabeledData, fakes: usize, rng: &mut Xoshiro256PlusPlus) -> LabeledData {
        let mut values = self.ide.sample(fakes, rng);
        values.extend(auto.pass(Start::Data, &data.values).out);
        let labels = (0..fakes + data.len()).map(|k| u32::from(k >= fakes) * GENUINE).collect();
        LabeledData { dims: self.ide.nodes(), classes: 2, values, labels }
    }
}

/// Rejection sampling: iDE samples drawn in rounds until `count` are
/// classified genuine or `max_draws` are drawn. Returns the accepted codes
/// (item-major) and the number drawn.
pub fn accepted(
    ide: &IdeCode,
    classifier: &Classifier,
    count: usize,
    max_draws: usize,
    rng: &mut Xoshiro256PlusPlus,
) -> (Vec<f64>, usize) {
    const ROUND: usize = 1000;
    let (mut out, mut drawn) = (Vec::new(), 0);
    while out.len() < count * ide.nodes() && drawn < max_draws {
        let n = ROUND.min(max_draws - drawn);
        for z in ide.sample(n, rng).chunks_exact(ide.nodes()) {
            drawn += 1;
            if classifier.classify(z) == Some(GENUINE as usize) {
                out.extend_from_slice(z);
                if out.len() == count * ide.nodes() {
                    break;
                }
            }
        }
    }
    (out, drawn)
}
