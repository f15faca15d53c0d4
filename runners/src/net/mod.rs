//! `lwl net ...`: write and check network files.

use lwl_kernel::graph::NodeKind;

mod args;

pub use args::{AutoArgs, CheckArgs, CompleteArgs, NET_ABOUT, NetCommand};

use crate::error::Error;
use crate::formats::datafile::read_text_file;
use crate::formats::netfile::{NetFormat, NetSpec};
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
