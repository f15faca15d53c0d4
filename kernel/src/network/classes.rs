//! The class-node part of `P_A` for a whole batch (eq. 26d–e, 32, 33, the
//! false-positive allowance of section 6.2, and real targets for regression), shared by both paths: it costs
//! `|K| · |C|` per iteration, nothing beside the `|K| · |E|` work.

use super::{Problem, Work};
use crate::class::{self, ClassMode, EXEMPT};
use crate::graph::NodeKind;

/// Projects the class nodes of every item; writes `ya`, `ba` and
/// `used_label`; returns the number of selected items.
pub(super) fn project(pr: &Problem, y: &[f64], b: &[f64], wk: &mut Work) -> usize {
    let Problem { net, layout, params: p, batch } = *pr;
    let n = net.nodes();
    let first = net.kinds().iter().position(|&k| k == NodeKind::Class);
    let Some(first) = first else { return 0 };
    let nc = net.classes();
    // class nodes are numbered consecutively in every reference net; other
    // nets find their class nodes by kind.
    let contiguous = net.kinds()[first..first + nc].iter().all(|&k| k == NodeKind::Class);
    let node_of = |c: usize| -> usize {
        if contiguous {
            first + c
        } else {
            net.kinds().iter().enumerate().filter(|(_, k)| **k == NodeKind::Class).nth(c).map_or(first, |(i, _)| i)
        }
    };
    let items = layout.items();
    let margin = p.margin;
    let yb = |k: usize, c: usize| {
        let at = layout.at(k, node_of(c), n);
        (y[at], b[at])
    };
    let (d, rest) = wk.scratch.split_at_mut(items);
    let sel = &mut rest[..2 * items];
    let apply = |k: usize, label: u32, ya: &mut [f64], ba: &mut [f64]| {
        for c in 0..nc {
            let at = layout.at(k, node_of(c), n);
            let (yp, bp, _) = class::plain(y[at], b[at], margin, c == label as usize);
            ya[at] = yp;
            ba[at] = bp;
        }
    };
    let mut count = 0;
    match p.class_mode {
        ClassMode::Plain => {
            for k in 0..items {
                apply(k, batch.labels[k], wk.ya, wk.ba);
                wk.used_label[k] = batch.labels[k];
            }
        }
        ClassMode::Exempt(ee) => {
            for (k, dk) in d.iter_mut().enumerate() {
                *dk = class::item_distance(nc, |c| yb(k, c), margin, batch.labels[k] as usize);
            }
            let t = class::largest_threshold(d, ee, sel);
            for (k, &dk) in d.iter().enumerate() {
                if class::selected(dk, t) {
                    count += 1;
                    wk.used_label[k] = EXEMPT;
                    for c in 0..nc {
                        let at = layout.at(k, node_of(c), n);
                        wk.ya[at] = y[at];
                        wk.ba[at] = b[at];
                    }
                } else {
                    apply(k, batch.labels[k], wk.ya, wk.ba);
                    wk.used_label[k] = batch.labels[k];
                }
            }
        }
        ClassMode::Relabel(ee) => {
            for (k, dk) in d.iter_mut().enumerate() {
                let own = class::item_distance(nc, |c| yb(k, c), margin, batch.labels[k] as usize);
                let mut best = (batch.labels[k], own);
                for c in 0..nc {
                    let dc = class::item_distance(nc, |cc| yb(k, cc), margin, c);
                    if dc < best.1 || (dc == best.1 && (c as u32) < best.0) {
                        best = (c as u32, dc);
                    }
                }
                *dk = own - best.1;
                wk.used_label[k] = best.0;
            }
            let t = class::largest_threshold(d, ee, sel);
            for (k, &dk) in d.iter().enumerate() {
                let label = if class::selected(dk, t) {
                    count += 1;
                    wk.used_label[k]
                } else {
                    batch.labels[k]
                };
                wk.used_label[k] = label;
                apply(k, label, wk.ya, wk.ba);
            }
        }
        ClassMode::Targets => {
            for k in 0..items {
                for c in 0..nc {
                    let at = layout.at(k, node_of(c), n);
                    let (yp, bp, _) = class::target(y[at], b[at], batch.values[at], margin);
                    wk.ya[at] = yp;
                    wk.ba[at] = bp;
                }
                wk.used_label[k] = batch.labels[k];
            }
        }
        ClassMode::FalsePositive(fpa) => {
            for (k, dk) in d.iter_mut().enumerate() {
                *dk = if batch.labels[k] == 0 {
                    let ((y0, b0), (y1, b1)) = (yb(k, 0), yb(k, 1));
                    class::fpa_delta(y0, b0, y1, b1, margin)
                } else {
                    0.0
                };
            }
            let t = class::fpa_threshold(d, fpa, sel);
            for (k, &dk) in d.iter().enumerate() {
                let label = if batch.labels[k] == 0 && dk < t {
                    count += 1;
                    1
                } else {
                    batch.labels[k]
                };
                wk.used_label[k] = label;
                apply(k, label, wk.ya, wk.ba);
            }
        }
    }
    // Padding lanes get a plain projection to class 0 so they stay finite.
    for k in items..layout.lanes() {
        apply(k, 0, wk.ya, wk.ba);
    }
    count
}
