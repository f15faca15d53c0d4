//! The font of the plots' text, built into the program so that no system
//! fonts are needed.

use std::io;
use std::sync::OnceLock;

use plotters::style::{FontStyle, register_font};

/// DejaVu Sans 2.37; its licence is `runners/assets/DejaVuSans-LICENSE.txt`.
const DEJAVU_SANS: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// The font family the plots name, served by [`DEJAVU_SANS`].
pub const FAMILY: &str = "sans-serif";

/// Registers the built-in font with plotters (once per process); an error
/// if it cannot be read.
pub fn ensure() -> io::Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    if *REGISTERED.get_or_init(|| register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_ok()) {
        Ok(())
    } else {
        Err(io::Error::other("the built-in font could not be read"))
    }
}
