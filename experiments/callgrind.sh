#!/usr/bin/env bash
# Instructions per weight-multiply of full RRR iterations, counted by
# callgrind: a repeatable figure whatever the machine's load. Two runs with
# N1 and N2 timed iterations; the difference divided by the extra work.
# Usage: experiments/callgrind.sh [CONFIG...]   (default: majority mnist;
# also autoencoder, ledm12 (f64 only)); PRECISION=f32 counts the f32-storage path (default f64).
set -euo pipefail
lwl=${LWL:-target/release/lwl}
prec=(--precision "${PRECISION:-f64}")
# binaries from before --precision existed measure f64 only
"$lwl" bench --help | grep -q -- --precision || prec=()
for cfg in "${@:-majority mnist}"; do
    for cfg1 in $cfg; do
        case $cfg1 in
            mnist) n1=1; n2=3; wm=$((1000 * 15880)) ;;
            majority) n1=5; n2=25; wm=$((128 * 1066)) ;;
            autoencoder) n1=1; n2=2; wm=$((220 * 317600)) ;;
            ledm12) n1=10000; n2=30000; wm=$((12 * 84)) ;;
            *) echo "unknown config $cfg1" >&2; exit 2 ;;
        esac
        p=("${prec[@]}")
        [ "$cfg1" = ledm12 ] && p=()
        count() {
            valgrind --tool=callgrind --callgrind-out-file=/dev/null "$lwl" bench --config "$cfg1" --threads 1 \
                --iters "$1" "${p[@]}" --json 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
        }
        i1=$(count $n1); i2=$(count $n2)
        echo "$cfg1 ${PRECISION:-f64} $(( (i2 - i1) / ((n2 - n1) * wm) )).$(( ((i2 - i1) * 100 / ((n2 - n1) * wm)) % 100 )) instructions per weight-multiply"
    done
done
