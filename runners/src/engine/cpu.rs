//! Start-up check that the processor has the SIMD features the binary was
//! compiled for, and the SIMD level the kernel's `wide` vectors use.
//!
//! `.cargo/config.toml` builds the Linux host for x86-64-v3 (AVX2 + FMA), so
//! `wide` uses 256-bit vectors. Such a binary dies with an illegal
//! instruction on an older processor; [`check`] turns that into a message.

/// Fails with an explanation when the processor lacks an x86-64 feature the
/// binary was compiled with (AVX, AVX2, FMA, BMI1/2, LZCNT, F16C, MOVBE,
/// AVX-512F). Always succeeds on other architectures.
pub fn check() -> Result<(), String> {
    let missing = missing_features();
    if missing.is_empty() { Ok(()) } else { Err(message(&missing)) }
}

/// The explanation printed when the processor lacks the `missing` features.
fn message(missing: &[&str]) -> String {
    format!(
        "this processor lacks {}, which this binary was compiled to use (the host build targets \
         x86-64-v3, AVX2 + FMA, set in .cargo/config.toml); build a portable binary with \
         RUSTFLAGS=\"-C target-cpu=x86-64\" cargo build --release (RUSTFLAGS overrides the config's rustflags)",
        missing.join(", ")
    )
}

/// The compiled-in x86-64 features that the running processor lacks.
#[cfg(target_arch = "x86_64")]
fn missing_features() -> Vec<&'static str> {
    let mut missing = Vec::new();
    macro_rules! require {
        ($($feature:tt),*) => {$(
            if cfg!(target_feature = $feature) && !std::is_x86_feature_detected!($feature) {
                missing.push($feature);
            }
        )*};
    }
    require!("avx", "avx2", "fma", "bmi1", "bmi2", "lzcnt", "f16c", "movbe", "avx512f");
    missing
}

/// The compiled-in x86-64 features that the running processor lacks.
#[cfg(not(target_arch = "x86_64"))]
fn missing_features() -> Vec<&'static str> {
    Vec::new()
}

/// The SIMD instruction set `wide` was compiled for: `"avx512"` (f64x8 in
/// one register; needs `avx512f` at compile time), `"avx2+fma"`, `"sse2"`,
/// `"neon"` or `"scalar"`.
pub const fn simd_level() -> &'static str {
    if cfg!(target_feature = "avx512f") {
        "avx512"
    } else if cfg!(all(target_feature = "avx2", target_feature = "fma")) {
        "avx2+fma"
    } else if cfg!(target_feature = "sse2") {
        "sse2"
    } else if cfg!(target_feature = "neon") {
        "neon"
    } else {
        "scalar"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_machine_runs_this_build() {
        // The test binary itself was built with the same flags.
        assert_eq!(check(), Ok(()));
    }

    #[test]
    fn message_explains_the_fix() {
        let msg = message(&["avx2", "fma"]);
        assert!(msg.contains("lacks avx2, fma"));
        assert!(msg.contains("x86-64-v3"));
        assert!(msg.contains("RUSTFLAGS=\"-C target-cpu=x86-64\" cargo build --release"));
    }

    #[test]
    fn simd_level_matches_build() {
        let level = simd_level();
        assert!(["avx512", "avx2+fma", "sse2", "neon", "scalar"].contains(&level));
        if cfg!(all(target_arch = "x86_64", target_feature = "avx2", target_feature = "fma")) {
            assert!(level == "avx2+fma" || level == "avx512");
        }
    }
}
