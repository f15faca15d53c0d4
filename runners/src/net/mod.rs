//! `lwl net ...`: write and check network files.

use lwl_kernel::graph::NodeKind;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

mod args;

pub use args::{AutoArgs, CheckArgs, CompleteArgs, ImplicitNetArgs, NET_ABOUT, NetCommand};

use crate::error::Error;
use crate::formats::datafile::read_text_file;
use crate::formats::netfile::{ImplicitShape, NetFormat, NetSpec};
use crate::output::emit;

/// `lwl net complete`: prints (or writes) the layered classifier.
pub fn complete(args: &CompleteArgs) -> Result<(), Error> {
    let spec = NetSpec::layered(&args.sizes)?;
    emit(args.out.as_deref(), &spec.to_text())
}

/// `lwl net auto`: prints (or writes) the cyclic autoencoder.
pub fn auto(args: &AutoArgs) -> Result<(), Error> {
    let encode = args.encode.as_ref().map_or(&[][..], |l| &l.0);
    let decode = args.decode.as_ref().map_or(&[][..], |l| &l.0);
    let spec = NetSpec::autoencoder(args.data, encode, args.code, decode)?;
    emit(args.out.as_deref(), &spec.to_text())
}

/// `lwl net implicit`: prints (or writes) the net of an implicit model.
pub fn implicit(args: &ImplicitNetArgs) -> Result<(), Error> {
    let ImplicitNetArgs { inputs, states, classes, density, direct, .. } = *args;
    let shape = ImplicitShape { inputs, states, classes, density, direct };
    let spec = NetSpec::implicit(shape, &mut Xoshiro256PlusPlus::seed_from_u64(args.seed))?;
    emit(args.out.as_deref(), &spec.to_text())
}

/// `lwl net check`: validates a network file and prints [`summary`].
pub fn check(args: &CheckArgs) -> Result<(), Error> {
    let name = args.file.display().to_string();
    let text = read_text_file(&args.file)?;
    let spec = NetSpec::parse(&text, &name)?;
    emit(None, &format!("{}\n", summary(&spec)?))
}

/// One line describing a network, e.g.
/// `classifier: 23 nodes (13 input, 8 hidden, 2 class), 120 edges, acyclic`.
/// Fails only if the kernel rejects the network.
pub fn summary(spec: &NetSpec) -> Result<String, Error> {
    let net = spec.net()?;
    let h = spec.header();
    let (format, kinds) = match spec.format {
        NetFormat::Classifier => (
            "classifier",
            format!(
                "{} input, {} hidden, {} class",
                spec.count(NodeKind::Input),
                spec.count(NodeKind::Hidden),
                net.classes()
            ),
        ),
        NetFormat::Autoencoder => {
            ("autoencoder", format!("{} data, {} encoder hidden, {} code, {} decoder hidden", h[0], h[1], h[2], h[3]))
        }
    };
    let cycles = if spec.is_cyclic() { "cyclic" } else { "acyclic" };
    Ok(format!("{format}: {} nodes ({kinds}), {} edges, {cycles}", net.nodes(), net.edges()))
}
